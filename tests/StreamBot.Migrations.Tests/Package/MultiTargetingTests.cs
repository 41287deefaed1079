
namespace StreamBot.Migrations.Tests.Package;

/// <summary>A project with several target frameworks: validated once, and every database target works.</summary>
[Trait(Tier.Name, Tier.Package)]
public sealed class MultiTargetingTests(PackedPackage package, TestPostgres postgres) : IClassFixture<PackedPackage>, IClassFixture<TestPostgres>
{
    private const string TwoFrameworks = "<TargetFramework></TargetFramework><TargetFrameworks>net8.0;net10.0</TargetFrameworks>";

    // MSBuild names the inner build a message comes from as "[project.csproj::TargetFramework=net8.0]"; the outer
    // build's messages name the project alone.
    private static List<string> LinesWith(string output, string code) =>
        output.Split('\n').Where(l => l.Contains(code, StringComparison.Ordinal)).ToList();

    [Fact]
    public void A_multi_targeted_project_validates_once_and_builds_each_framework()
    {
        var consumer = package.NewConsumer(TwoFrameworks)
            .WithFile("0000_initial_schema.sql", "CREATE TABLE users (id int)\n")
            .WithFile("README.md", "### 0000_initial_schema.sql\n**Status**: new\n**Purpose**: users\n**Date**: 2026-11-30\n**Changes**: users\n**Rollback**: Not recommended - first schema\n");

        var build = consumer.Build();

        Assert.True(build.ExitCode == 0, build.Output);
        var warnings = LinesWith(build.Output, "warning SBM2010");
        Assert.NotEmpty(warnings);
        Assert.All(warnings, w => Assert.DoesNotContain("TargetFramework=", w, StringComparison.Ordinal));
        Assert.Contains("net8.0/StreamBotService.dll", build.Output, StringComparison.Ordinal);
        Assert.Contains("net10.0/StreamBotService.dll", build.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_multi_targeted_project_fails_once_on_a_broken_folder()
    {
        var consumer = package.NewConsumer(TwoFrameworks).WithFile("0000_x.sql", "SELECT 'open;\n");

        var build = consumer.Build();

        Assert.NotEqual(0, build.ExitCode);
        var errors = LinesWith(build.Output, "error SBM2001");
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.DoesNotContain("TargetFramework=", e, StringComparison.Ordinal));
        Assert.DoesNotContain("StreamBotService.dll", build.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_database_target_runs_in_a_multi_targeted_project_also_two_in_one_build()
    {
        var url = postgres.CreateDatabase();
        var consumer = package.NewConsumer(TwoFrameworks +
            $"<MigrationsDirectory>{Path.Combine(PackedPackage.RepoRoot, "migrations")}</MigrationsDirectory><MigrationsBackup>false</MigrationsBackup>");

        // Both run through the one internal target that starts the CLI, each with its own command.
        var statusThenApply = consumer.Build("-t:MigrationStatus;ApplyMigrations", url);
        Assert.True(statusThenApply.ExitCode == 0, statusThenApply.Output);
        var pending = statusThenApply.Output.IndexOf("5 migration(s): 5 pending.", StringComparison.Ordinal);
        var applied = statusThenApply.Output.IndexOf("Applied 5 migration(s)", StringComparison.Ordinal);
        Assert.True(pending >= 0 && applied > pending, statusThenApply.Output);

        var status = consumer.Build("-t:MigrationStatus", url);
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Contains("5 migration(s): 5 applied.", status.Output, StringComparison.Ordinal);

        var rollback = consumer.Build("-t:RollbackMigration", url);
        Assert.True(rollback.ExitCode == 0, rollback.Output);
        Assert.Contains("Rolled back 1 migration(s): 0004_add_giveaway_concurrency_improvements.", rollback.Output, StringComparison.Ordinal);
    }
}
