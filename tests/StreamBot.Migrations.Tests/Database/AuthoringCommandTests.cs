using StreamBot.Migrations.Cli;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Rehearsal;
using StreamBot.Migrations.Tests.Support;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>new, draft-rollback and renumber on copies of the Stream Bot's folder, as a person runs them.</summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class AuthoringCommandTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public void New_scaffolds_a_section_the_build_rejects_until_it_is_written_and_then_passes()
    {
        using var folder = StreamBotCopy();
        var (exit, output, errors) = Run("new", "add_stream_markers", "--dir", folder.Directory);
        Assert.True(exit == 0, errors);
        Assert.Contains("Created", output, StringComparison.Ordinal);
        var readme = File.ReadAllText(folder.ReadmePath);
        Assert.True(readme.IndexOf("### 0005_add_stream_markers.sql", StringComparison.Ordinal) < readme.IndexOf("## Running Migrations", StringComparison.Ordinal));
        Assert.Contains("\"tag\": \"0005_add_stream_markers\"", File.ReadAllText(folder.Path("meta/_journal.json")), StringComparison.Ordinal);

        var unfinished = Errors(folder);
        Assert.Contains("SBM2013", unfinished);
        Assert.Contains("SBM3018", unfinished);

        File.WriteAllText(folder.Path("0005_add_stream_markers.sql"),
            "CREATE TABLE stream_markers (id bigserial PRIMARY KEY, session_id uuid NOT NULL REFERENCES stream_sessions (id), label text NOT NULL);\n");
        (exit, output, errors) = Run("draft-rollback", "0005_add_stream_markers.sql", "--dir", folder.Directory);
        Assert.True(exit == 0, errors);
        Assert.Contains("Wrote the drafted rollback", output, StringComparison.Ordinal);
        folder.EditReadme("**Purpose**: TODO(streambot): what this migration does and why", "**Purpose**: Markers a streamer sets during a stream")
            .EditReadme("- TODO(streambot): each change, one per line", "- Creates `stream_markers`");
        Assert.Empty(Errors(folder));
        Assert.Contains("**Rollback Risk**: HIGH - drops table(s) stream_markers", File.ReadAllText(folder.ReadmePath), StringComparison.Ordinal);
    }

    [Fact]
    public void New_refuses_a_name_the_build_would_refuse_and_writes_nothing()
    {
        using var folder = StreamBotCopy();
        var before = File.ReadAllText(folder.ReadmePath);
        var (exit, _, errors) = Run("new", "Add-Stream Markers", "--dir", folder.Directory);
        Assert.Equal(1, exit);
        Assert.Contains("error SBM0002", errors, StringComparison.Ordinal);
        Assert.Contains("new add_stream_markers", errors, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(folder.ReadmePath));
        Assert.Equal(5, Directory.GetFiles(folder.Directory, "*.sql").Length);
    }

    [Theory]
    [InlineData("{ \"entries\": ")]
    [InlineData("{ \"version\": \"7\" }")]
    [InlineData("{ \"entries\": [ { \"idx\": 0, \"when\": \"soon\", \"tag\": \"0000_broad_speedball\" } ] }")]
    public void New_on_a_broken_drizzle_kit_journal_is_one_coded_error_and_writes_nothing(string journal)
    {
        using var folder = StreamBotCopy();
        File.WriteAllText(folder.Path("meta/_journal.json"), journal);
        var readme = File.ReadAllText(folder.ReadmePath);
        var (exit, _, errors) = Run("new", "add_stream_markers", "--dir", folder.Directory);
        Assert.Equal(1, exit);
        Assert.Contains("error SBM0002", errors, StringComparison.Ordinal);
        Assert.Contains("meta/_journal.json cannot be edited", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal);
        Assert.Equal(readme, File.ReadAllText(folder.ReadmePath));
        Assert.False(File.Exists(folder.Path("0005_add_stream_markers.sql")));
    }

    [Fact]
    public void Renumber_with_a_malformed_journal_table_name_is_a_usage_error()
    {
        using var folder = StreamBotCopy();
        var (exit, _, errors) = Run("renumber", "--dir", folder.Directory, "--journal-table", "a.b.c.d");
        Assert.Equal(2, exit);
        Assert.Contains("error SBM0001", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Draft_rollback_never_overwrites_a_rollback_a_person_wrote()
    {
        using var folder = StreamBotCopy();
        var before = File.ReadAllText(folder.ReadmePath);
        var (exit, output, _) = Run("draft-rollback", folder.Path("0003_add_platform_user_unique_constraint.sql"));
        Assert.Equal(0, exit);
        Assert.Equal(before, File.ReadAllText(folder.ReadmePath));
        Assert.Contains("DROP INDEX IF EXISTS platform_connections_platform_platform_user_id_unique;", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Renumber_moves_the_newer_of_two_migrations_sharing_a_number_with_its_section_and_journal_entry()
    {
        using var folder = StreamBotCopy();
        Run("new", "add_polls_v2", "--dir", folder.Directory);
        File.WriteAllText(folder.Path("0005_add_polls_v2.sql"), "CREATE INDEX idx_polls_v2 ON polls (user_id);\n");
        Run("draft-rollback", "0005_add_polls_v2.sql", "--dir", folder.Directory);
        // The other branch's migration, merged in: same number, added later.
        Run("new", "add_raids", "--dir", folder.Directory);
        File.Move(folder.Path("0006_add_raids.sql"), folder.Path("0005_add_raids.sql"));
        File.WriteAllText(folder.Path("0005_add_raids.sql"), "CREATE TABLE raids (id int);\n");
        File.SetLastWriteTimeUtc(folder.Path("0005_add_polls_v2.sql"), DateTime.UtcNow.AddHours(-2));
        folder.EditReadme("### 0006_add_raids.sql", "### 0005_add_raids.sql");
        File.WriteAllText(folder.Path("meta/_journal.json"), File.ReadAllText(folder.Path("meta/_journal.json")).Replace("\"idx\": 6", "\"idx\": 5", StringComparison.Ordinal).Replace("0006_add_raids", "0005_add_raids", StringComparison.Ordinal));
        Assert.Contains("SBM1003", Errors(folder));

        var (exit, output, errors) = Run("renumber", "--dir", folder.Directory);
        Assert.True(exit == 0, errors);
        Assert.Contains("Moved 0005_add_raids.sql to 0006_add_raids.sql", output, StringComparison.Ordinal);
        Assert.True(File.Exists(folder.Path("0006_add_raids.sql")));
        Assert.Contains("### 0006_add_raids.sql", File.ReadAllText(folder.ReadmePath), StringComparison.Ordinal);
        var remaining = Errors(folder);
        Assert.DoesNotContain("SBM1003", remaining);
        Assert.DoesNotContain(remaining, c => c.StartsWith("SBM10", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Renumber_keeps_the_migration_the_database_has_applied_and_refuses_when_both_are()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        // A branch added another 0002 that is newer on disk than the applied one, yet it is the one that moves.
        s.Folder.AddMigration("0002_add_raids", "CREATE TABLE raids (id int);\n");
        File.SetLastWriteTimeUtc(s.Folder.Path("0002_add_raids.sql"), DateTime.UtcNow.AddDays(-30));
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url };
        var (exit, output) = CliProcess.Run($"renumber --dir \"{s.Folder.Directory}\"", env);
        Assert.True(exit == 0, output);
        Assert.Contains("Moved 0002_add_raids.sql to 0003_add_raids.sql", output, StringComparison.Ordinal);

        // Both applied under one number: renaming either would orphan a journal row.
        s.Execute("INSERT INTO drizzle_migrations (name, hash, applied_at, execution_ms, applied_by) VALUES ('0002_other', 'x', now(), 0, 'test')");
        s.Folder.AddMigration("0002_other", "SELECT 1;\n");
        (exit, output) = CliProcess.Run($"renumber --dir \"{s.Folder.Directory}\"", env);
        Assert.Equal(1, exit);
        Assert.Contains("error SBM0002", output, StringComparison.Ordinal);
        Assert.Contains("are both applied", output, StringComparison.Ordinal);
        Assert.True(File.Exists(s.Folder.Path("0002_other.sql")));
    }

    [Fact]
    public async Task Drafted_rollbacks_of_the_Stream_Bots_0003_and_0004_rehearse_clean()
    {
        using var folder = StreamBotCopy();
        foreach (var name in new[] { "0003_add_platform_user_unique_constraint", "0004_add_giveaway_concurrency_improvements" })
        {
            ReplaceRollbackWithPlaceholder(folder, name);
            var (exit, _, errors) = Run("draft-rollback", name + ".sql", "--dir", folder.Directory);
            Assert.True(exit == 0, errors);
        }

        // The one step the draft could not decide: the UPDATE only filled entry_count, which the draft drops.
        var readme = File.ReadAllLines(folder.ReadmePath);
        var todo = Assert.Single(readme, l => l.Contains("TODO(streambot)", StringComparison.Ordinal));
        Assert.Contains("undo line 6", todo, StringComparison.Ordinal);
        folder.EditReadme(todo, "-- The UPDATE of line 6 only filled entry_count, which is dropped below.");
        Assert.Empty(Errors(folder));

        using var s = new DatabaseScenario(postgres, MigrationsFolder.Empty());
        var report = await new MigrationRehearsal(s.Options() with { Directory = folder.Directory }, s.Log).RunAsync();
        Assert.False(report.Failed, string.Join("\n", report.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        Assert.Equal(RehearsalOutcome.Passed, report.Migrations[3].Outcome);
        Assert.Equal(RehearsalOutcome.Passed, report.Migrations[4].Outcome);
    }

    [Fact]
    public async Task A_project_without_a_migrations_folder_starts_one_with_new_and_its_first_migration_rehearses_and_applies()
    {
        using var project = MigrationsFolder.Empty();
        var directory = project.Path("migrations");
        var (exit, output, errors) = Run("new", "create_users", "--dir", directory);
        Assert.True(exit == 0, errors);
        Assert.Contains($"Created {Path.Combine(directory, "0000_create_users.sql")} and its README section.", output, StringComparison.Ordinal);
        Assert.Contains($"Started {Path.Combine(directory, "README.md")}: the folder's runbook", output, StringComparison.Ordinal);
        var readme = File.ReadAllText(Path.Combine(directory, "README.md"));
        Assert.StartsWith("# Database Migrations\n", readme, StringComparison.Ordinal);
        Assert.True(readme.IndexOf("## Migration Files", StringComparison.Ordinal) < readme.IndexOf("### 0000_create_users.sql", StringComparison.Ordinal)
            && readme.IndexOf("### 0000_create_users.sql", StringComparison.Ordinal) < readme.IndexOf("## Running Migrations", StringComparison.Ordinal));

        // What the person writes: the SQL, the drafted rollback, the two fields the build asks for.
        File.WriteAllText(Path.Combine(directory, "0000_create_users.sql"), "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL);\n");
        Assert.Equal(0, Run("draft-rollback", "0000_create_users.sql", "--dir", directory).Exit);
        File.WriteAllText(Path.Combine(directory, "README.md"), File.ReadAllText(Path.Combine(directory, "README.md"))
            .Replace("TODO(streambot): what this migration does and why", "The accounts of the bot's users", StringComparison.Ordinal)
            .Replace("TODO(streambot): each change, one per line", "Creates `users`", StringComparison.Ordinal));
        Assert.DoesNotContain(MigrationsValidator.Validate(directory).Diagnostics, d => d.Severity == DiagnosticSeverity.Error);

        using var s = new DatabaseScenario(postgres, MigrationsFolder.Empty());
        var options = s.Options() with { Directory = directory };
        var report = await new MigrationRehearsal(options, s.Log).RunAsync();
        Assert.Equal([RehearsalOutcome.Passed], report.Migrations.Select(m => m.Outcome));
        Assert.Equal(1, await new StreamBot.Migrations.Postgres.Running.MigrationRunner(options, s.Log).UpAsync());
        Assert.True(s.TableExists("users"));
    }

    [Fact]
    public void New_refuses_to_start_a_README_for_a_folder_that_already_has_migrations()
    {
        using var folder = MigrationsFolder.Empty();
        folder.Write("0000_create_users.sql", "CREATE TABLE users (id int);\n");
        var (exit, output, errors) = Run("new", "add_x", "--dir", folder.Directory);
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("error SBM0002: ", errors, StringComparison.Ordinal);
        Assert.Contains("holds migrations but no README.md", errors, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.ReadmePath));
        Assert.False(File.Exists(folder.Path("0001_add_x.sql")));
    }

    private static void ReplaceRollbackWithPlaceholder(MigrationsFolder folder, string name)
    {
        var lines = File.ReadAllLines(folder.ReadmePath).ToList();
        var heading = lines.FindIndex(l => l == $"### {name}.sql");
        var procedure = lines.FindIndex(heading, l => l.StartsWith("**Rollback Procedure**", StringComparison.Ordinal));
        var risk = lines.FindIndex(procedure, l => l.StartsWith("**Rollback Risk**", StringComparison.Ordinal));
        lines.RemoveRange(procedure, risk - procedure + 1);
        lines.InsertRange(procedure, StreamBot.Migrations.Authoring.ReadmeEdit.RollbackPart(name + ".sql", null).Split('\n'));
        File.WriteAllLines(folder.ReadmePath, lines);
    }

    private static List<string> Errors(MigrationsFolder folder) =>
        MigrationsValidator.Validate(folder.Directory).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Code).ToList();

    private static MigrationsFolder StreamBotCopy()
    {
        var folder = MigrationsFolder.Empty();
        var source = Path.Combine(RepoPaths.Root, "migrations");
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, folder.Path(Path.GetFileName(file)));
        }

        Directory.CreateDirectory(folder.Path("meta"));
        File.Copy(Path.Combine(source, "meta", "_journal.json"), folder.Path("meta/_journal.json"));
        return folder;
    }

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = CommandLine.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
