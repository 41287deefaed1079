using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>The password never shows: not in output, errors, or anything the CLI prints, for any command.</summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class SecretsTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public void No_command_prints_the_password()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        // The password of the server in use (STREAMBOT_TEST_DATABASE_URL may name another), not the local servers' one.
        var password = postgres.ServerPassword;
        Assert.False(string.IsNullOrEmpty(password), "the test server's URL has no password, so there is nothing to search for");
        Assert.Contains(password, Uri.UnescapeDataString(s.Url), StringComparison.Ordinal);
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url };
        var dir = $"--dir \"{s.Folder.Directory}\"";
        var backups = $"--backup-dir \"{s.BackupDirectory}\"";
        var outputs = new List<string>();
        foreach (var command in new[] { "status", $"up --dry-run {backups}", $"up {backups}", "status --format json", $"down --dry-run {backups}", $"down {backups}", $"down 0000_initial_schema {backups}" })
        {
            outputs.Add(CliProcess.Run($"{command} {dir}", env).Output);
        }

        var wrongPassword = s.Url.Replace(Uri.EscapeDataString(password), "Wr0ng-Secret-xyz", StringComparison.Ordinal);
        var (exit, wrong) = CliProcess.Run($"status {dir}", new Dictionary<string, string?> { ["DATABASE_URL"] = wrongPassword });
        Assert.Equal(1, exit);
        Assert.Contains("error SBM4003", wrong, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", wrong, StringComparison.Ordinal);
        Assert.DoesNotContain("Wr0ng-Secret-xyz", wrong, StringComparison.Ordinal);

        var keyword = $"Host=127.0.0.1;Port={new Uri(s.Url).Port};Database=nope_{Guid.NewGuid():N};Username=postgres;Password={password}";
        outputs.Add(CliProcess.Run($"status --connection \"{keyword}\" {dir}", new Dictionary<string, string?>()).Output);
        outputs.Add(CliProcess.Run($"status {dir}", new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url + "?frobnicate=1" }).Output);

        Assert.All(outputs, o => Assert.DoesNotContain(password, o, StringComparison.Ordinal));
        Assert.All(outputs, o => Assert.DoesNotContain(Uri.EscapeDataString(password), o, StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Contains("error SBM4003", StringComparison.Ordinal) && o.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Contains("error SBM4002", StringComparison.Ordinal));
        Assert.All(Directory.GetFiles(s.BackupDirectory), f => Assert.DoesNotContain(password, f, StringComparison.Ordinal));
    }
}
