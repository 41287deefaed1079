using System.Globalization;
using System.Text.Json;
using Npgsql;
using StreamBot.Migrations.Postgres.Schema;
using StreamBot.Migrations.Schema;

namespace StreamBot.Migrations.Postgres.Backup;

/// <summary>
/// What a backup holds, recorded beside it (<c>{backup}.manifest.json</c>, owner-readable only) from the same snapshot
/// pg_dump read: the schema (the drift check's canonical snapshot) and each table's exact row count. No row data.
/// <c>verify-backup</c> restores the backup and compares against it.
/// </summary>
/// <param name="Backup">The backup's file name.</param>
/// <param name="TakenAt">When the snapshot was taken.</param>
/// <param name="Database">Host and database name, never credentials.</param>
/// <param name="Schema">The schema in the snapshot.</param>
/// <param name="Rows">Each table's rows (schema-qualified name), the tables whose data pg_dump leaves out excepted.</param>
internal sealed record BackupManifest(string Backup, DateTimeOffset TakenAt, string Database, SchemaSnapshot Schema, IReadOnlyDictionary<string, long> Rows)
{
    private const int Format = 1;

    /// <summary>Tables whose data the dump leaves out: the lock row is this run's, not the database's.</summary>
    public static readonly IReadOnlyList<string> DataExcluded = ["public.migration_lock"];

    // Every ordinary table outside the system schemas, as pg_dump sees them.
    private const string TablesSql = """
        SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
        ORDER BY 1
        """;

    public static string PathFor(string backup) => backup + ".manifest.json";

    /// <summary>Reads the schema and counts every table's rows in <paramref name="transaction"/> (the dump's snapshot).</summary>
    public static async Task<BackupManifest> TakeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string backup, string database,
        IReadOnlyCollection<string> toolTables, CancellationToken cancellation)
    {
        var schema = await SchemaReader.ReadAsync(connection, toolTables, transaction).ConfigureAwait(false);
        return new BackupManifest(Path.GetFileName(backup), DateTimeOffset.UtcNow, database, schema, await CountRowsAsync(connection, transaction, cancellation).ConfigureAwait(false));
    }

    /// <summary>Each table's exact row count (in <paramref name="transaction"/> when given).</summary>
    public static async Task<Dictionary<string, long>> CountRowsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellation)
    {
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(TablesSql, connection, transaction))
        await using (var reader = await list.ExecuteReaderAsync(cancellation).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                tables.Add(reader.GetString(0));
            }
        }

        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables.Where(t => !DataExcluded.Contains(t)))
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection, transaction);
            rows[table] = (long)(await count.ExecuteScalarAsync(cancellation).ConfigureAwait(false))!;
        }

        return rows;
    }

    public void Write(string backup)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("format", Format);
            json.WriteString("backup", Backup);
            json.WriteString("takenAt", TakenAt.UtcDateTime.ToString("o", CultureInfo.InvariantCulture));
            json.WriteString("database", Database);
            json.WriteStartObject("rows");
            foreach (var (table, count) in Rows.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                json.WriteNumber(table, count);
            }

            json.WriteEndObject();
            json.WriteString("schema", Schema.ToCanonicalText());
            json.WriteEndObject();
        }

        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(PathFor(backup), options);
        file.Write(buffer.ToArray());
    }

    /// <summary>The manifest beside <paramref name="backup"/>; null when there is none; <paramref name="problem"/> when it cannot be read.</summary>
    public static BackupManifest? Read(string backup, out string? problem)
    {
        problem = null;
        var path = PathFor(backup);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.GetProperty("format").GetInt32() != Format)
            {
                problem = $"{Path.GetFileName(path)} is of another format ({root.GetProperty("format").GetInt32()})";
                return null;
            }

            var rows = root.GetProperty("rows").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal);
            return new BackupManifest(root.GetProperty("backup").GetString()!, DateTimeOffset.Parse(root.GetProperty("takenAt").GetString()!, CultureInfo.InvariantCulture),
                root.GetProperty("database").GetString()!, SchemaSnapshot.Parse(root.GetProperty("schema").GetString()!), rows);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            problem = $"{Path.GetFileName(path)} cannot be read ({e.Message.TrimEnd('.')})";
            return null;
        }
    }
}
