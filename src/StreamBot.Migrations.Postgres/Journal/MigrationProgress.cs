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

    public static string SelectSql(QualifiedName table) =>
        $"SELECT name, hash, statements_done, statements_total, updated_at, applied_by FROM {table.Quoted} ORDER BY name";

    /// <summary>The rows of <see cref="SelectSql"/>'s result.</summary>
    public static async Task<List<ProgressRow>> ReadRowsAsync(NpgsqlDataReader reader, QualifiedName table, CancellationToken cancellation)
    {
        var rows = new List<ProgressRow>();
        try
        {
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                rows.Add(new ProgressRow(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3),
                    reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5)));
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

        await using var upsert = Database.Command(connection, $"""
            INSERT INTO {Table} (name, hash, statements_done, statements_total, applied_by) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (name) DO UPDATE SET hash = EXCLUDED.hash, statements_done = EXCLUDED.statements_done,
                statements_total = EXCLUDED.statements_total, updated_at = now(), applied_by = EXCLUDED.applied_by
            """, name, hash, done, total, MigrationJournal.WhoAmI());
        await upsert.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async Task RecordAsync(NpgsqlConnection connection, string name, int done)
    {
        await using var command = Database.Command(connection,
            $"UPDATE {Table} SET statements_done = $2, updated_at = now() WHERE name = $1", name, done);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Deletes the row, in the same transaction as the migration's journal row. Only sent after a start.</summary>
    public NpgsqlBatchCommand ClearCommand(string name) =>
        new($"DELETE FROM {Table} WHERE name = $1") { Parameters = { new() { Value = name } } };
}

