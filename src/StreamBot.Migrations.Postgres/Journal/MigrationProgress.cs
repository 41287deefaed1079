using Npgsql;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Postgres.Journal;

/// <summary>
/// How far a migration that runs statement by statement has got. No transaction covers such a migration, so a
/// failure, a killed process or a lost connection can stop it half-way; this row (in <c>{journal}_progress</c>,
/// created the first time it is needed) is written before its first statement and after each one, and deleted in
/// the same transaction as its journal row. A row left behind therefore says exactly which statements are known
/// to have run.
/// </summary>
internal sealed class MigrationProgress(QualifiedName journalTable)
{
    public QualifiedName TableName { get; } = journalTable.WithSuffix("_progress");

    private string Table => TableName.Quoted;

    // The backfill columns came later: read through to_jsonb, a table written by an older version reads as no backfill.
    public static string SelectSql(QualifiedName table) => $"""
        SELECT name, hash, statements_done, statements_total, updated_at, applied_by,
            (to_jsonb(p) ->> 'backfill_statement')::int, (to_jsonb(p) ->> 'backfill_scanned')::bigint, (to_jsonb(p) ->> 'backfill_changed')::bigint,
            (to_jsonb(p) ->> 'backfill_estimate')::bigint, (to_jsonb(p) ->> 'backfill_batches')::int, (to_jsonb(p) ->> 'backfill_started_at')::timestamptz
        FROM {table.Quoted} p ORDER BY name
        """;

