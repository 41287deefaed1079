using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Preflight;
using StreamBot.Migrations.Postgres.Rehearsal;
using StreamBot.Migrations.Preflight;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Benchmarks;

/// <summary>
/// What the deploy checks cost on a real server: each data check of a pending migration on a table of ROWS rows
/// (1,000,000 by default), first without and then with an index its key can use, and the whole preflight as up runs
/// it; then the rehearsal's compatibility check, per query prepared. The median of five rounds each. Counts run on
/// the server, so a timed script rather than a BenchmarkDotNet job (README.md, "Benchmarks").
/// </summary>
internal static class PreflightBenchmark
{
    private const int Rounds = 5;

    public static int Run(string serverUrl, int rows)
    {
        var url = BenchProcesses.CreateDatabase(serverUrl, "preflight_");
        var folder = Path.Combine(Path.GetTempPath(), $"sbm-preflight-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            var settings = ConnectionSettings.Parse(url, "bench", out _)!;
            using var connection = new NpgsqlConnection(settings.ToNpgsql("bench"));
            connection.Open();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"filling platform_connections with {rows} rows (and users with {rows / 10}) ..."));
            Execute(connection, $"""
                CREATE TABLE users (id bigint PRIMARY KEY);
                INSERT INTO users SELECT g FROM generate_series(1, {rows / 10}) g;
                CREATE TABLE platform_connections (id bigserial PRIMARY KEY, user_id bigint, platform text, platform_user_id text, score int);
                INSERT INTO platform_connections (user_id, platform, platform_user_id, score)
                SELECT 1 + g % {rows / 10}, (ARRAY['twitch', 'youtube', 'kick'])[1 + g % 3], md5(g::text), g % 1000 FROM generate_series(1, {rows}) g;
                VACUUM ANALYZE users, platform_connections;
                """);
            var pending = PendingMigration(folder);
            var checks = PreflightPlan.For([pending]);
            Console.WriteLine($"  {"check",-70} {"no index",10} {"indexed",10}");
            var without = checks.Select(c => Median(() => Execute(connection, c.Check.CountSql))).ToList();
            var whole = Median(() => DataPreflight.RunAsync(connection, [pending], 0, PreflightOptions.Default, CancellationToken.None).GetAwaiter().GetResult());
            Execute(connection, "CREATE INDEX ON platform_connections (platform, platform_user_id); CREATE INDEX ON platform_connections (user_id); CREATE INDEX ON platform_connections (score)");
            Execute(connection, "ANALYZE platform_connections");
            var with = checks.Select(c => Median(() => Execute(connection, c.Check.CountSql))).ToList();
            var wholeIndexed = Median(() => DataPreflight.RunAsync(connection, [pending], 0, PreflightOptions.Default, CancellationToken.None).GetAwaiter().GetResult());
            for (var i = 0; i < checks.Count; i++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {checks[i].Check.Kind + " " + checks[i].Check.What,-70} {without[i],8:F0}ms {with[i],8:F0}ms"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"whole preflight (DataPreflight.RunAsync, as up runs it)",-70} {whole,8:F0}ms {wholeIndexed,8:F0}ms"));

            // The compatibility check: each query prepared (and deallocated), outside and inside a migration's transaction.
            var queries = Enumerable.Range(0, 500).Select(i => new AppQuery($"q{i}",
                $"SELECT p.platform, p.platform_user_id, u.id FROM platform_connections p JOIN users u ON u.id = p.user_id WHERE p.user_id = $1 AND p.score > {i} ORDER BY p.id LIMIT 50", "bench")).ToList();
            var outside = Median(() => AppQueries.FailuresAsync(connection, null, queries, CancellationToken.None).GetAwaiter().GetResult());
            var inside = Median(() =>
            {
                using var transaction = connection.BeginTransaction();
                AppQueries.FailuresAsync(connection, transaction, queries, CancellationToken.None).GetAwaiter().GetResult();
                transaction.Rollback();
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"compatibility check: {outside / queries.Count:F3} ms per query after a migration, {inside / queries.Count:F3} ms per query and statement while locating the breaking statement (savepoint each)"));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, true);
            BenchProcesses.Run("psql", $"-X -q -c \"DROP DATABASE IF EXISTS {url[(url.LastIndexOf('/') + 1)..]} WITH (FORCE)\" \"{serverUrl.TrimEnd('/')}/postgres\"", null);
        }
    }

    // The migration whose checks are measured: one of each kind the preflight counts on a populated table.
    private static ValidatedMigration PendingMigration(string folder)
    {
        File.WriteAllText(Path.Combine(folder, "0000_checks.sql"), """
            CREATE UNIQUE INDEX platform_connections_unique ON platform_connections (platform, platform_user_id);
            ALTER TABLE platform_connections ALTER COLUMN platform SET NOT NULL;
            ALTER TABLE platform_connections ADD CONSTRAINT score_check CHECK (score >= 0);
            ALTER TABLE platform_connections ADD CONSTRAINT user_fk FOREIGN KEY (user_id) REFERENCES users (id);
            """);
        File.WriteAllText(Path.Combine(folder, "README.md"), "# Migrations\n\n## Migration Files\n\n### 0000_checks.sql\n**Status**: bench\n**Purpose**: checks\n**Date**: 2026-12-06\n\n**Changes**:\n- checks\n\n**Rollback**: Not recommended - benchmark\n\n---\n");
        return MigrationsValidator.Validate(folder, keepScripts: true).Validated.Single();
    }

    private static double Median(Action action)
    {
        var times = new List<double>();
        for (var i = 0; i < Rounds; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return times.Order().ElementAt(Rounds / 2);
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        var script = StreamBot.Migrations.Sql.SqlSplitter.Split(sql + "\n");
        foreach (var statement in script.Statements.Select(s => script.GetText(s)))
        {
            using var command = new NpgsqlCommand(statement, connection) { CommandTimeout = 0 };
            command.ExecuteNonQuery();
        }
    }
}
