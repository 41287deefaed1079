using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Backfills;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Backfills;

/// <summary>Where a backfill keeps its cursor between batches: the migration's progress row (null in the rehearsal, which keeps it in memory).</summary>
internal sealed record BackfillStore(MigrationProgress Progress, string Migration);

/// <summary>What a backfill did in this run.</summary>
/// <param name="Scanned">Rows of the key range walked (all runs together).</param>
/// <param name="Changed">Rows changed or inserted (all runs together).</param>
/// <param name="Batches">Batches committed (all runs together).</param>
/// <param name="Took">This run's time on it, pauses included.</param>
/// <param name="LongestBatch">This run's longest batch, from its first statement to its commit.</param>
/// <param name="Paused">This run's time paused by the throttle.</param>
internal sealed record BackfillOutcome(long Scanned, long Changed, int Batches, TimeSpan Took, TimeSpan LongestBatch, TimeSpan Paused);

/// <summary>
/// Runs one backfill statement in batches over its table's key. The key range's upper bound is fixed when the
/// backfill starts (rows inserted later are the new code's to write), and each batch is its own short transaction:
/// the migration's statement restricted to the keys after the cursor, up to the batch's end, committed together with
/// the cursor moved past it. A stop at any point (a kill, a lost connection, the budget) leaves the cursor exactly at
/// the last committed batch, so the next run changes every row exactly once. Between batches the throttle reads the
/// database's health and pauses, logging why; the batch size follows <see cref="BatchSizer"/>.
/// </summary>
internal sealed class BackfillRunner(NpgsqlConnection connection, int[] ownPids, BackfillOptions options, LockPolicy locking, IRunLog log, CancellationToken cancellation)
{
    // Sessions waiting on a lock this session holds (the batch's row locks), counted just before its commit.
    private const string WaitersSql = """
        SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND pg_backend_pid() = ANY (pg_blocking_pids(pid))
        """;

    private readonly Random _jitter = new();

