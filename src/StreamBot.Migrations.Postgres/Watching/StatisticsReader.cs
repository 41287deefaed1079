using Npgsql;
using StreamBot.Migrations.Postgres.Rehearsal;
using StreamBot.Migrations.Watching;

namespace StreamBot.Migrations.Postgres.Watching;

/// <summary>
/// Reads the statistics the watch compares, in one round trip of plain SELECTs on the statistics views (no lock beyond
/// what they take themselves; a short statement_timeout): pg_stat_statements of this database (the app's statements,
/// not this tool's), pg_stat_database and pg_stat_user_tables.
/// </summary>
internal static class StatisticsReader
{
    private const string QueriesSql = """
        SELECT queryid::text, query, calls, total_exec_time, rows FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) AND toplevel AND queryid IS NOT NULL
        """;

    private const string DatabaseSql = "SELECT deadlocks, xact_commit, xact_rollback, conflicts FROM pg_stat_database WHERE datname = current_database()";

    private const string TablesSql = "SELECT format('%I.%I', schemaname, relname), coalesce(seq_scan, 0), coalesce(idx_scan, 0) FROM pg_stat_user_tables";

    public static async Task<StatisticsSample> ReadAsync(NpgsqlConnection connection, string journalTable, CancellationToken cancellation)
    {
        Dictionary<string, QueryFigures>? queries = null;
        string? unavailable = null;
        try
        {
            await using var command = new NpgsqlCommand("SET statement_timeout = '5s'", connection);
            await command.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
            queries = [];
            await using var read = new NpgsqlCommand(QueriesSql, connection);
            await using var reader = await read.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                var text = reader.GetString(1);
                if (AppQueries.IsTheApps(text, journalTable))
                {
                    queries[reader.GetString(0)] = new QueryFigures(reader.GetString(0), text, reader.GetInt64(2), reader.GetDouble(3), reader.GetInt64(4));
                }
            }
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.ObjectNotInPrerequisiteState or PostgresErrorCodes.InsufficientPrivilege)
        {
            queries = null;
            unavailable = e.SqlState == PostgresErrorCodes.UndefinedTable
                ? $"pg_stat_statements is not installed in {connection.Database} (CREATE EXTENSION pg_stat_statements, with shared_preload_libraries = 'pg_stat_statements')"
                : $"pg_stat_statements cannot be read ({e.MessageText})";
        }

        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { new(DatabaseSql), new(TablesSql) } };
        await using var stats = await batch.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        await stats.ReadAsync(cancellation).ConfigureAwait(false);
        var (deadlocks, commits, rollbacks, conflicts) = (stats.GetInt64(0), stats.GetInt64(1), stats.GetInt64(2), stats.GetInt64(3));
        await stats.NextResultAsync(cancellation).ConfigureAwait(false);
        var tables = new Dictionary<string, TableScans>(StringComparer.Ordinal);
        while (await stats.ReadAsync(cancellation).ConfigureAwait(false))
        {
            tables[stats.GetString(0)] = new TableScans(stats.GetString(0), stats.GetInt64(1), stats.GetInt64(2));
        }

        return new StatisticsSample(queries, deadlocks, commits, rollbacks, conflicts, tables) { QueriesUnavailable = unavailable };
    }
}
