using System.Diagnostics;
using System.Text.RegularExpressions;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Reliability;

/// <summary>
/// Real processes against a real server: many appliers started together must apply every migration exactly once,
/// each ending in success or the coded lock timeout, never another error and never a hang.
/// </summary>
[Trait(Tier.Name, Tier.Reliability)]
public sealed partial class ConcurrencyTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private const int Processes = 16;
    private const int Migrations = 50;
    // Twenty rounds, 320 appliers: this suite found a half-built lock table in round 18 (fixed; see docs/RELIABILITY.md).
    private const int Rounds = 20;

    [GeneratedRegex(@"(error|warning) (SBM\d{4})")]
    private static partial Regex Code();

    [Fact]
    public void Sixteen_appliers_at_once_apply_fifty_migrations_exactly_once_twenty_times()
    {
        using var folder = FiftyMigrations();
        var clock = Stopwatch.StartNew();
        var outcomes = new Dictionary<string, int>();
        for (var round = 0; round < Rounds; round++)
        {
            var url = postgres.CreateDatabase();
            var env = new Dictionary<string, string?> { ["DATABASE_URL"] = url };
            var runs = Enumerable.Range(0, Processes)
                .Select(_ => CliProcess.Start($"up --no-backup --lock-timeout 120 --dir \"{folder.Directory}\"", env))
                .ToList();
            try
            {
                foreach (var run in runs)
                {
                    var exit = run.WaitForExit(TimeSpan.FromMinutes(3));
                    var codes = Code().Matches(run.Output).Select(m => m.Groups[2].Value).Distinct().ToList();
                    var errors = Code().Matches(run.Output).Where(m => m.Groups[1].Value == "error").Select(m => m.Groups[2].Value).ToList();
                    Assert.True(exit == 0 || (exit == 1 && errors.All(e => e == "SBM4004")), $"round {round}: exit {exit}\n{run.Output}");
                    Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
                    var key = exit == 0 ? "success" : "lock timeout";
                    outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
                    Assert.All(codes, c => Assert.True(c is "SBM4004" or "SBM5006" or "SBM4022", $"unexpected {c}: {run.Output}"));
                }
            }
            finally
            {
                runs.ForEach(r => r.Dispose());
            }

            using var scenario = new SqlProbe(url);
            Assert.Equal(Migrations, scenario.Count("SELECT count(*) FROM drizzle_migrations"));
            Assert.Equal(Migrations, scenario.Count("SELECT count(DISTINCT name) FROM drizzle_migrations"));
            Assert.Equal(Migrations, scenario.Count("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'race\\_%'")); // race_log and race_1..49
            // Each migration after 0000 inserted one row into the shared table: more would mean one ran twice.
            Assert.Equal(Migrations - 1, scenario.Count("SELECT count(*) FROM race_log"));
            Assert.Equal(0, scenario.Count("SELECT count(*) FROM migration_lock"));
        }

        ReliabilityFigures.Record("concurrency", $"{Rounds} rounds x {Processes} processes x {Migrations} migrations in {clock.Elapsed.TotalSeconds:F0} s; outcomes: {string.Join(", ", outcomes.Select(o => $"{o.Value} {o.Key}"))}");
    }

    [Fact]
    public void Six_new_commands_at_once_take_turns_on_the_folder_and_each_writes_its_own_number_and_section()
    {
        using var folder = MigrationsFolder.Valid();
        var names = Enumerable.Range(1, 6).Select(i => $"add_feature_{i}").ToList();
        var processes = names.Select(name => CliProcess.Start($"new {name} --dir \"{folder.Directory}\"", new Dictionary<string, string?>())).ToList();
        try
        {
            Assert.All(processes, p => Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)) == 0, p.Output));
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
        }

        var created = Directory.GetFiles(folder.Directory, "*.sql").Select(Path.GetFileName).Where(f => f!.Contains("_add_feature_", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(6, created.Count);
        Assert.Equal(["0003", "0004", "0005", "0006", "0007", "0008"], created.Select(f => f![..4]));
        Assert.Equal(names.Order(StringComparer.Ordinal), created.Select(f => f![5..^4]).Order(StringComparer.Ordinal));
        var readme = File.ReadAllText(folder.ReadmePath);
        Assert.All(created, f => Assert.Contains($"### {f}\n", readme, StringComparison.Ordinal));
    }

    [Fact]
    public void Status_during_up_never_blocks_and_shows_the_holder()
    {
        using var folder = FiftyMigrations();
        folder.AddMigration("0050_slow", "SELECT pg_sleep(3);\n", "SELECT 1;", "SELECT 1 WHERE false;");
        var url = postgres.CreateDatabase();
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = url };
        using var up = CliProcess.Start($"up --no-backup --dir \"{folder.Directory}\"", env);
        using (var probe = new SqlProbe(url))
        {
            var clock = Stopwatch.StartNew();
            while (probe.Count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(3)%' AND state = 'active'") == 0)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), up.Output);
                Thread.Sleep(50);
            }
        }

        var (exit, output) = CliProcess.Run($"status --dir \"{folder.Directory}\"", env);
        Assert.Equal(0, exit);
        // status answered while the migration was still running: it did not wait for the lock or the migration.
        Assert.False(up.HasExited, "status returned only after the migration had finished");
        Assert.Contains("Lock: held by", output, StringComparison.Ordinal);
        Assert.Contains("streambot-migrate up", output, StringComparison.Ordinal);
        Assert.Equal(0, up.WaitForExit(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Up_racing_down_never_interleaves()
    {
        using var folder = FiftyMigrations();
        var url = postgres.CreateDatabase();
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = url };
        Assert.Equal(0, CliProcess.Run($"up --no-backup --dir \"{folder.Directory}\"", env).ExitCode);
        for (var round = 0; round < 5; round++)
        {
            using var down = CliProcess.Start($"down 0040_race_40 --no-backup --lock-timeout 60 --dir \"{folder.Directory}\"", env);
            using var up = CliProcess.Start($"up --no-backup --lock-timeout 60 --dir \"{folder.Directory}\"", env);
            Assert.True(down.WaitForExit(TimeSpan.FromMinutes(2)) == 0, down.Output);
            Assert.True(up.WaitForExit(TimeSpan.FromMinutes(2)) == 0, up.Output);

            // Whichever ran second decided the end state; either way journal and schema agree.
            using var probe = new SqlProbe(url);
            var journal = probe.Count("SELECT count(*) FROM drizzle_migrations");
            Assert.True(journal is Migrations or 40, $"journal has {journal} rows");
            Assert.Equal(journal, probe.Count("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'race\\_%'"));
            Assert.Equal(journal - 1, probe.Count("SELECT count(*) FROM race_log"));
            Assert.Equal(0, CliProcess.Run($"up --no-backup --dir \"{folder.Directory}\"", env).ExitCode);
        }
    }

    private static MigrationsFolder FiftyMigrations()
    {
        var folder = MigrationsFolder.Empty();
        folder.WriteReadme("# Race\n");
        folder.AddMigration("0000_race_log", "CREATE TABLE race_log (name text NOT NULL);\n", notRecommended: true);
        for (var n = 1; n < Migrations; n++)
        {
            folder.AddMigration($"{n:D4}_race_{n}",
                $"CREATE TABLE race_{n} (id int);\nINSERT INTO race_log VALUES ('{n}');\n",
                $"DROP TABLE race_{n};\nDELETE FROM race_log WHERE name = '{n}';",
                $"SELECT 1 FROM pg_tables WHERE tablename = 'race_{n}';");
        }

        return folder;
    }
}
