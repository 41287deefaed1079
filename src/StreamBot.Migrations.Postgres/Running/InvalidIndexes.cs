using Npgsql;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// Indexes PostgreSQL marks INVALID: what a CREATE INDEX CONCURRENTLY leaves behind when it fails or its session
/// dies. Queries never use one, writes still maintain it, and CREATE INDEX CONCURRENTLY IF NOT EXISTS would keep it.
/// An index some session is still building is also INVALID until it finishes, so those are left out.
/// </summary>
internal static class InvalidIndexes
{
    private const string Leftover = """
        NOT i.indisvalid
        AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p
                        WHERE p.index_relid = i.indexrelid AND p.datid = (SELECT oid FROM pg_database WHERE datname = current_database()))
        """;

    /// <summary>Every leftover INVALID index, schema-qualified and quoted as SQL needs it.</summary>
    public static async Task<List<string>> FindAsync(NpgsqlConnection connection)
    {
        await using var command = Database.Command(connection, $"""
            SELECT format('%I.%I', n.nspname, c.relname)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {Leftover}
            ORDER BY 1
            """);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>
    /// If <paramref name="statement"/> is a CREATE INDEX CONCURRENTLY whose index exists and is a leftover INVALID
    /// one, drops it so the statement can build it again; returns the dropped index's name. Only called when resuming
    /// the interrupted migration that holds the statement, under the migration lock, so the index is that
    /// statement's own remains.
    /// </summary>
    public static async Task<string?> DropLeftoverOfAsync(NpgsqlConnection connection, SqlScript script, SqlStatement statement)
    {
        if (CreateIndexConcurrently.Read(script, statement) is not { } index)
        {
            return null;
        }

        // An index lives in its table's schema; the name is compared the way PostgreSQL folds identifiers.
        await using var find = Database.Command(connection, $"""
            SELECT format('%I.%I', n.nspname, c.relname)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relname = $1 AND i.indrelid = to_regclass($2) AND {Leftover}
            """, index.IndexName, index.Table);
        if (await find.ExecuteScalarAsync().ConfigureAwait(false) is not string name)
        {
            return null;
        }

        await using var drop = Database.Command(connection, $"DROP INDEX CONCURRENTLY IF EXISTS {name}");
        await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
        return name;
    }
}
