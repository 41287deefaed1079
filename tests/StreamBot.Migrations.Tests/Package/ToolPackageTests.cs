namespace StreamBot.Migrations.Tests.Package;

/// <summary>The CLI as a .NET tool, installed from the local feed into a tool manifest and run as a user runs it.</summary>
[Trait(Tier.Name, Tier.Package)]
public sealed class ToolPackageTests(PackedPackage package, TestPostgres postgres) : IClassFixture<PackedPackage>, IClassFixture<TestPostgres>
{
    [Fact]
    public void The_tool_installs_from_the_feed_and_runs_validate_status_and_up()
    {
        var directory = Path.Combine(package.Root, "tool-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        // dotnet keeps where each tool version lives in ~/.dotnet/toolResolverCache: a run of its own must not find
        // the entry of an earlier test run, whose package folder is gone.
        var home = Path.Combine(directory, "home");
        var manifest = package.Dotnet("new tool-manifest", directory, cliHome: home);
        Assert.True(manifest.ExitCode == 0, manifest.Output);
        var install = package.Dotnet($"tool install StreamBot.Migrations.Tool --version {PackedPackage.Version} --add-source \"{package.Feed}\"", directory, cliHome: home);
        Assert.True(install.ExitCode == 0, install.Output);
        Assert.Contains("streambot-migrate", install.Output, StringComparison.Ordinal);

        var migrations = Path.Combine(PackedPackage.RepoRoot, "migrations");
        var validate = package.Dotnet($"tool run streambot-migrate validate \"{migrations}\"", directory, cliHome: home);
        Assert.True(validate.ExitCode == 0, validate.Output);
        Assert.Contains("5 migration(s)", validate.Output, StringComparison.Ordinal);

        var url = postgres.CreateDatabase();
        var status = package.Dotnet($"tool run streambot-migrate status --dir \"{migrations}\"", directory, url, cliHome: home);
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Contains("5 migration(s): 5 pending.", status.Output, StringComparison.Ordinal);
        var up = package.Dotnet($"tool run streambot-migrate up --no-backup --dir \"{migrations}\"", directory, url, cliHome: home);
        Assert.True(up.ExitCode == 0, up.Output);
        Assert.Contains("Applied 5 migration(s)", up.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(postgres.ServerPassword, status.Output + up.Output, StringComparison.Ordinal);
    }
}
