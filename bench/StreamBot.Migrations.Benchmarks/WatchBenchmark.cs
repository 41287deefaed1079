using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Watching;

namespace StreamBot.Migrations.Benchmarks;

/// <summary>
/// The watch's cost per interval: one read of pg_stat_statements, pg_stat_database and pg_stat_user_tables, on a
/// database whose pg_stat_statements holds QUERIES distinct statements and which has 200 tables. Median and worst of
/// 50 reads, on a server the caller gives (it needs shared_preload_libraries = pg_stat_statements).
/// </summary>
internal static class WatchBenchmark
{
    public static int Run(string serverUrl, int queries)
    {
        var url = BenchProcesses.CreateDatabase(serverUrl, "watch_");
        using var connection = new NpgsqlConnection(ConnectionSettings.Parse(url, "bench", out _)!.ToNpgsql("bench"));
        connection.Open();
        Execute(connection, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        for (var t = 0; t < 200; t++)
        {
            Execute(connection, $"CREATE TABLE t{t} (id int PRIMARY KEY, v int)");
        }

        // Distinct statements: each selects from another table with another column list.
        for (var q = 0; q < queries; q++)
        {
            Execute(connection, $"SELECT id{string.Concat(Enumerable.Repeat(", v", q / 200))} FROM t{q % 200} WHERE id = {q}");
        }

        var times = new List<double>();
        var entries = 0;
        for (var i = 0; i < 51; i++)
        {
            var clock = Stopwatch.StartNew();
            var sample = StatisticsReader.ReadAsync(connection, "drizzle_migrations", CancellationToken.None).GetAwaiter().GetResult();
            if (i > 0)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            entries = sample.Queries?.Count ?? 0;
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"watch read ({entries} statements in pg_stat_statements of the database, 200 tables): median {times[times.Count / 2]:F2} ms, worst {times[^1]:F2} ms over {times.Count} reads"));
        return 0;
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
