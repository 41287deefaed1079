using StreamBot.Migrations.Postgres.Telemetry;
using StreamBot.Migrations.Validation;
using Npgsql;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Documentation;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// Rolls back one migration with the SQL its README section documents: the rollback statements, then the verify
/// queries with their expected row counts, then the journal row, all in one transaction. A failed statement or
/// verify query leaves the database exactly as it was.
/// </summary>
internal sealed class MigrationRollback(NpgsqlConnection connection, MigrationJournal journal, LockLease lease, LockWaits waits, string readmePath, IRunLog log, CancellationToken cancellation)
{
    /// <summary>
    /// Rolls back <paramref name="migration"/>. Its statements wait for table locks as a migration's do (the same
    /// lock_timeout, the whole rollback retried when it expires), since they lock the same live tables.
    /// </summary>
    public async Task RollBackAsync(ValidatedMigration migration, string? backup)
    {
        var statements = migration.Doc!.Statements;
        var site = new WaitSite(readmePath, $"rollback of {migration.Name}", $"The rollback of {migration.Name} was not run", waits.LockTimeout(migration),
            WholeTransaction: true, i => (statements[i].Line, statements[i].Column), migration.RollbackLocks);
        await RunTelemetry.TraceMigrationAsync("rollback", migration.Name, statements.Count, transactional: true,
            () => waits.RetryOnLockTimeoutAsync(site, (lockTimeout, _) => RollBackOnceAsync(migration, backup, lockTimeout))).ConfigureAwait(false);
    }

    private async Task RollBackOnceAsync(ValidatedMigration migration, string? backup, TimeSpan lockTimeout)
    {
        var doc = migration.Doc!;
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        try
        {
            // Each rollback starts from the session's state at connection, whatever ran before it.
            await Database.ResetSessionAsync(connection, durableCommits: true, transaction, lease.Fence()).ConfigureAwait(false);

            await ExecuteAsync(LockWaits.Settings(lockTimeout, waits.StatementTimeout(migration), local: true), transaction).ConfigureAwait(false);
        }
        catch (PostgresException e) when (LockLease.IsLost(e))
        {
            throw LockLease.Lost(readmePath, $"{migration.Name} was not rolled back.");
        }

        if (doc.IsRollbackNotRecommended)
        {
            await ForgetAsync(migration, transaction).ConfigureAwait(false);
            await transaction.CommitAsync().ConfigureAwait(false);
            log.Report(RunDiagnostics.ForcedRollback(readmePath, doc.HeadingLine, migration.Name, backup));
            return;
        }

        for (var index = 0; index < doc.Statements.Count; index++)
        {
            var statement = doc.Statements[index];
            try
            {
                if (await RunStepAsync(connection, transaction, statement, cancellation).ConfigureAwait(false) is { } rows && rows != statement.ExpectedRows)
                {
                    await SafeRollbackAsync(transaction).ConfigureAwait(false);
                    throw new MigrationException(RunDiagnostics.VerifyFailed(readmePath, statement.Line, statement.Column, migration.Name, rows, statement.ExpectedRows));
                }
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                await SafeRollbackAsync(transaction).ConfigureAwait(false);
                throw new MigrationException(RunDiagnostics.RollbackCancelled(readmePath, statement.Line, statement.Column, migration.Name));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                await SafeRollbackAsync(transaction).ConfigureAwait(false);
                throw new LockWaits.TimedOut(index);
            }
            catch (PostgresException e)
            {
                await SafeRollbackAsync(transaction).ConfigureAwait(false);
                var (line, column) = ServerErrorPosition.InText(statement.Text, statement.Line, statement.Column, e.Position);
                throw new MigrationException(RunDiagnostics.RollbackFailed(readmePath, line, column, migration.Name, e.MessageText, e.SqlState));
            }
        }

        await ForgetAsync(migration, transaction).ConfigureAwait(false);
        await transaction.CommitAsync().ConfigureAwait(false);
        log.Info($"Rolled back {migration.Name} ({doc.Statements.Count(s => !s.IsVerifyQuery)} statement(s), {doc.Statements.Count(s => s.IsVerifyQuery)} verify query(ies) passed).");
    }

    private static async Task SafeRollbackAsync(NpgsqlTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection is gone (terminated, network); the server rolls the transaction back on its own.
        }
    }

    // Only the README's statements and verify queries are cancellable: the fence and the journal row are quick, and a
    // rollback is either wholly committed or wholly undone.
    // This tool's journal row, and drizzle-orm's row for it when a drizzle-orm journal is kept in step.
    private async Task ForgetAsync(ValidatedMigration migration, NpgsqlTransaction transaction)
    {
        await ExecuteAsync(Database.OwnStatementSettings(), transaction).ConfigureAwait(false);
        await ExecuteAsync(journal.DeleteCommand(migration.Name), transaction).ConfigureAwait(false);
        if (journal.DrizzleDeleteCommand(migration.Name, migration.Hash) is { } drizzleRow)
        {
            await ExecuteAsync(drizzleRow, transaction).ConfigureAwait(false);
        }
    }

    private async Task ExecuteAsync(NpgsqlBatchCommand command, NpgsqlTransaction transaction)
    {
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { command } };
        await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one statement of a README rollback in <paramref name="transaction"/>: a verify query returns how many rows
    /// it found, any other statement null. Shared by rollbacks and their rehearsal, so both run the README alike.
    /// </summary>
    internal static async Task<int?> RunStepAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RollbackStatement statement, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(statement.Text, connection, transaction);
        if (!statement.IsVerifyQuery)
        {
            await command.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
            return null;
        }

        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        var rows = 0;
        while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            rows++;
        }

        return rows;
    }
}
