using StreamBot.Migrations.Validation;
using System.Diagnostics;
using Npgsql;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Backfills;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Postgres.Telemetry;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Safety;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// Applies one migration. A transactional migration goes to the server as one batch (every statement plus its
/// journal row, in one round trip) inside one transaction, so it is applied wholly or not at all. A migration with
/// statements PostgreSQL refuses in a transaction runs statement by statement, its journal row written last.
/// </summary>
internal sealed class MigrationApplier(NpgsqlConnection connection, int backendPid, JournalSet journals, LockLease lease, RunOptions options, IRunLog log, CancellationToken cancellation)
{
    private readonly LockWaits _waits = new(connection, [backendPid, lease.BackendPid], options.Locking, log, cancellation);
    private readonly MigrationJournal _journal = journals.Journal;
    private readonly MigrationProgress _progress = journals.Progress;

    // The run's time on backfills: --backfill-budget covers them all.
    private readonly Stopwatch _backfillTime = new();

    /// <summary>Warns (SBM4033) about sessions lingering on tables the migrations about to run lock against writes.</summary>
    public Task WarnAboutBlockersAsync(IReadOnlyList<ValidatedMigration> migrations) => _waits.WarnAboutBlockersAsync(migrations);

    /// <summary>
    /// Applies <paramref name="migration"/>, or, when resuming an interrupted one, its statements from the 0-based
    /// <paramref name="resumeAt"/> on.
    /// </summary>
    /// <remarks>
    /// A transactional migration commits without waiting for its WAL flush: the caller reports it applied only after
    /// a later durable commit (<see cref="DurableReports"/>). One that runs statement by statement commits its journal row durably.
    /// </remarks>
    public async Task<AppliedMigration> ApplyAsync(ValidatedMigration migration, int? resumeAt = null)
    {
        var clock = Stopwatch.StartNew();
        var locks = migration.Locks;
        // A backfill shows its own progress (rows, rate, time left) instead of "statement still running".
        await using (migration.Backfills.Count > 0 ? null : new StatementProgress(migration, backendPid, lease, options.ProgressInterval, log))
        {
            await RunTelemetry.TraceMigrationAsync("apply", migration.Name, migration.Script.Statements.Count - (resumeAt ?? 0), migration.IsTransactional, async () =>
            {
                if (migration.Backfills.Count > 0)
                {
                    await ApplyInPhasesAsync(migration, resumeAt, clock).ConfigureAwait(false);
                    return 1;
                }

                if (migration.IsTransactional)
                {
                    return await _waits.RetryOnLockTimeoutAsync(WaitSite.Of(migration, locks, _waits.LockTimeout(migration), wholeTransaction: true),
                        (lockTimeout, attempt) => ApplyInTransactionAsync(migration, resumeAt, lockTimeout, attempt, clock)).ConfigureAwait(false);
                }

                await ApplyStatementByStatementAsync(migration, locks, resumeAt, clock).ConfigureAwait(false);
                return 1;
            }).ConfigureAwait(false);
        }

        return new AppliedMigration(migration.Name, migration.File.FileName, clock.Elapsed,
            $"Applied {migration.File.FileName} ({migration.Script.Statements.Count - (resumeAt ?? 0)} statement(s){(resumeAt is { } n ? $", resumed at statement {n + 1}" : string.Empty)}, {clock.Elapsed.TotalMilliseconds:F0} ms).");
    }

    // A migration's statements go to the server in batches of about this much text, all in its one transaction: one
    // round trip for a typical migration, and a bounded number of statement strings in memory for a huge one.
    private const int ChunkBytes = 4 << 20;
    private const int ChunkStatements = 4096;