    /// <param name="migration">The migration the statement belongs to.</param>
    /// <param name="backfill">The statement.</param>
    /// <param name="store">Where the cursor is saved; null keeps it in memory (the rehearsal).</param>
    /// <param name="lease">The migration lock, fenced in every batch's transaction; null in the rehearsal.</param>
    /// <param name="budget">The run's time on backfills so far (the budget covers every backfill of the run).</param>
    public async Task<BackfillOutcome> RunAsync(ValidatedMigration migration, Backfill backfill, BackfillStore? store, LockLease? lease, Stopwatch budget)
    {
        var clock = Stopwatch.StartNew();
        var path = migration.File.FullPath;
        var key = await BackfillKey.ReadAsync(connection, migration, backfill, beforeAnything: false, cancellation).ConfigureAwait(false)
            ?? throw new MigrationException(BackfillDiagnostics.KeyUnusable(path, backfill.Line, backfill.Column, backfill.TableName, "the table does not exist",
                "The statements before it stay applied; the migration is not in the journal."));
        var saved = store is null ? null : await store.Progress.ReadBackfillAsync(connection, store.Migration, backfill.Statement).ConfigureAwait(false);
        var state = saved ?? new BackfillCursor(await UpperAsync(key).ConfigureAwait(false), null, 0, 0, await EstimateAsync(key).ConfigureAwait(false), 0, DateTimeOffset.UtcNow);
        var where = $"{migration.File.FileName} line {backfill.Line}";
        if (saved is null && store is not null)
        {
            await store.Progress.StartBackfillAsync(connection, store.Migration, backfill.Statement, state.Upper, state.Estimate).ConfigureAwait(false);
        }

        if (state.Upper is null)
        {
            log.Info($"  Backfill over {backfill.TableName} ({where}): the table was empty when it started; nothing to do.");
            return new BackfillOutcome(0, 0, 0, clock.Elapsed, TimeSpan.Zero, TimeSpan.Zero);
        }

        log.Info(saved is null
            ? $"  Backfill over {backfill.TableName} ({where}): {(state.Estimate is { } n ? $"about {n:N0} rows" : "rows not yet counted by ANALYZE")}, in batches of {options.Sizing.MinRows:N0} to {options.Sizing.MaxRows:N0} rows aiming at {LockPolicy.Describe(options.Sizing.Target)} each, over ({string.Join(", ", key.Columns)}) up to its last key now."
            : $"  Backfill over {backfill.TableName} ({where}): continuing from its saved cursor, {new Planning.BackfillProgress(backfill.Statement, state.Scanned, state.Changed, state.Estimate, state.Batches, state.StartedAt)} so far.");

        var health = new HealthReader(connection, ownPids, key.Oid);
        var sizer = new BatchSizer(options.Sizing);
        var progress = new ProgressLine(backfill.TableName, state.Estimate, state.Scanned, options.ReportEvery, log);
        var longest = TimeSpan.Zero;
        var paused = TimeSpan.Zero;
        var hiddenSaid = false;
        var lockTimeout = migration.Settings.LockTimeout ?? locking.LockTimeout;
        var statementTimeout = migration.Settings.StatementTimeout ?? locking.StatementTimeout;
        while (true)
        {
            if (cancellation.IsCancellationRequested)
            {
                throw new MigrationException(RunDiagnostics.UpCancelled(path,
                    $"the backfill over {backfill.TableName} in {migration.File.FileName} stopped between batches ({Done(state)}); every committed batch is recorded.",
                    "Run up again when ready: the backfill continues from its saved cursor, and no row is changed twice."));
            }

            if (options.Budget > TimeSpan.Zero && budget.Elapsed >= options.Budget)
            {
                throw new MigrationException(BackfillDiagnostics.OutOfTime(path, backfill.Line, backfill.Column, migration.File.FileName, backfill.TableName, options.Budget, Done(state)));
            }

            var held = await WaitForHealthAsync(health, backfill, budget).ConfigureAwait(false);
            paused += held;
            if (held > TimeSpan.Zero)
            {
                // A long pause may have used the budget or met Ctrl-C: look again before the next batch.
                continue;
            }

            if (health.StandbysHidden && !hiddenSaid)
            {
                log.Info("  The standbys' replay positions are hidden from this role (grant it pg_monitor): replica lag does not pause this backfill.");
                hiddenSaid = true;
            }

            var (rows, changed, took, end, waiters) = await BatchWithRetriesAsync(migration, backfill, key, state, sizer, store, lease, lockTimeout, statementTimeout, path).ConfigureAwait(false);
            if (end is null)
            {
                break;
            }

            state = state with { Last = end, Scanned = state.Scanned + rows, Changed = state.Changed + changed, Batches = state.Batches + 1 };
            longest = took > longest ? took : longest;
            sizer.Completed(rows, took);
            if (waiters >= options.Throttle.LockWaiters)
            {
                sizer.Shrink();
                log.Info($"  Backfill over {backfill.TableName}: {waiters} session(s) waited on the last batch's row locks (shrinks at {options.Throttle.LockWaiters}); the next batch is {sizer.Size:N0} rows.");
            }

            progress.Update(state.Scanned, state.Changed, sizer.Size);
            if (options.Sleep > TimeSpan.Zero)
            {
                await Task.Delay(options.Sleep, cancellation).ConfigureAwait(false);
            }
        }

        var rate = clock.Elapsed.TotalSeconds > 0 ? state.Scanned / clock.Elapsed.TotalSeconds : 0;
        log.Info(string.Create(CultureInfo.InvariantCulture,
            $"  Backfill over {backfill.TableName} done: {Done(state)}; this run {DeployDiagnostics.Duration(clock.Elapsed)} ({rate:N0} rows/s), longest batch {DeployDiagnostics.Duration(longest)}{(paused > TimeSpan.Zero ? $", paused {DeployDiagnostics.Duration(paused)}" : string.Empty)}."));
        return new BackfillOutcome(state.Scanned, state.Changed, state.Batches, clock.Elapsed, longest, paused);
    }

    private static string Done(BackfillCursor state) => string.Create(CultureInfo.InvariantCulture,
        $"{state.Scanned:N0} row(s) walked, {state.Changed:N0} changed, in {state.Batches} batch(es)");

    // Polls the health until nothing holds the backfill back; each pause is logged with its reason once, and its end.
    private async Task<TimeSpan> WaitForHealthAsync(HealthReader health, Backfill backfill, Stopwatch budget)
    {
        var started = Stopwatch.StartNew();
        string? holding = null;
        while (options.Throttle.Hold(await health.ReadAsync(cancellation).ConfigureAwait(false), paused: holding is not null) is { } reason)
        {
            if (holding is null || !SameSignal(holding, reason))
            {
                log.Info($"  Backfill over {backfill.TableName} paused: {reason}.");
            }

            holding = reason;
            if (cancellation.IsCancellationRequested || (options.Budget > TimeSpan.Zero && budget.Elapsed >= options.Budget))
            {
                return started.Elapsed;
            }

            await Task.Delay(options.PollInterval, cancellation).ConfigureAwait(false);
        }

        if (holding is not null)
        {
            log.Info($"  Backfill over {backfill.TableName} resumed after {DeployDiagnostics.Duration(started.Elapsed)}.");
        }

        return holding is null ? TimeSpan.Zero : started.Elapsed;
    }

