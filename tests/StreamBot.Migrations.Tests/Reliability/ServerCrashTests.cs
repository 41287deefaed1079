using System.Text.RegularExpressions;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Reliability;

/// <summary>
/// The server itself crashes (pg_ctl stop -m immediate: no checkpoint, recovery on restart) in the middle of an up,
/// right after the first "Applied" line. On a server of its own, with fsync on, so the crash is a real one.
/// </summary>
[Trait(Tier.Name, Tier.Reliability)]
public sealed partial class ServerCrashTests
{
    [GeneratedRegex(@"^Applied (\d{4}_\w+)\.sql \(", RegexOptions.Multiline)]
    private static partial Regex AppliedLine();

    [Fact]
    public void Every_migration_reported_applied_survives_a_server_crash()
    {
        using var server = new LocalPostgresServer(fsync: true);
        var url = server.ServerUrl + "/postgres";
        using var folder = MigrationsFolder.Empty();
        folder.WriteReadme("# Migrations\n");
        const int Quick = 30;
        for (var n = 0; n < Quick; n++)
        {
            folder.AddMigration($"{n:D4}_step_{n}", $"CREATE TABLE t_{n:D4}_step_{n} (id int);\n");
        }

        folder.AddMigration($"{Quick:D4}_long_backfill", "SELECT pg_sleep(60);\n");
        using var cli = CliProcess.Start($"up --no-backup --dir \"{folder.Directory}\"", new Dictionary<string, string?> { ["DATABASE_URL"] = url });
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!AppliedLine().IsMatch(cli.Output))
        {
            Assert.True(DateTime.UtcNow < deadline, "no Applied line within a minute:\n" + cli.Output);
            Thread.Sleep(5);
        }

        server.Stop(immediate: true);
        var exit = cli.WaitForExit(TimeSpan.FromMinutes(1));
        var reported = AppliedLine().Matches(cli.Output).Select(m => m.Groups[1].Value).ToList();
        server.Start();

        using var probe = new SqlProbe(url);
        var journal = Enumerable.Range(0, Quick + 1)
            .Select(n => n == Quick ? $"{Quick:D4}_long_backfill" : $"{n:D4}_step_{n}")
            .Where(name => probe.Count($"SELECT count(*) FROM drizzle_migrations WHERE name = '{name}'") == 1)
            .ToList();
        Assert.NotEmpty(reported);
        Assert.All(reported, name => Assert.Contains(name, journal));
        Assert.All(reported, name => Assert.Equal(1, probe.Count($"SELECT count(*) FROM pg_tables WHERE tablename = 't_{name}'")));

        // The run that lost its server says so, in one coded line naming the migration it was in.
        Assert.Equal(1, exit);
        Assert.Matches("error SBM4024: The connection to the server was lost while 00[0-9]{2}_\\w+\\.sql was being applied", cli.Output);
        Assert.DoesNotContain("Exception while", cli.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("every migration that was not reported", cli.Output, StringComparison.Ordinal);
        ReliabilityFigures.Record("server crash", $"{reported.Count} migration(s) reported applied before pg_ctl stop -m immediate, {journal.Count} in the journal after restart");
    }
}