    // clock: the migration's whole time so far (waits and earlier attempts), which its journal row adds to this attempt's.
    private async Task ApplyInTransactionAsync(ValidatedMigration migration, int? resumeAt, TimeSpan lockTimeout, int attempt, Stopwatch clock)
    {
        var before = (int)clock.ElapsedMilliseconds;
        var statements = migration.Script.Statements;
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        var chunkFirst = resumeAt ?? 0;
        NpgsqlBatch? batch = null;
        var committing = false;
        var settingsCommands = 0;
        var guardAt = -1;
        try
        {
            while (true)
            {
                batch = new NpgsqlBatch(connection, transaction);
                settingsCommands = 0;
                if (chunkFirst == (resumeAt ?? 0))
                {
                    // Whatever the migration before it SET on this session, this one starts from the state at connection.
                    var (reset, ours) = Database.ResetSession(connection, durableCommits: true);
                    batch.BatchCommands.Add(reset);
                    batch.BatchCommands.Add(LockWaits.Settings(lockTimeout, _waits.StatementTimeout(migration), local: true, deferFlush: true, before: ours));
                    if (_waits.Guard(migration.Locks.SelectMany(l => l), lockTimeout) is { } guard)
                    {
                        guardAt = batch.BatchCommands.Count;
                        batch.BatchCommands.Add(guard);
                    }

                    settingsCommands = batch.BatchCommands.Count;
                }

                var next = chunkFirst;
                for (var bytes = 0; next < statements.Count && (next == chunkFirst || (bytes < ChunkBytes && next - chunkFirst < ChunkStatements)); next++)
                {
                    batch.BatchCommands.Add(new NpgsqlBatchCommand(migration.Script.GetText(statements[next])));
                    bytes += statements[next].Length;
                }

                var last = next == statements.Count;
                if (last)
                {
                    // Checked last, just before the journal row and the commit: a lock lost while the statements ran
                    // still stops the migration from committing.
                    batch.BatchCommands.Add(lease.FenceWithOwnSettings());
                    batch.BatchCommands.Add(_journal.InsertCommand(migration.Name, migration.Hash, executionMs: null, before, attempt));
                    if (_journal.DrizzleInsertCommand(migration.Name, migration.Hash) is { } drizzleRow)
                    {
                        batch.BatchCommands.Add(drizzleRow);
                    }

                    if (resumeAt is not null)
                    {
                        batch.BatchCommands.Add(_progress.ClearCommand(migration.Name));
                    }
                }

                // Cancelling sends the server a cancel request for the running statement; COMMIT itself is not
                // cancelled, so a migration is either committed or rolled back, never in doubt because of Ctrl-C.
                await batch.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
                if (last)
                {
                    break;
                }

                await batch.DisposeAsync().ConfigureAwait(false);
                chunkFirst = next;
                // Only a migration larger than one batch gets here. The batch just sent is garbage, and much of it was
                // promoted while it ran; collecting the young generations batch by batch keeps a huge migration's
                // footprint near its file's size instead of growing by the runtime's budgets (README, "Memory").
                GC.Collect(1, GCCollectionMode.Forced, blocking: true);
            }

            // COMMIT is this process's to send, in a round trip of its own: a process killed before it never commits,
            // even though the server holds every statement of the batch. It does not wait for the WAL flush (the
            // caller reports the migration once a later durable commit covers it).
            committing = true;
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested && !committing)
        {
            await SafeRollbackAsync(transaction).ConfigureAwait(false);
            throw Cancelled(migration, $"{migration.File.FileName} was running; its statement was cancelled and its transaction rolled back: nothing of it is applied.", null);
        }
        catch (NpgsqlException e) when (IsConnectionEnding(e))
        {
            throw ConnectionLost(migration, e, committing
                ? $"It was lost during COMMIT, so whether {migration.File.FileName} committed is unknown until the server is back: status tells."
                : $"{migration.File.FileName} had not committed, so the server rolls its transaction back: nothing of it is applied.");
        }
        catch (PostgresException e) when (!committing && BlockingSessions.IsGuardRefusal(e) && guardAt >= 0 && chunkFirst == (resumeAt ?? 0) && FailedIndex(batch!, e) == guardAt)
        {
            await SafeRollbackAsync(transaction).ConfigureAwait(false);
            throw new LockWaits.Blocked();
        }
        catch (PostgresException e)
        {
            await SafeRollbackAsync(transaction).ConfigureAwait(false);
            var index = committing ? -1 : chunkFirst + FailedIndex(batch!, e) - settingsCommands;
            if (e.SqlState == PostgresErrorCodes.LockNotAvailable && index >= chunkFirst && index < statements.Count)
            {
                throw new LockWaits.TimedOut(index);
            }

            // Right after the statements: the fence (with this tool's settings).
            if (index == statements.Count && LockLease.IsLost(e))
            {
                throw LockLease.Lost(migration.File.FullPath, $"{migration.File.FileName} was not applied (its transaction was rolled back).");
            }

            throw Failure(migration, index >= chunkFirst && index < statements.Count ? index : -1, e,
                "The whole migration was rolled back: nothing of it is applied.");
        }
        finally
        {
            if (batch is not null)
            {
                await batch.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task ApplyStatementByStatementAsync(ValidatedMigration migration, IReadOnlyList<IReadOnlyList<TableLock>> locks, int? resumeAt, Stopwatch clock)
    {
        var first = resumeAt ?? 0;
        log.Report(RunDiagnostics.RunsWithoutTransaction(migration.File.FullPath, migration.File.FileName,
            migration.Script.Statements.Where(s => !s.IsTransactional).Select(s => s.NonTransactionalReason!).Distinct(), _progress.TableName.ToString()));
        var statements = migration.Script.Statements;
        await Database.ResetSessionAsync(connection, durableCommits: true, cancellation: cancellation).ConfigureAwait(false);
        await _progress.StartAsync(connection, migration.Name, migration.Hash, first, statements.Count).ConfigureAwait(false);
        for (var i = first; i < statements.Count; i++)
        {
            // A statement that runs in its own implicit transaction gets the short lock_timeout and its retries; one
            // that cannot (CREATE INDEX CONCURRENTLY ...) waits for older transactions by design, with its own budget.
            var index = i;
            if (statements[i].IsTransactional)
            {
                await _waits.RetryOnLockTimeoutAsync(WaitSite.Of(migration, locks, _waits.LockTimeout(migration), wholeTransaction: false),
                    (lockTimeout, _) => RunStatementAsync(migration, index, resumeAt, lockTimeout)).ConfigureAwait(false);
            }
            else
            {
                await RunStatementAsync(migration, i, resumeAt, migration.Settings.ConcurrentLockTimeout ?? options.Locking.ConcurrentLockTimeout).ConfigureAwait(false);
            }

            await _progress.RecordAsync(connection, migration.Name, i + 1).ConfigureAwait(false);
        }

        await WriteJournalRowAsync(migration, clock).ConfigureAwait(false);
    }

    /// <summary>
    /// A migration with a backfill: each run of transactional statements in one transaction with its recorded position,
    /// each backfill in batches that record their cursor, each non-transactional statement alone; the journal row
    /// after the last phase. A stop anywhere but inside a non-transactional statement is resumed exactly by the next up.
    /// </summary>
    private async Task ApplyInPhasesAsync(ValidatedMigration migration, int? resumeAt, Stopwatch clock)
    {
        var first = resumeAt ?? 0;
        var statements = migration.Script.Statements;
        await Database.ResetSessionAsync(connection, durableCommits: true, cancellation: cancellation).ConfigureAwait(false);
        await _progress.StartAsync(connection, migration.Name, migration.Hash, first, statements.Count).ConfigureAwait(false);
        var phases = Planning.MigrationPhases.Of(migration);
        log.Info($"  {migration.File.FileName} is applied in {phases.Count} phases (it has {migration.Backfills.Count} backfill(s)); each records its position in {_progress.TableName}{(first > 0 ? $", from statement {first + 1} on" : string.Empty)}.");
        var runner = new BackfillRunner(connection, [backendPid, lease.BackendPid], options.Backfill, options.Locking, log, cancellation);
        foreach (var phase in phases.Where(p => p.End > first))
        {
            var from = Math.Max(first, phase.First);
            switch (phase.Kind)
            {
                case Planning.PhaseKind.Transaction:
                    await _waits.RetryOnLockTimeoutAsync(WaitSite.Of(migration, migration.Locks, _waits.LockTimeout(migration), wholeTransaction: true),
                        (lockTimeout, _) => RunPhaseInTransactionAsync(migration, from, phase.End, lockTimeout)).ConfigureAwait(false);
                    break;
                case Planning.PhaseKind.Backfill:
                    _backfillTime.Start();
                    try
                    {
                        await runner.RunAsync(migration, migration.Backfills.First(b => b.Statement == phase.First), new BackfillStore(_progress, migration.Name), lease, _backfillTime).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                    {
                        throw Cancelled(migration, $"{migration.File.FileName}'s backfill at statement {phase.First + 1} (line {statements[phase.First].Line}) was interrupted: the batch in flight was rolled back, every committed batch is recorded with its cursor; the migration is not in the journal.",
                            "Run up again when ready: the backfill continues from its saved cursor, and no row is changed twice.");
                    }
                    catch (NpgsqlException e) when (IsConnectionEnding(e))
                    {
                        throw ConnectionLost(migration, e, $"The backfill at statement {phase.First + 1} (line {statements[phase.First].Line}) was running: its committed batches are recorded, the one in flight was rolled back. Once the server is back, run up again: it continues from the saved cursor.");
                    }
                    catch (PostgresException e)
                    {
                        throw Failure(migration, phase.First, e, $"The backfill's earlier batches are committed and recorded; the failing batch was rolled back. The migration is not in the journal.", partly: true,
                            "Fix the cause (the data the statement trips over), then run up again: the backfill continues from its saved cursor.");
                    }
                    finally
                    {
                        _backfillTime.Stop();
                    }

                    await using (var done = new NpgsqlBatch(connection) { BatchCommands = { Database.OwnStatementSettings(), _progress.PhaseDoneCommand(migration.Name, phase.End) } })
                    {
                        await done.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
                    }

                    break;
                default:
                    await RunStatementAsync(migration, phase.First, resumeAt, migration.Settings.ConcurrentLockTimeout ?? options.Locking.ConcurrentLockTimeout).ConfigureAwait(false);
                    await _progress.RecordAsync(connection, migration.Name, phase.End).ConfigureAwait(false);
                    break;
            }
        }

        await WriteJournalRowAsync(migration, clock).ConfigureAwait(false);
    }

    // Statements [from, end) and the position after them, in one transaction: committed together or not at all.
    private async Task RunPhaseInTransactionAsync(ValidatedMigration migration, int from, int end, TimeSpan lockTimeout)
    {
        var statements = migration.Script.Statements;
        await using var transaction = await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var (reset, ours) = Database.ResetSession(connection, durableCommits: true);
        batch.BatchCommands.Add(reset);
        batch.BatchCommands.Add(LockWaits.Settings(lockTimeout, _waits.StatementTimeout(migration), local: true, before: ours));
        batch.BatchCommands.Add(lease.Fence());
        const int Before = 3;
        for (var i = from; i < end; i++)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(migration.Script.GetText(statements[i])));
        }

        batch.BatchCommands.Add(Database.OwnStatementSettings());
        batch.BatchCommands.Add(_progress.PhaseDoneCommand(migration.Name, end));
        var committing = false;
        try
        {
            await batch.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
            committing = true;
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested && !committing)
        {
            await SafeRollbackAsync(transaction).ConfigureAwait(false);
            throw Cancelled(migration, $"{migration.File.FileName} is applied in phases: {Ran(statements, from)} Statements {from + 1} to {end} were cancelled and rolled back together.",
                "Run up again when ready: it goes on with that phase.");
        }
        catch (NpgsqlException e) when (IsConnectionEnding(e))
        {
            throw ConnectionLost(migration, e, $"{Ran(statements, from)} Statements {from + 1} to {end} run in one transaction with their recorded position: status tells whether they committed, and up goes on from there.");
        }
        catch (PostgresException e)
        {
            await SafeRollbackAsync(transaction).ConfigureAwait(false);
            var index = from + FailedIndex(batch, e) - Before;
            if (FailedIndex(batch, e) == Before - 1 && LockLease.IsLost(e))
            {
                throw LockLease.Lost(migration.File.FullPath, $"{migration.File.FileName} stopped before statement {from + 1}; {Ran(statements, from)} The next up goes on from there.");
            }

            if (e.SqlState == PostgresErrorCodes.LockNotAvailable && index >= from && index < end)
            {
                throw new LockWaits.TimedOut(index);
            }

            throw Failure(migration, index >= from && index < end ? index : -1, e,
                $"{Ran(statements, from)} Statements {from + 1} to {end} ran in one transaction, which was rolled back; the migration is not in the journal.", partly: from > 0,
                "Fix the cause, then run up again: it goes on at the phase that failed (earlier phases are recorded).");
        }
    }

    private async Task WriteJournalRowAsync(ValidatedMigration migration, Stopwatch clock)
    {
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using var journalBatch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands = { Database.OwnStatementSettings(), _journal.InsertCommand(migration.Name, migration.Hash, (int)clock.ElapsedMilliseconds), _progress.ClearCommand(migration.Name) },
        };
        if (_journal.DrizzleInsertCommand(migration.Name, migration.Hash) is { } drizzleRow)
        {
            journalBatch.BatchCommands.Add(drizzleRow);
        }

        await journalBatch.ExecuteNonQueryAsync().ConfigureAwait(false);
        await transaction.CommitAsync().ConfigureAwait(false);
    }

    private async Task RunStatementAsync(ValidatedMigration migration, int i, int? resumeAt, TimeSpan lockTimeout)
    {
        var statements = migration.Script.Statements;
        var text = migration.Script.GetText(statements[i]);
        try
        {
            try
            {
                await using var fence = new NpgsqlBatch(connection) { BatchCommands = { lease.Fence(), LockWaits.Settings(lockTimeout, _waits.StatementTimeout(migration), local: false) } };
                await fence.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            catch (PostgresException e) when (LockLease.IsLost(e))
            {
                throw LockLease.Lost(migration.File.FullPath, $"{migration.File.FileName} stopped before statement {i + 1}; {Ran(statements, i)} Resume it with up --resume-from {i + 1}.");
            }

            if (i == resumeAt && await InvalidIndexes.DropLeftoverOfAsync(connection, migration.Script, statements[i]).ConfigureAwait(false) is { } dropped)
            {
                log.Info($"Dropped the INVALID index {dropped} that the interrupted run of statement {i + 1} left behind; building it again.");
            }

            await using var command = new NpgsqlCommand(text, connection);
            await command.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw Cancelled(migration,
                $"{migration.File.FileName} runs without a transaction: {Ran(statements, i)} Statement {i + 1} (line {statements[i].Line}) was cancelled, and the rest did not run; the migration is not in the journal.",
                $"Resume it with up --resume-from {i + 1} (-p:MigrationsResumeFrom={i + 1}); an INVALID index the cancelled statement left is dropped and rebuilt on resume.");
        }
        catch (NpgsqlException e) when (IsConnectionEnding(e))
        {
            throw ConnectionLost(migration, e,
                $"{Ran(statements, i)} Statement {i + 1} (line {statements[i].Line}) was running and may or may not have taken effect; the migration is not in the journal. Once the server is back, check that statement's effect and run up --resume-from {i + 1} (or {i + 2} if it took effect).");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable && statements[i].IsTransactional)
        {
            throw new LockWaits.TimedOut(i);
        }
        catch (PostgresException e)
        {
            throw Failure(migration, i, e, $"{Ran(statements, i)} Statement {i + 1} failed and the rest did not run; the migration is not in the journal.",
                partly: true,
                $"Fix the cause, then run up --resume-from {i + 1} (-p:MigrationsResumeFrom={i + 1}) to run statement {i + 1} and the rest; a failed CREATE INDEX CONCURRENTLY's INVALID index is dropped and rebuilt on resume.");
        }
    }

    // A broken connection, or the server ending the session (shutdown, crash of another backend, pg_terminate_backend):
    // the session is gone, not the statement failing.
    private static bool IsConnectionEnding(NpgsqlException e) => e is not PostgresException || ((PostgresException)e).SqlState is "57P01" or "57P02" or "57P03";

    private static MigrationException ConnectionLost(ValidatedMigration migration, NpgsqlException e, string outcome) =>
        new(RunDiagnostics.ConnectionLost(migration.File.FullPath, migration.File.FileName, ConnectionFailure.Reason(e), outcome));

    private static MigrationException Cancelled(ValidatedMigration migration, string outcome, string? hint) =>
        new(RunDiagnostics.UpCancelled(migration.File.FullPath, outcome, hint));

    private static string Ran(IReadOnlyList<SqlStatement> statements, int count) => count == 0
        ? "No statement of it has run."
        : count == 1
            ? $"Statement 1 (line {statements[0].Line}) ran and stays applied."
            : $"Statements 1 to {count} (lines {RunPlanner.Lines(statements.Take(count).Select(s => s.Line))}) ran and stay applied.";

    private static MigrationException Failure(ValidatedMigration migration, int index, PostgresException e, string outcome, bool partly = false, string? hint = null)
    {
        var (line, column) = (0, 0);
        if (index >= 0)
        {
            var statement = migration.Script.Statements[index];
            (line, column) = ServerErrorPosition.InMigration(migration.Script, statement, e.Position);
        }

        return new MigrationException(RunDiagnostics.MigrationFailed(migration.File.FullPath, line, column, migration.File.FileName,
            $"{e.MessageText} (SQLSTATE {e.SqlState}){(e.Detail is { Length: > 0 } detail ? ". " + detail : string.Empty)}", outcome, partly, hint));
    }

    /// <summary>
    /// Which command of the batch failed. Npgsql does not always say (BatchCommand is null after ExecuteNonQuery),
    /// but every command that completed has its statement type set from the server's command tag.
    /// </summary>
    private static int FailedIndex(NpgsqlBatch batch, PostgresException e)
    {
        if (e.BatchCommand is { } failed)
        {
            return batch.BatchCommands.IndexOf(failed);
        }

        for (var i = 0; i < batch.BatchCommands.Count; i++)
        {
            if (batch.BatchCommands[i].StatementType == StatementType.Unknown)
            {
                return i;
            }
        }

        return -1;
    }

    private static async Task SafeRollbackAsync(NpgsqlTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection is broken; the server rolls the transaction back on its own.
        }
    }
}

/// <summary>A migration committed by <see cref="MigrationApplier"/>, and the line that reports it once it is durable.</summary>
internal sealed record AppliedMigration(string Name, string FileName, TimeSpan Took, string Report);
