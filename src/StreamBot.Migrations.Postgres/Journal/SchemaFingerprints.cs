using Npgsql;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Schema;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Postgres.Journal;

/// <summary>
/// The schema as the migrations left it, kept beside the journal (<c>&lt;journal&gt;_schema</c>): one row per migration
/// that was the last one applied when a run ended, with the canonical snapshot and its SHA-256. status compares the
/// live schema with the last applied migration's row and names what changed outside the migrations.
/// </summary>
internal sealed class SchemaFingerprints(QualifiedName journalTable)
{
    public QualifiedName TableName { get; } = journalTable.WithSuffix("_schema");

    /// <summary>
    /// Records <paramref name="snapshot"/> as the schema after <paramref name="migration"/>. Returns false when the role
    /// may not create the table (a deploy role with DML grants only): drift is then not checked, nothing else changes.
    /// </summary>
    public async Task<bool> RecordAsync(NpgsqlConnection connection, string migration, SchemaSnapshot snapshot)
    {
        try
        {
            await using (var create = Database.Command(connection, $"""
                CREATE TABLE IF NOT EXISTS {TableName.Quoted} (
                  migration text PRIMARY KEY, fingerprint text NOT NULL, snapshot text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())
                """))
            {
                await create.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            await using var upsert = Database.Command(connection, $"""
                INSERT INTO {TableName.Quoted} (migration, fingerprint, snapshot) VALUES ($1, $2, $3)
                ON CONFLICT (migration) DO UPDATE SET fingerprint = excluded.fingerprint, snapshot = excluded.snapshot, recorded_at = now()
                """, migration, snapshot.Fingerprint, snapshot.ToCanonicalText());
            await upsert.ExecuteNonQueryAsync().ConfigureAwait(false);
            return true;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege)
        {
            return false;
        }
    }

    /// <summary>The snapshot recorded after <paramref name="migration"/>, or null when none was.</summary>
    public async Task<SchemaSnapshot?> ReadAsync(NpgsqlConnection connection, string migration)
    {
        await using (var exists = Database.Command(connection, "SELECT to_regclass($1) IS NOT NULL", TableName.Quoted))
        {
            if (!(bool)(await exists.ExecuteScalarAsync().ConfigureAwait(false))!)
            {
                return null;
            }
        }

        await using var read = Database.Command(connection, $"SELECT snapshot FROM {TableName.Quoted} WHERE migration = $1", migration);
        return await read.ExecuteScalarAsync().ConfigureAwait(false) is string text ? SchemaSnapshot.Parse(text) : null;
    }
}
