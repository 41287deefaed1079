using System.Diagnostics;
using System.Globalization;

namespace StreamBot.Migrations.Benchmarks;

/// <summary>
/// What the bot feels while a migration meets a blocker: pgbench plays the bot (4 clients, each transaction reads
/// and updates a random row of users), a session holds users in a transaction for 10 s, and one second after it
/// started, <c>ALTER TABLE users ADD COLUMN</c> runs, by plain psql and by each CLI given. From pgbench's
/// per-transaction log: p99, p99.9 and the longest latency, the longest during the migration, and the whole
/// seconds in which no transaction completed. Whole processes and real clients, so a timed script, not a
/// BenchmarkDotNet job (README.md, "Benchmarks").
/// </summary>
internal static class StallBenchmark
{
    private const int Rows = 10_000;
    private const int RunSeconds = 18;

    public static int Run(string serverUrl, IReadOnlyList<(string Name, string? Cli)> tools)
    {
        var root = Path.Combine(Path.GetTempPath(), $"sbm-stall-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        try
        {
            var script = Path.Combine(root, "bot.pgbench");
            File.WriteAllText(script, $"\\set id random(1, {Rows})\nSELECT balance FROM users WHERE id = :id;\nUPDATE users SET balance = balance + 1 WHERE id = :id;\n");
            Console.WriteLine($"pgbench: 4 clients reading and updating users ({Rows} rows) for {RunSeconds} s; a session holds users for 10 s from t = 2 s; the migration starts at t = 3 s");
            Console.WriteLine($"  {"tool",-28} {"migration",10} {"p99",8} {"p99.9",8} {"max",8} {"max during",11} {"0-tx seconds",13} {"tx",8}");
            foreach (var (name, cli) in tools)
            {
                var result = Measure(serverUrl, root, script, cli);
                var inv = CultureInfo.InvariantCulture;
                Console.WriteLine(string.Create(inv,
                    $"  {name,-28} {result.MigrationSeconds,9:F1}s {result.P99,6:F0}ms {result.P999,6:F0}ms {result.Max,6:F0}ms {result.MaxDuring,9:F0}ms {result.ZeroSeconds,13} {result.Transactions,8}"));
            }

            return 0;
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    private sealed record Result(double MigrationSeconds, double P99, double P999, double Max, double MaxDuring, int ZeroSeconds, int Transactions);

    private static Result Measure(string serverUrl, string root, string script, string? cli)
    {
        var url = BenchProcesses.CreateDatabase(serverUrl, "stall_");
        var folder = Path.Combine(root, "migrations-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var schema = $"CREATE TABLE users (id int PRIMARY KEY, balance bigint NOT NULL DEFAULT 0, name text);\nINSERT INTO users (id, name) SELECT g, 'user ' || g FROM generate_series(1, {Rows}) g;\n";
        File.WriteAllText(Path.Combine(folder, "0000_users.sql"), schema);
        File.WriteAllText(Path.Combine(folder, "README.md"), "# Migrations\n\n## Migration Files\n\n### 0000_users.sql\n**Status**: ok\n**Purpose**: users\n**Date**: 2026-12-06\n\n**Changes**:\n- users\n\n**Rollback**: Not recommended - foundation\n\n---\n");
        if (cli is null)
        {
            BenchProcesses.Run("psql", $"-X -q -v ON_ERROR_STOP=1 -f \"{Path.Combine(folder, "0000_users.sql")}\" \"{url}\"", null);
        }
        else
        {
            BenchProcesses.Run(BenchProcesses.Program(cli), $"{BenchProcesses.Prefix(cli)}up --no-backup --dir \"{folder}\"", url);
        }

        File.WriteAllText(Path.Combine(folder, "0001_add_x.sql"), "ALTER TABLE users ADD COLUMN x int;\n");
        File.AppendAllText(Path.Combine(folder, "README.md"), "\n### 0001_add_x.sql\n**Status**: ok\n**Purpose**: x\n**Date**: 2026-12-06\n\n**Changes**:\n- x\n\n**Rollback Procedure**:\n```sql\nALTER TABLE users DROP COLUMN x;\n\nSELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'x';\n-- Should return 0 rows\n```\n\n**Rollback Risk**: LOW - x is empty\n\n---\n");

        var logs = Path.Combine(root, "log-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(logs);
        using var bot = BenchProcesses.Start("pgbench", $"-n -c 4 -j 2 -T {RunSeconds} -f \"{script}\" -l --log-prefix=\"{Path.Combine(logs, "tx")}\" \"{url}\"", null);
        Thread.Sleep(2000);
        using var blocker = BenchProcesses.Start("psql", $"-X -q -c \"BEGIN\" -c \"SELECT count(*) FROM users\" -c \"SELECT pg_sleep(10)\" -c \"COMMIT\" \"{url}\"", null);
        Thread.Sleep(1000);
        var migrationStart = DateTimeOffset.UtcNow;
        var migration = Stopwatch.StartNew();
        if (cli is null)
        {
            BenchProcesses.Run("psql", $"-X -q -v ON_ERROR_STOP=1 -c \"ALTER TABLE users ADD COLUMN x int\" \"{url}\"", null);
        }
        else
        {
            BenchProcesses.Run(BenchProcesses.Program(cli), $"{BenchProcesses.Prefix(cli)}up --no-backup --dir \"{folder}\"", url);
        }

        var migrationSeconds = migration.Elapsed.TotalSeconds;
        var migrationEnd = DateTimeOffset.UtcNow;
        blocker.WaitForExit();
        bot.WaitForExit();
        if (bot.ExitCode != 0)
        {
            throw new InvalidOperationException("pgbench failed: " + bot.StandardError.ReadToEnd());
        }

        // pgbench -l: client_id transaction_no latency_us script_no epoch_s epoch_us, one line per transaction.
        var transactions = Directory.GetFiles(logs).SelectMany(File.ReadLines)
            .Select(l => l.Split(' '))
            .Select(f => (LatencyMs: long.Parse(f[2], CultureInfo.InvariantCulture) / 1000.0,
                DoneAt: DateTimeOffset.FromUnixTimeSeconds(long.Parse(f[4], CultureInfo.InvariantCulture)).AddTicks(long.Parse(f[5], CultureInfo.InvariantCulture) * 10)))
            .ToList();
        var latencies = transactions.Select(t => t.LatencyMs).Order().ToList();
        var first = transactions.Min(t => t.DoneAt.ToUnixTimeSeconds());
        var last = transactions.Max(t => t.DoneAt.ToUnixTimeSeconds());
        var busy = transactions.Select(t => t.DoneAt.ToUnixTimeSeconds()).ToHashSet();
        var zero = Enumerable.Range(0, (int)(last - first + 1)).Count(i => !busy.Contains(first + i));
        // A transaction waiting on the migration completes at most one of its latencies after the migration ends.
        var during = transactions.Where(t => t.DoneAt >= migrationStart && t.DoneAt - TimeSpan.FromMilliseconds(t.LatencyMs) <= migrationEnd).Select(t => t.LatencyMs).DefaultIfEmpty(0).Max();
        Directory.Delete(logs, true);
        return new Result(migrationSeconds, Percentile(latencies, 0.99), Percentile(latencies, 0.999), latencies[^1], during, zero, transactions.Count);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
