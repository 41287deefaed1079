using Npgsql;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Postgres.Schema;
using StreamBot.Migrations.Schema;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Postgres.Journal;

/// <summary>What the live schema has that the snapshot recorded after <paramref name="Migration"/> does not.</summary>
/// <param name="Migration">The last applied migration, whose recorded snapshot was compared.</param>
/// <param name="Changes">Every object that differs (empty: no drift).</param>
/// <param name="Live">The live schema, to record when the drift is accepted.</param>
internal sealed record DriftReading(string Migration, IReadOnlyList<SchemaChange> Changes, SchemaSnapshot Live);


/// <summary>
/// The schema as the migrations left it, kept beside the journal (<c>&lt;journal&gt;_schema</c>): one row per migration
/// that was the last one applied when a run ended, with the canonical snapshot, its SHA-256 and every drift accepted
/// while it was the last (a JSON array, appended to, never rewritten). status compares the live schema with the last
/// applied migration's row and names what changed outside the migrations; up and down refuse to run on top of it.
/// </summary>
internal sealed class SchemaFingerprints(QualifiedName journalTable)
{
    public QualifiedName TableName { get; } = journalTable.WithSuffix("_schema");

    /// <summary>
    /// Records <paramref name="snapshot"/> as the schema after <paramref name="migration"/>, with the drift accepted to
    /// reach it, if any (by the connected role and the operating-system user@host given). Returns false when the role may not create the table (a deploy role with DML grants only):
    /// drift is then not checked, nothing else changes.
    /// </summary>
    public async Task<bool> RecordAsync(NpgsqlConnection connection, string migration, SchemaSnapshot snapshot, (string By, IReadOnlyList<string> Changes)? accepted = null)
    {
        try
        {
            // Tables made by earlier versions get the column in place; a no-op once it is there.
            await using (var create = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new($"""
                        CREATE TABLE IF NOT EXISTS {TableName.Quoted} (
                          migration text PRIMARY KEY, fingerprint text NOT NULL, snapshot text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())
                        """),
                    new($"ALTER TABLE {TableName.Quoted} ADD COLUMN IF NOT EXISTS accepted_drift jsonb NOT NULL DEFAULT '[]'"),
                },
            })
            {
                await create.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            await using var upsert = Database.Command(connection, $"""
                INSERT INTO {TableName.Quoted} AS t (migration, fingerprint, snapshot, accepted_drift)
                VALUES ($1, $2, $3, CASE WHEN $4::text IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object('at', now(), 'by', current_user || ' (' || $4::text || ')', 'changes', to_jsonb($5::text[]))) END)
                ON CONFLICT (migration) DO UPDATE SET fingerprint = excluded.fingerprint, snapshot = excluded.snapshot, recorded_at = now(),
                  accepted_drift = t.accepted_drift || excluded.accepted_drift
                """, migration, snapshot.Fingerprint, snapshot.ToCanonicalText(), (object?)accepted?.By ?? DBNull.Value, accepted?.Changes.ToArray() ?? []);
            await upsert.ExecuteNonQueryAsync().ConfigureAwait(false);
            return true;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege)
        {
            return false;
        }
    }

    /// <summary>
    /// The live schema against the snapshot recorded after <paramref name="lastApplied"/>; null when there is nothing to
    /// compare with (no record, or one an earlier version took: <paramref name="unreadable"/> says which).
    /// </summary>
    public async Task<DriftReading?> CompareAsync(NpgsqlConnection connection, string lastApplied, IReadOnlyCollection<string> toolTables, Action<string> unreadable)
    {
        if (await ReadAsync(connection, lastApplied).ConfigureAwait(false) is not { } recorded)
        {
            return null;
        }

        var live = await SchemaReader.ReadAsync(connection, toolTables).ConfigureAwait(false);
        if (recorded.Format != live.Format)
        {
            unreadable($"The schema recorded after {lastApplied} was taken by an earlier version of streambot-migrate, which read fewer kinds of object: "
                + "drift since then cannot be told. The next up or down records a complete snapshot.");
            return null;
        }

        return new DriftReading(lastApplied, SchemaDiff.Compare(recorded, live), live);
    }

    /// <summary>Every drift accepted so far, oldest first (none when the table or its column does not exist yet).</summary>
    public async Task<IReadOnlyList<AcceptedDrift>> AcceptedAsync(NpgsqlConnection connection)
    {
        if (!await ExistsAsync(connection).ConfigureAwait(false))
        {
            return [];
        }

        // to_jsonb(row) reads a table made before the column existed without failing.
        await using var read = Database.Command(connection, $"""
            SELECT s.migration, (e ->> 'at')::timestamptz, e ->> 'by', ARRAY(SELECT jsonb_array_elements_text(e -> 'changes'))
            FROM {TableName.Quoted} s, jsonb_array_elements(coalesce(to_jsonb(s) -> 'accepted_drift', '[]')) e
            ORDER BY 2
            """);
        var accepted = new List<AcceptedDrift>();
        await using var reader = await read.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            accepted.Add(new AcceptedDrift(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetFieldValue<string[]>(3)));
        }

        return accepted;
    }

    private async Task<SchemaSnapshot?> ReadAsync(NpgsqlConnection connection, string migration)
    {
        if (!await ExistsAsync(connection).ConfigureAwait(false))
        {
            return null;
        }

        await using var read = Database.Command(connection, $"SELECT snapshot FROM {TableName.Quoted} WHERE migration = $1", migration);
        return await read.ExecuteScalarAsync().ConfigureAwait(false) is string text ? SchemaSnapshot.Parse(text) : null;
    }

    private async Task<bool> ExistsAsync(NpgsqlConnection connection)
    {
        await using var exists = Database.Command(connection, "SELECT to_regclass($1) IS NOT NULL", TableName.Quoted);
        return (bool)(await exists.ExecuteScalarAsync().ConfigureAwait(false))!;
    }
}
