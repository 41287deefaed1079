using System.Text.RegularExpressions;

namespace StreamBot.Migrations.Tests.Package;

[Trait(Tier.Name, Tier.Package)]
public sealed class PackageEndToEndTests(PackedPackage package) : IClassFixture<PackedPackage>
{
    private const string SkipLine = "Skipping target \"ValidateMigrations\" because all output files are up-to-date";

    private const string ValidReadme = """
        # Migrations

        ### 0000_initial_schema.sql
        **Status**: ✅ Applied  
        **Purpose**: Initial schema  
        **Date**: 2025-10-01

        **Changes**:
        - Creates `users`

        **Rollback**: Not recommended - foundation schema

        ### 0001_add_balances.sql
        **Status**: ✅ Production-Ready  
        **Purpose**: Balances  
        **Date**: 2025-11-15

        **Changes**:
        - Creates `user_balances`

        **Rollback Procedure**:
        ```sql
        DROP TABLE IF EXISTS user_balances;

        SELECT 1 FROM pg_tables WHERE tablename = 'user_balances';
        -- Should return 0 rows
        ```

        **Rollback Risk**: MEDIUM - balances are lost

        """;

    private ConsumerProject ValidConsumer(string? extraProperties = null) =>
        package.NewConsumer(extraProperties)
            .WithFile("0000_initial_schema.sql", "CREATE TABLE users (id uuid PRIMARY KEY);\n")
            .WithFile("0001_add_balances.sql", "CREATE TABLE user_balances (id uuid PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));\n")
            .WithFile("README.md", ValidReadme);