    // A reason names its signal before the first number: a standby's name, "a transaction", "autovacuum".
    private static bool SameSignal(string a, string b) => a.Split(' ', 3).AsSpan(0, 2).SequenceEqual(b.Split(' ', 3).AsSpan(0, 2));

    /// <summary>
    /// One batch, tried again smaller (after the lock policy's jittered backoff) when it meets lock_timeout or
    /// statement_timeout; end is null when the key range is done.
    /// </summary>
    private async Task<(int Rows, long Changed, TimeSpan Took, string[]? End, long Waiters)> BatchWithRetriesAsync(ValidatedMigration migration, Backfill backfill, BackfillKey key,
        BackfillCursor state, BatchSizer sizer, BackfillStore? store, LockLease? lease, TimeSpan lockTimeout, TimeSpan? statementTimeout, string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await BoundsAsync(key, state, sizer.Size).ConfigureAwait(false) is not { } bounds)
            {
                return (0, 0, TimeSpan.Zero, null, 0);
            }

            var timeout = locking.LockTimeoutOf(attempt, lockTimeout);
            try
            {
                var (changed, took, waiters) = await BatchAsync(migration, backfill, key, state, bounds, store, lease, timeout, statementTimeout).ConfigureAwait(false);
                return (bounds.Rows, changed, took, bounds.End, waiters);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled && !cancellation.IsCancellationRequested)
            {
                var what = e.SqlState == PostgresErrorCodes.LockNotAvailable ? $"lock_timeout ({LockPolicy.Describe(timeout)})" : "statement_timeout";
                if (attempt >= locking.MaxAttempts)
                {
                    throw new MigrationException(RunDiagnostics.MigrationFailed(path, backfill.Line, backfill.Column, migration.File.FileName,
                        $"a batch of the backfill over {backfill.TableName} met {what} {attempt} times, the last at {sizer.Size:N0} rows", $"The batches before it are committed: {Done(state)}.", partly: true,
                        "Find what holds the table's rows (status shows blockers), then run up again: the backfill continues from its saved cursor."));
                }

                sizer.Shrink();
                var backoff = locking.Backoff(attempt, _jitter);
                log.Info($"  Backfill over {backfill.TableName}: a batch met {what} and was rolled back; retrying with {sizer.Size:N0} rows in {LockPolicy.Describe(backoff)} (attempt {attempt + 1} of {locking.MaxAttempts}).");
                await Task.Delay(backoff, cancellation).ConfigureAwait(false);
            }
        }
    }

    private async Task<(long Changed, TimeSpan Took, long Waiters)> BatchAsync(ValidatedMigration migration, Backfill backfill, BackfillKey key, BackfillCursor state,
        (int Rows, string[] End) bounds, BackfillStore? store, LockLease? lease, TimeSpan lockTimeout, TimeSpan? statementTimeout)
    {
        var clock = Stopwatch.StartNew();
        var hasLower = state.Last is not null;
        await using var transaction = await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(LockWaits.Settings(lockTimeout, statementTimeout, local: true));
        var fenceAt = -1;
        if (lease is not null)
        {
            fenceAt = batch.BatchCommands.Count;
            batch.BatchCommands.Add(lease.Fence());
        }

        var statement = new NpgsqlBatchCommand(backfill.BatchSql(key.Columns, key.Types, hasLower));
        foreach (var value in (hasLower ? state.Last! : []).Concat(bounds.End))
        {
            statement.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        batch.BatchCommands.Add(statement);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(WaitersSql));
        long waiters;
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
            // The settings and the fence return a row each, the statement none (RETURNING is refused); the waiters' count is the last row.
            object last = 0L;
            do
            {
                last = await reader.ReadAsync(cancellation).ConfigureAwait(false) ? reader.GetValue(0) : last;
            }
            while (await reader.NextResultAsync(cancellation).ConfigureAwait(false));
            waiters = Convert.ToInt64(last, CultureInfo.InvariantCulture);
        }
        catch (PostgresException e) when (fenceAt >= 0 && LockLease.IsLost(e) && e.BatchCommand == batch.BatchCommands[fenceAt])
        {
            throw LockLease.Lost(migration.File.FullPath, $"The backfill over {backfill.TableName} stopped before a batch; {Done(state)} are committed and recorded.");
        }

        if (store is not null)
        {
            await using var record = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands = { Database.OwnStatementSettings(), store.Progress.BatchDoneCommand(store.Migration, bounds.End, bounds.Rows, statement.RecordsAffected) },
            };
            await record.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
        }

        // COMMIT is not cancelled: a batch is committed with its cursor or not at all.
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return (statement.RecordsAffected, clock.Elapsed, waiters);
    }

    // (count of keys, last key) of the next batch: at most size keys after the cursor, none above the fixed upper bound.
    private async Task<(int Rows, string[] End)?> BoundsAsync(BackfillKey key, BackfillCursor state, int size)
    {
        var hasLower = state.Last is not null;
        var columns = string.Join(", ", key.Columns.Select(Backfill.Quote));
        var descending = string.Join(", ", key.Columns.Select(c => Backfill.Quote(c) + " DESC"));
        // Aliased: ORDER BY a name would otherwise sort by the text output column of that name, not the key.
        var asText = string.Join(", ", key.Columns.Select((c, i) => $"{Backfill.Quote(c)}::text AS key_{i}"));
        var sql = $"""
            SELECT count(*) OVER (), {asText} FROM (
                SELECT {columns} FROM {key.Table} WHERE {Backfill.KeyRange(string.Empty, key.Columns, key.Types, hasLower)}
                ORDER BY {columns} LIMIT {size.ToString(CultureInfo.InvariantCulture)}) batch
            ORDER BY {descending} LIMIT 1
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in (hasLower ? state.Last! : []).Concat(state.Upper!))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            return null;
        }

        return ((int)reader.GetInt64(0), Enumerable.Range(1, key.Columns.Count).Select(reader.GetString).ToArray());
    }

    private async Task<string[]?> UpperAsync(BackfillKey key)
    {
        var descending = string.Join(", ", key.Columns.Select(c => Backfill.Quote(c) + " DESC"));
        var asText = string.Join(", ", key.Columns.Select((c, i) => $"{Backfill.Quote(c)}::text AS key_{i}"));
        await using var command = new NpgsqlCommand($"SELECT {asText} FROM {key.Table} ORDER BY {descending} LIMIT 1", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        return await reader.ReadAsync(cancellation).ConfigureAwait(false) ? Enumerable.Range(0, key.Columns.Count).Select(reader.GetString).ToArray() : null;
    }

    private async Task<long?> EstimateAsync(BackfillKey key)
    {
        await using var command = Database.Command(connection, "SELECT reltuples::bigint FROM pg_class WHERE oid = $1::oid", (long)key.Oid);
        return await command.ExecuteScalarAsync(cancellation).ConfigureAwait(false) is long rows and >= 0 ? rows : null;
    }

    /// <summary>
    /// Shows progress every few seconds: rows walked of the estimate, changed, rate, batch size and the time left at
    /// the current rate. A terminal gets one line redrawn in place (<see cref="IRunLog.Progress"/>); a log, a line each time.
    /// </summary>
    private sealed class ProgressLine(string table, long? estimate, long startScanned, TimeSpan every, IRunLog log)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _last;

        public void Update(long scanned, long changed, int batch)
        {
            if (_clock.Elapsed - _last < every)
            {
                return;
            }

            _last = _clock.Elapsed;
            var rate = (scanned - startScanned) / _clock.Elapsed.TotalSeconds;
            var share = estimate is { } total and > 0 ? string.Create(CultureInfo.InvariantCulture, $" of ~{total:N0} ({Math.Min(100, 100.0 * scanned / total):0}%)") : string.Empty;
            var left = estimate is { } all && rate > 0 && all > scanned ? $", about {DeployDiagnostics.Duration(TimeSpan.FromSeconds((all - scanned) / rate))} left" : string.Empty;
            log.Progress(string.Create(CultureInfo.InvariantCulture,
                $"  {table}: {scanned:N0}{share} rows walked, {changed:N0} changed, {rate:N0} rows/s, batches of {batch:N0}{left}"),
                estimate is { } rows and > 0 ? (double)scanned / rows : null);
        }
    }
}