    /// <summary>The rows of <see cref="SelectSql"/>'s result.</summary>
    public static async Task<List<ProgressRow>> ReadRowsAsync(NpgsqlDataReader reader, QualifiedName table, CancellationToken cancellation)
    {
        var rows = new List<ProgressRow>();
        try
        {
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                rows.Add(new ProgressRow(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3),
                    reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5))
                {
                    Backfill = reader.IsDBNull(6) || reader.IsDBNull(11) ? null : new BackfillProgress(reader.GetInt32(6), reader.GetInt64(7), reader.GetInt64(8),
                        reader.IsDBNull(9) ? null : reader.GetInt64(9), reader.GetInt32(10), reader.GetFieldValue<DateTimeOffset>(11)),
                });
            }
        }
        catch (InvalidCastException e)
        {
            throw new MigrationException(RunDiagnostics.ProgressTableUnusable(table.ToString(), e.Message.TrimEnd('.')));
        }

        return rows;
    }

    /// <summary>Records that <paramref name="name"/> starts (or resumes) with <paramref name="done"/> statements behind it.</summary>
    public async Task StartAsync(NpgsqlConnection connection, string name, string hash, int done, int total)
    {
        await using (var create = Database.Command(connection, $"""
            CREATE TABLE IF NOT EXISTS {Table} (
                name text PRIMARY KEY,
                hash text NOT NULL,
                statements_done integer NOT NULL,
                statements_total integer NOT NULL,
                started_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                applied_by text NOT NULL
            )
            """))
        {
            await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        // A backfill's cursor: its key range's fixed upper bound and the last key done, as text (the key's own
        // values, kept in the database and never printed), with its counts.
        await using (var columns = Database.Command(connection, $"""
            ALTER TABLE {Table} ADD COLUMN IF NOT EXISTS backfill_statement integer, ADD COLUMN IF NOT EXISTS backfill_upper text[],
                ADD COLUMN IF NOT EXISTS backfill_cursor text[], ADD COLUMN IF NOT EXISTS backfill_scanned bigint,
                ADD COLUMN IF NOT EXISTS backfill_changed bigint, ADD COLUMN IF NOT EXISTS backfill_estimate bigint,
                ADD COLUMN IF NOT EXISTS backfill_batches integer, ADD COLUMN IF NOT EXISTS backfill_started_at timestamptz
            """))
        {
            await columns.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        // Resuming the same file keeps its backfill's cursor; a changed file starts its backfill over.
        await using var upsert = Database.Command(connection, $"""
            INSERT INTO {Table} AS p (name, hash, statements_done, statements_total, applied_by) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (name) DO UPDATE SET hash = EXCLUDED.hash, statements_done = EXCLUDED.statements_done,
                statements_total = EXCLUDED.statements_total, updated_at = now(), applied_by = EXCLUDED.applied_by,
                backfill_statement = CASE WHEN p.hash = EXCLUDED.hash THEN p.backfill_statement END
            """, name, hash, done, total, MigrationJournal.WhoAmI());
        await upsert.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async Task RecordAsync(NpgsqlConnection connection, string name, int done)
    {
        await using var command = Database.Command(connection,
            $"UPDATE {Table} SET statements_done = $2, updated_at = now() WHERE name = $1", name, done);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Records, in the transaction of the phase that ran them, that the statements before <paramref name="done"/> ran.</summary>
    public NpgsqlBatchCommand PhaseDoneCommand(string name, int done) =>
        new($"UPDATE {Table} SET statements_done = $2, updated_at = now(), backfill_statement = NULL, backfill_cursor = NULL, backfill_upper = NULL WHERE name = $1")
        {
            Parameters = { new() { Value = name }, new() { Value = done } },
        };

    /// <summary>The saved state of the backfill at <paramref name="statement"/>, or null when it has not started.</summary>
    public async Task<BackfillCursor?> ReadBackfillAsync(NpgsqlConnection connection, string name, int statement)
    {
        await using var command = Database.Command(connection, $"""
            SELECT backfill_upper, backfill_cursor, backfill_scanned, backfill_changed, backfill_estimate, backfill_batches, backfill_started_at
            FROM {Table} WHERE name = $1 AND backfill_statement = $2
            """, name, statement);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        return await reader.ReadAsync().ConfigureAwait(false)
            ? new BackfillCursor(reader.IsDBNull(0) ? null : reader.GetFieldValue<string[]>(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<string[]>(1),
                reader.GetInt64(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.GetInt32(5), reader.GetFieldValue<DateTimeOffset>(6))
            : null;
    }

    /// <summary>Records that the backfill at <paramref name="statement"/> starts over a key range ending at <paramref name="upper"/> (null: the table is empty).</summary>
    public async Task StartBackfillAsync(NpgsqlConnection connection, string name, int statement, string[]? upper, long? estimate)
    {
        await using var command = Database.Command(connection, $"""
            UPDATE {Table} SET backfill_statement = $2, backfill_upper = $3, backfill_cursor = NULL, backfill_scanned = 0, backfill_changed = 0,
                backfill_estimate = $4, backfill_batches = 0, backfill_started_at = now(), updated_at = now()
            WHERE name = $1
            """, name, statement, upper is null ? DBNull.Value : upper, estimate is null ? DBNull.Value : estimate);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Moves the backfill's cursor past a batch, in that batch's transaction: the batch and its record commit together.</summary>
    public NpgsqlBatchCommand BatchDoneCommand(string name, string[] cursor, long scanned, long changed) =>
        new($"""
            UPDATE {Table} SET backfill_cursor = $2, backfill_scanned = backfill_scanned + $3, backfill_changed = backfill_changed + $4,
                backfill_batches = backfill_batches + 1, updated_at = now()
            WHERE name = $1
            """)
        {
            Parameters = { new() { Value = name }, new() { Value = cursor }, new() { Value = scanned }, new() { Value = changed } },
        };

    /// <summary>Deletes the row, in the same transaction as the migration's journal row. Only sent after a start.</summary>
    public NpgsqlBatchCommand ClearCommand(string name) =>
        new($"DELETE FROM {Table} WHERE name = $1") { Parameters = { new() { Value = name } } };
}


/// <summary>A backfill's saved state: its key range's upper bound and the last key done (both as text, null when none), and its counts.</summary>
internal sealed record BackfillCursor(string[]? Upper, string[]? Last, long Scanned, long Changed, long? Estimate, int Batches, DateTimeOffset StartedAt);
