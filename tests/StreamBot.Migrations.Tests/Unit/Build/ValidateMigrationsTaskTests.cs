using StreamBot.Migrations.Build;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Unit.Build;

/// <summary>The MSBuild task against a recording build engine: what it logs, what it returns, what it outputs.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ValidateMigrationsTaskTests
{
    private static (bool Succeeded, ValidateMigrations Task, string Log) Run(MigrationsFolder folder, Action<ValidateMigrations>? configure = null)
    {
        var engine = new RecordingBuildEngine();
        var task = new ValidateMigrations { BuildEngine = engine, Directory = folder.Directory };
        configure?.Invoke(task);
        var succeeded = task.Execute();
        return (succeeded, task, Snapshot.Scrub(string.Join("\n", engine.Events), (folder.Directory, "<migrations>")));
    }

    [Fact]
    public void A_valid_folder_succeeds_with_one_message_and_its_count()
    {
        using var folder = MigrationsFolder.Valid();
        var (succeeded, task, log) = Run(folder);
        Assert.True(succeeded);
        Assert.Equal(3, task.MigrationCount);
        Snapshot.Matches(log, "task-valid");
    }

    [Fact]
    public void Errors_fail_the_task_each_at_its_file_line_and_column()
    {
        using var folder = MigrationsFolder.Valid();
        folder.AddMigration("0004_skips_a_number", "SELECT 1;\n");
        folder.Write("0002_add_balance_index.sql", "CREATE INDEX idx ON users (email;\n");
        var (succeeded, _, log) = Run(folder);
        Assert.False(succeeded);
        Snapshot.Matches(log, "task-errors");
    }

    [Fact]
    public void A_lint_warning_passes_and_fails_once_warnings_are_errors()
    {
        using var folder = MigrationsFolder.Valid();
        folder.AddMigration("0003_index_users", "CREATE INDEX idx_users_email ON users (email);\n");
        var (passed, _, warned) = Run(folder);
        var (failed, _, errored) = Run(folder, t => t.TreatWarningsAsErrors = true);
        Assert.True(passed);
        Assert.False(failed);
        Snapshot.Matches(warned + "\n--- TreatWarningsAsErrors=true\n" + errored, "task-lint");
    }

    [Fact]
    public void The_lint_settings_reach_the_lint()
    {
        using var folder = MigrationsFolder.Valid();
        folder.AddMigration("0003_index_users", "CREATE INDEX idx_users_email ON users (email);\n");
        var (_, _, skipped) = Run(folder, t => t.LintFrom = "0004");
        var (failed, _, unreadable) = Run(folder, t => t.PostgresVersion = "fifteen");
        Assert.False(failed);
        Snapshot.Matches(skipped + "\n--- PostgresVersion=fifteen\n" + unreadable, "task-lint-settings");
    }

    [Fact]
    public void SarifFile_writes_the_findings_relative_to_the_project_outside_a_repository()
    {
        using var folder = MigrationsFolder.Valid();
        var sarif = Path.Combine(folder.Directory, "out", "migrations.sarif");
        var engine = new RecordingBuildEngine();
        var task = new ValidateMigrations { BuildEngine = engine, Directory = folder.Directory, SarifFile = sarif, ProjectDirectory = Path.GetDirectoryName(folder.Directory)!, DocsUrl = "https://docs.example/diagnostics.md" };

        Assert.True(task.Execute());
        using var log = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(sarif));
        var result = Assert.Single(log.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray());
        Assert.Equal(("SBM6001", Path.GetFileName(folder.Directory) + "/0002_add_balance_index.sql"),
            (result.GetProperty("ruleId").GetString(), result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()));
        Assert.Contains(engine.Events, e => e.StartsWith("message (High): StreamBot.Migrations: SARIF log written to ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_sarif_file_that_cannot_be_written_and_a_relative_docs_url_are_coded_errors()
    {
        using var folder = MigrationsFolder.Valid();
        var unwritable = new RecordingBuildEngine();
        Assert.False(new ValidateMigrations { BuildEngine = unwritable, Directory = folder.Directory, SarifFile = "/proc/streambot/migrations.sarif" }.Execute());
        Assert.Contains(unwritable.Events, e => e.StartsWith("error SBM9004 /proc/streambot/migrations.sarif(0,0): The SARIF log cannot be written", StringComparison.Ordinal));

        var relative = new RecordingBuildEngine();
        Assert.False(new ValidateMigrations { BuildEngine = relative, Directory = folder.Directory, SarifFile = Path.Combine(folder.Directory, "x.sarif"), DocsUrl = "docs/diagnostics.md" }.Execute());
        Assert.Contains(relative.Events, e => e.Contains("error SBM0001", StringComparison.Ordinal) && e.Contains("MigrationsDocsUrl 'docs/diagnostics.md' is not an absolute", StringComparison.Ordinal));
    }
}
