using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace StreamBot.Migrations.Benchmarks;

/// <summary>
/// Wall-clock comparison of `streambot-migrate up` with the floor of `psql -X -1 -f` on the same statements, on a
/// real server, plus the cost of a no-op `up` on an up-to-date database. Whole processes are timed, as a user
/// sees them, so this is a plain timed loop rather than a BenchmarkDotNet job.
/// </summary>
internal static class ApplyBenchmark
{
    // The CLI is a .dll run by dotnet, or the native (AOT) executable run as it is.
    private static string Program(string cli) => cli.EndsWith(".dll", StringComparison.Ordinal) ? "dotnet" : cli;

    private static string Prefix(string cli) => cli.EndsWith(".dll", StringComparison.Ordinal) ? $"\"{cli}\" " : string.Empty;

    public static int Run(string serverUrl, string cliDll, int migrations, int rounds)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"sbm-apply-bench-{Environment.ProcessId}");
        var concatenated = Path.Combine(Path.GetTempPath(), $"sbm-apply-bench-{Environment.ProcessId}.sql");
        Generate(folder, concatenated, migrations);
        try
        {
            var ours = new List<double>();
            var psql = new List<double>();
            string? upToDate = null;
            for (var round = 0; round < rounds; round++)
            {
                var a = CreateDatabase(serverUrl);
                ours.Add(Time(Program(cliDll), $"{Prefix(cliDll)}up --no-backup --dir \"{folder}\"", a));
                upToDate = a;
                var b = CreateDatabase(serverUrl);
                psql.Add(Time("psql", $"-X -q -1 -v ON_ERROR_STOP=1 -f \"{concatenated}\" \"{b}\"", null));
            }

            var noop = new List<double>();
            for (var i = 0; i < 10; i++)
            {
                noop.Add(Time(Program(cliDll), $"{Prefix(cliDll)}up --no-backup --dir \"{folder}\"", upToDate));
            }

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"{migrations} migrations x 5 statements, {rounds} rounds, fresh database each");
            Console.WriteLine(string.Create(inv, $"  streambot-migrate up : median {Median(ours):F2} s  ({string.Join(", ", ours.Select(x => x.ToString("F2", inv)))})"));
            Console.WriteLine(string.Create(inv, $"  psql -X -1 -f       : median {Median(psql):F2} s  ({string.Join(", ", psql.Select(x => x.ToString("F2", inv)))})"));
            Console.WriteLine(string.Create(inv, $"  ratio                : {Median(ours) / Median(psql):F3}x psql"));
            Console.WriteLine(string.Create(inv, $"  no-op up (up to date): median {Median(noop) * 1000:F0} ms over {noop.Count} runs"));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, true);
            File.Delete(concatenated);
        }
    }

    private static void Generate(string folder, string concatenated, int count)
    {
        Directory.CreateDirectory(folder);
        var all = new StringBuilder();
        var readme = new StringBuilder("# Migrations\n");
        for (var n = 0; n < count; n++)
        {
            var name = $"{n:D4}_add_channel_stats_{n}";
            var sql = string.Create(CultureInfo.InvariantCulture, $"""
                CREATE TABLE channel_stats_{n} (id bigserial PRIMARY KEY, user_id uuid NOT NULL, platform text NOT NULL, viewers integer DEFAULT 0 NOT NULL, recorded_at timestamptz DEFAULT now() NOT NULL);
                --> statement-breakpoint
                CREATE INDEX idx_channel_stats_{n}_user ON channel_stats_{n} (user_id, recorded_at);
                --> statement-breakpoint
                ALTER TABLE channel_stats_{n} ADD COLUMN peak_viewers integer DEFAULT 0 NOT NULL;
                --> statement-breakpoint
                INSERT INTO channel_stats_{n} (user_id, platform, viewers) VALUES ('00000000-0000-0000-0000-{n:D12}', 'twitch', {n % 500});
                --> statement-breakpoint
                COMMENT ON TABLE channel_stats_{n} IS 'Viewer statistics, batch {n}';

                """);
            File.WriteAllText(Path.Combine(folder, name + ".sql"), sql);
            all.Append(sql);
            readme.Append("\n### ").Append(name).Append(".sql\n**Status**: new\n**Purpose**: stats\n**Date**: 2025-11-15\n\n**Changes**:\n- stats\n\n**Rollback Procedure**:\n```sql\nDROP TABLE channel_stats_")
                .Append(n).Append(";\n\nSELECT 1 FROM pg_tables WHERE tablename = 'channel_stats_").Append(n).Append("';\n-- Should return 0 rows\n```\n\n**Rollback Risk**: LOW - stats\n");
        }

        File.WriteAllText(Path.Combine(folder, "README.md"), readme.ToString());
        File.WriteAllText(concatenated, all.ToString());
    }

    private static string CreateDatabase(string serverUrl)
    {
        var name = "bench_" + Guid.NewGuid().ToString("N")[..12];
        Time("psql", $"-X -q -c \"CREATE DATABASE {name}\" \"{serverUrl.TrimEnd('/')}/postgres\"", null);
        return $"{serverUrl.TrimEnd('/')}/{name}";
    }

    private static double Time(string program, string arguments, string? databaseUrl)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (databaseUrl is not null)
        {
            info.Environment["DATABASE_URL"] = databaseUrl;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var elapsed = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {arguments} failed: {stderr.Result}");
        }

        return elapsed;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
