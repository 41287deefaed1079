using System.Diagnostics;
using Npgsql;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// Applies one migration. A transactional migration goes to the server as one batch (every statement plus its
/// journal row, in one round trip) inside one transaction, so it is applied wholly or not at all. A migration with
/// statements PostgreSQL refuses in a transaction runs statement by statement, its journal row written last.
/// </summary>
internal sealed class MigrationApplier(NpgsqlConnection connection, MigrationJournal journal, LockLease lease, RunOptions options, IRunLog log)
{
    public async Task<TimeSpan> ApplyAsync(LoadedMigration migration)
    {
        var clock = Stopwatch.StartNew();
        await using (new StatementProgress(migration, connection.ProcessID, lease, options.ProgressInterval, log))
        {
            if (migration.IsTransactional)
            {
                await ApplyInTransactionAsync(migration).ConfigureAwait(false);
            }
            else
            {
                await ApplyStatementByStatementAsync(migration, clock).ConfigureAwait(false);
            }
        }

        log.Info($"Applied {migration.File.FileName} ({migration.Script.Statements.Count} statement(s), {MigrationRunner.Ms(clock.Elapsed)}).");
        return clock.Elapsed;
    }

    private async Task ApplyInTransactionAsync(LoadedMigration migration)
    {
        var statements = migration.Script.Statements;
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var statement in statements)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(migration.Script.GetText(statement)));
        }

        batch.BatchCommands.Add(journal.InsertCommand(migration.Name, migration.Hash, executionMs: null));
        try
        {
            await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
            await transaction.CommitAsync().ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            await SafeRollbackAsync(transaction).ConfigureAwait(false);
            var index = FailedIndex(batch, e);
            throw Failure(migration, index < statements.Count ? index : -1, e,
                "The whole migration was rolled back: nothing of it is applied.");
        }
    }

    private async Task ApplyStatementByStatementAsync(LoadedMigration migration, Stopwatch clock)
    {
        log.Report(DiagnosticCatalog.RunsWithoutTransaction.At(migration.File.FullPath, 1, 1,
            $"{migration.File.FileName} holds statements PostgreSQL refuses in a transaction ({string.Join(", ", migration.Script.Statements.Where(s => !s.IsTransactional).Select(s => s.NonTransactionalReason).Distinct())}); it runs statement by statement without one.",
            "If it fails half-way, the statements that ran stay applied; the error lists them."));
        var statements = migration.Script.Statements;
        for (var i = 0; i < statements.Count; i++)
        {
            await using var command = new NpgsqlCommand(migration.Script.GetText(statements[i]), connection);
            try
            {
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                var ran = i == 0
                    ? "No statement of it ran before the failure."
                    : $"Statements 1 to {i} (lines {string.Join(", ", statements.Take(i).Select(s => s.Line))}) ran and stay applied; statement {i + 1} failed and the rest did not run; the migration is not in the journal.";
                throw Failure(migration, i, e, ran, DiagnosticCatalog.PartiallyApplied,
                    "Fix the cause, then undo or keep what ran (a failed CREATE INDEX CONCURRENTLY leaves an INVALID index: DROP INDEX it) and run up again; IF NOT EXISTS / IF EXISTS make such statements safe to re-run.");
            }
        }

        await using var journalBatch = new NpgsqlBatch(connection) { BatchCommands = { journal.InsertCommand(migration.Name, migration.Hash, (int)clock.ElapsedMilliseconds) } };
        await journalBatch.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static MigrationException Failure(LoadedMigration migration, int index, PostgresException e, string outcome, DiagnosticDescriptor? descriptor = null, string? hint = null)
    {
        var (line, column) = (0, 0);
        if (index >= 0)
        {
            var statement = migration.Script.Statements[index];
            // The server's position is a 1-based character offset into the statement text as sent.
            (line, column) = e.Position > 0 ? migration.Script.Locate(statement, e.Position - 1) : (statement.Line, statement.Column);
        }

        return new MigrationException((descriptor ?? DiagnosticCatalog.MigrationFailed).At(migration.File.FullPath, line, column,
            $"{migration.File.FileName} failed: {e.MessageText} (SQLSTATE {e.SqlState}){(e.Detail is { Length: > 0 } detail ? ". " + detail : string.Empty)}. {outcome}",
            hint ?? "Fix the statement (or the data it trips over) and run up again."));
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
        catch (NpgsqlException)
        {
            // The connection is broken; the server rolls the transaction back on its own.
        }
    }
}