    [Fact]
    public void A_project_without_a_migrations_folder_starts_one_with_the_NewMigration_target_and_then_builds()
    {
        var consumer = package.NewConsumer(null);
        Directory.Delete(consumer.MigrationsDirectory);

        var created = consumer.Build("-t:NewMigration -p:Name=create_users");
        Assert.True(created.ExitCode == 0, created.Output);
        Assert.Contains("Started ", created.Output, StringComparison.Ordinal);
        var readme = Path.Combine(consumer.MigrationsDirectory, "README.md");
        Assert.Contains("### 0000_create_users.sql", File.ReadAllText(readme), StringComparison.Ordinal);

        // Filled in as a person would (the section's placeholders, the SQL, a rollback), the build passes.
        consumer.WithFile("0000_create_users.sql", "CREATE TABLE users (id bigserial PRIMARY KEY);\n");
        File.WriteAllText(readme, File.ReadAllText(readme)
            .Replace("TODO(streambot): what this migration does and why", "The bot's users", StringComparison.Ordinal)
            .Replace("TODO(streambot): each change, one per line", "Creates `users`", StringComparison.Ordinal)
            .Replace("-- TODO(streambot): write the rollback, or run streambot-migrate draft-rollback 0000_create_users.sql once the SQL is written",
                "DROP TABLE users;\n\nSELECT 1 FROM pg_tables WHERE tablename = 'users';\n-- Should return 0 rows", StringComparison.Ordinal)
            .Replace("TODO(streambot): LOW, MEDIUM or HIGH, and what the rollback loses", "HIGH - the users are lost", StringComparison.Ordinal));
        var built = consumer.Build();
        Assert.True(built.ExitCode == 0, built.Output);
        Assert.Contains("1 migration(s)", built.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Clean_folder_builds_and_adds_nothing_to_the_output()
    {
        var consumer = ValidConsumer();
        var result = consumer.Build();
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.DoesNotContain("SBM", result.Output.Replace("StreamBot.Migrations", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("2 migration(s)", result.Output, StringComparison.Ordinal);

        var output = Path.Combine(consumer.Directory, "bin", "Debug", "net10.0");
        Assert.True(File.Exists(Path.Combine(output, "StreamBotService.dll")));
        Assert.Empty(Directory.GetFiles(output, "StreamBot.Migrations*"));
    }

    [Fact]
    public void Broken_folder_fails_the_build_with_codes_at_file_line_and_column()
    {
        var consumer = ValidConsumer()
            .WithFile("0001_add_balances.sql", "CREATE TABLE user_balances (id uuid);\nSELECT 'oops;\n")
            .WithFile("0003_skipped_one.sql", "SELECT 1;\n")
            .WithFile("notes.sql", "SELECT 1;\n");
        var result = consumer.Build();

        Assert.NotEqual(0, result.ExitCode);
        AssertLine(result.Output, consumer.Migration("0001_add_balances.sql") + "(2,8): error SBM2001: ");
        AssertLine(result.Output, consumer.Migration("0003_skipped_one.sql") + " : error SBM1004: ");
        AssertLine(result.Output, consumer.Migration("0003_skipped_one.sql") + " : error SBM3002: ");
        AssertLine(result.Output, consumer.Migration("notes.sql") + " : error SBM1002: ");
    }

    [Fact]
    public void Readme_problems_point_into_the_readme()
    {
        var consumer = ValidConsumer()
            .WithFile("README.md", ValidReadme.Replace("**Date**: 2025-11-15", "**Date**: November 15", StringComparison.Ordinal));
        var result = consumer.Build();
        Assert.NotEqual(0, result.ExitCode);
        AssertLine(result.Output, consumer.Migration("README.md") + "(16,1): error SBM3006: ");
    }

    [Fact]
    public void Second_build_with_nothing_changed_skips_validation_and_a_change_runs_it_again()
    {
        var consumer = ValidConsumer();
        var first = consumer.Build();
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.DoesNotContain(SkipLine, first.Output, StringComparison.Ordinal);

        var second = consumer.Build();
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains(SkipLine, second.Output, StringComparison.Ordinal);

        // A deleted file changes no timestamp of the remaining inputs; the inputs cache still notices.
        File.Delete(consumer.Migration("0001_add_balances.sql"));
        var third = consumer.Build();
        Assert.NotEqual(0, third.ExitCode);
        AssertLine(third.Output, consumer.Migration("README.md") + "(13,1): error SBM3003: ");
    }

    [Fact]
    public void Failed_validation_is_not_cached()
    {
        var consumer = ValidConsumer().WithFile("0001_add_balances.sql", "SELECT 'oops;\n");
        Assert.NotEqual(0, consumer.Build().ExitCode);
        var again = consumer.Build();
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("error SBM2001", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_can_be_made_errors_and_validation_can_be_skipped()
    {
        var warning = ValidConsumer().WithFile("0001_add_balances.sql", "SELECT 1");
        var relaxed = warning.Build();
        Assert.True(relaxed.ExitCode == 0, relaxed.Output);
        AssertLine(relaxed.Output, warning.Migration("0001_add_balances.sql") + "(1,1): warning SBM2010: ");

        var strict = warning.Build("-p:MigrationsTreatWarningsAsErrors=true");
        Assert.NotEqual(0, strict.ExitCode);
        AssertLine(strict.Output, warning.Migration("0001_add_balances.sql") + "(1,1): error SBM2010: ");

        var broken = ValidConsumer("<MigrationsSkipValidation>true</MigrationsSkipValidation>").WithFile("0001_add_balances.sql", "SELECT 'oops;\n");
        var skipped = broken.Build();
        Assert.True(skipped.ExitCode == 0, skipped.Output);
    }

    [Fact]
    public void Design_time_builds_do_not_validate()
    {
        var consumer = ValidConsumer().WithFile("0001_add_balances.sql", "SELECT 'oops;\n");
        Assert.Equal(0, consumer.Build("-t:Restore").ExitCode);
        var result = package.Dotnet("msbuild -t:Build -p:DesignTimeBuild=true -nologo", consumer.Directory);
        // The build must succeed: a design-time build that failed for another reason would not show SBM2001 either.
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.DoesNotContain("SBM2001", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Migration_files_are_project_items()
    {
        var consumer = ValidConsumer();
        Assert.Equal(0, consumer.Build("-t:Restore").ExitCode);
        var result = package.Dotnet("msbuild -getItem:MigrationFile -nologo", consumer.Directory);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("0000_initial_schema.sql", result.Output, StringComparison.Ordinal);
        Assert.Contains("README.md", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Stream_bot_migrations_pass_and_a_directory_outside_the_project_works()
    {
        // Configured as the Stream Bot service is: 0000-0004 are applied in production, so the lint starts at 0005.
        var migrations = Path.Combine(PackedPackage.RepoRoot, "migrations");
        var consumer = package.NewConsumer($"<MigrationsDirectory>{migrations}</MigrationsDirectory><MigrationsLintFrom>0005</MigrationsLintFrom>");
        var result = consumer.Build();
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("5 migration(s)", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("warning SBM", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dangerous_statement_added_to_the_Stream_Bot_folder_warns_at_its_line_with_the_safe_alternative()
    {
        var consumer = package.NewConsumer("<MigrationsLintFrom>0005</MigrationsLintFrom>");
        foreach (var file in Directory.GetFiles(Path.Combine(PackedPackage.RepoRoot, "migrations")))
        {
            consumer.WithFile(Path.GetFileName(file), File.ReadAllText(file));
        }

        Directory.CreateDirectory(Path.Combine(consumer.MigrationsDirectory, "meta"));
        File.Copy(Path.Combine(PackedPackage.RepoRoot, "migrations", "meta", "_journal.json"), Path.Combine(consumer.MigrationsDirectory, "meta", "_journal.json"));
        consumer.WithFile("0005_add_giveaway_lookup.sql", "-- Lookups of a user's giveaways.\nCREATE INDEX idx_giveaways_user ON giveaways (user_id);\n");
        var journal = File.ReadAllText(Path.Combine(consumer.MigrationsDirectory, "meta", "_journal.json"));
        var last = journal.LastIndexOf('}', journal.LastIndexOf(']'));
        File.WriteAllText(Path.Combine(consumer.MigrationsDirectory, "meta", "_journal.json"),
            journal[..(last + 1)] + ",\n    { \"idx\": 5, \"version\": \"7\", \"when\": 1764000000000, \"tag\": \"0005_add_giveaway_lookup\", \"breakpoints\": true }" + journal[(last + 1)..]);
        File.AppendAllText(consumer.Migration("README.md"), Support.MigrationsFolder.Section("0005_add_giveaway_lookup"));

        var summary = Path.Combine(consumer.Directory, "step-summary.md");
        var result = consumer.Build("-p:MigrationsSarif=true", environment: new Dictionary<string, string?> { ["GITHUB_STEP_SUMMARY"] = summary });
        Assert.True(result.ExitCode == 0, result.Output);
        var warning = Assert.Single(Regex.Matches(result.Output, @"0005_add_giveaway_lookup\.sql\((\d+),(\d+)\): warning (SBM\d{4}): ([^\r\n]*)").Select(m => m.Groups).DistinctBy(g => g[0].Value));
        Assert.Equal(("2", "1", "SBM6001"), (warning[1].Value, warning[2].Value, warning[3].Value));
        Assert.Contains("CREATE INDEX CONCURRENTLY", warning[4].Value, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"000[0-4]_\w+\.sql\(\d+,\d+\): warning", result.Output);

        // MigrationsSarif: the same finding as a SARIF log beside the build's outputs, relative to the project (no git
        // repository here), its rule linking the copy of docs/diagnostics.md inside the package; valid for the official validator.
        var sarif = Path.Combine(consumer.Directory, "bin", "Debug", "net10.0", "streambot-migrations.sarif");
        using (var log = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(sarif)))
        {
            var run = log.RootElement.GetProperty("runs")[0];
            var finding = Assert.Single(run.GetProperty("results").EnumerateArray());
            var location = finding.GetProperty("locations")[0].GetProperty("physicalLocation");
            Assert.Equal(("SBM6001", "migrations/0005_add_giveaway_lookup.sql", 2),
                (finding.GetProperty("ruleId").GetString(), location.GetProperty("artifactLocation").GetProperty("uri").GetString(), location.GetProperty("region").GetProperty("startLine").GetInt32()));
            var help = new Uri(run.GetProperty("tool").GetProperty("driver").GetProperty("rules")[finding.GetProperty("ruleIndex").GetInt32()].GetProperty("helpUri").GetString()!);
            Assert.Equal("#sbm6001", help.Fragment);
            Assert.True(File.Exists(help.LocalPath) && File.ReadAllText(help.LocalPath).Contains("## SBM6001", StringComparison.Ordinal), help.ToString());
        }

        Assert.Empty(SarifMultitool.Validate(sarif));
        Assert.Contains("| warning | SBM6001 | `migrations/0005_add_giveaway_lookup.sql:2` |", File.ReadAllText(summary), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_directory_is_one_coded_error()
    {
        var consumer = package.NewConsumer("<MigrationsDirectory>db/nowhere</MigrationsDirectory>");
        var result = consumer.Build();
        Assert.NotEqual(0, result.ExitCode);
        Assert.Single(Regex.Matches(result.Output, "error SBM1001: .*\\[").Select(m => m.Value).Distinct());
    }

    private static void AssertLine(string output, string expectedPrefix) =>
        Assert.True(
            output.Split('\n').Any(line => Regex.Replace(line.TrimStart(), "^[0-9]+>", "").StartsWith(expectedPrefix, StringComparison.Ordinal)),
            $"No line starts with '{expectedPrefix}'. Output:\n{output}");
}
