using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

[Trait(Tier.Name, Tier.Database)]
public sealed class StatusAndRollbackTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public async Task Status_shows_every_state()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        var fresh = await s.Runner().StatusAsync();
        Assert.All(fresh.Migrations, m => Assert.Equal(MigrationState.Pending, m.State));
        Assert.Null(fresh.LockHolder);

        await s.Runner().UpAsync();
        s.Folder.Write("0002_add_balance_check.sql", "ALTER TABLE user_balances ADD CONSTRAINT user_balances_balance_check CHECK (balance >= 1);\n");
        s.Execute("INSERT INTO drizzle_migrations (name, hash, execution_ms, applied_by) VALUES ('0009_gone', 'x', 5, 'ops@old-host')");
        s.Folder.AddMigration("0003_more", "CREATE TABLE more (id int);\n", "DROP TABLE more;", "SELECT 1 FROM pg_tables WHERE tablename = 'more';");

        var report = await s.Runner().StatusAsync();
        var states = report.Migrations.ToDictionary(m => m.Name, m => m.State);
        Assert.Equal(MigrationState.Applied, states["0001_add_balances"]);
        Assert.Equal(MigrationState.Changed, states["0002_add_balance_check"]);
        Assert.Equal(MigrationState.Pending, states["0003_more"]);
        Assert.Equal(MigrationState.FileMissing, states["0009_gone"]);
        Assert.NotNull(report.Migrations.Single(m => m.Name == "0001_add_balances").AppliedAt);
    }

    [Fact]
    public void Status_prints_a_table_and_json_from_the_command_line()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url };
        Assert.Equal(0, CliProcess.Run($"up --no-backup --dir \"{s.Folder.Directory}\"", env).ExitCode);
        var (exit, table) = CliProcess.Run($"status --dir \"{s.Folder.Directory}\"", env);
        Assert.Equal(0, exit);
        Assert.Contains("0001_add_balances", table, StringComparison.Ordinal);
        Assert.Contains("Lock: free", table, StringComparison.Ordinal);
        var (jsonExit, json) = CliProcess.Run($"status --format json --dir \"{s.Folder.Directory}\"", env);
        Assert.Equal(0, jsonExit);
        using var document = System.Text.Json.JsonDocument.Parse(json[json.IndexOf('{', StringComparison.Ordinal)..]);
        Assert.Equal(3, document.RootElement.GetProperty("migrations").GetArrayLength());
        Assert.Equal("applied", document.RootElement.GetProperty("migrations")[0].GetProperty("state").GetString());
        Assert.Equal(0, document.RootElement.GetProperty("pending").GetInt32());
    }

    [Fact]
    public async Task Rollback_undoes_the_last_migration_with_its_documented_sql()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        Assert.Equal(1, await s.Runner().DownAsync(null));
        Assert.Equal(0L, s.Scalar<long>("SELECT count(*) FROM pg_constraint WHERE conname = 'user_balances_balance_check'"));
        Assert.Equal(2L, s.JournalCount());
        Assert.True(s.TableExists("user_balances"));
    }

    [Fact]
    public async Task Rollback_to_a_named_migration_takes_it_and_everything_after_newest_first()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        Assert.Equal(2, await s.Runner().DownAsync("0001_add_balances"));
        Assert.False(s.TableExists("user_balances"));
        Assert.True(s.TableExists("users"));
        Assert.Equal(1L, s.JournalCount());
        var order = s.Log.Lines.Where(l => l.StartsWith("Rolled back 000", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("Rolled back 0002", order[0], StringComparison.Ordinal);
        Assert.StartsWith("Rolled back 0001", order[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_verify_query_leaves_everything_as_it_was()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        // The rollback "forgets" to drop the constraint; its verify query catches it.
        s.Folder.EditReadme("ALTER TABLE user_balances DROP CONSTRAINT user_balances_balance_check;", "ALTER TABLE user_balances ADD COLUMN note text;");
        var d = await DatabaseScenario.FailsWith("SBM4011", () => s.Runner().DownAsync(null));
        Assert.Equal(s.Folder.ReadmePath, d.File);
        Assert.Equal(StreamBot.Migrations.Tests.Unit.Validation.DiagnosticCases.LineOf(s.Folder.ReadmePath, "SELECT 1 FROM pg_constraint"), d.Line);
        Assert.Contains("returned 1 row(s)", d.Message, StringComparison.Ordinal);
        Assert.Contains("expects 0", d.Message, StringComparison.Ordinal);
        Assert.Equal(0L, s.Scalar<long>("SELECT count(*) FROM information_schema.columns WHERE column_name = 'note'"));
        Assert.Equal(3L, s.JournalCount());
    }

    [Fact]
    public async Task A_failing_rollback_statement_is_located_in_the_readme_and_undone()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        s.Folder.EditReadme("ALTER TABLE user_balances DROP CONSTRAINT user_balances_balance_check;", "ALTER TABLE user_balances DROP CONSTRAINT no_such_constraint;");
        var d = await DatabaseScenario.FailsWith("SBM4012", () => s.Runner().DownAsync(null));
        Assert.Equal(StreamBot.Migrations.Tests.Unit.Validation.DiagnosticCases.LineOf(s.Folder.ReadmePath, "DROP CONSTRAINT no_such_constraint"), d.Line);
        Assert.Equal(3L, s.JournalCount());
    }

    [Fact]
    public async Task Not_recommended_rollback_is_refused_and_forcing_only_removes_the_journal_row()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        await DatabaseScenario.FailsWith("SBM4010", () => s.Runner().DownAsync("0000_initial_schema"));
        Assert.Equal(3L, s.JournalCount());

        Assert.Equal(3, await s.Runner(force: true).DownAsync("0000_initial_schema"));
        Assert.Equal(0L, s.JournalCount());
        Assert.True(s.TableExists("users"));
        Assert.Contains(s.Log.Diagnostics, d => d.Code == "SBM4021");
    }

    [Fact]
    public async Task Rolling_back_a_migration_that_is_not_applied_is_a_coded_error()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        await DatabaseScenario.FailsWith("SBM4013", () => s.Runner().DownAsync("0007_never"));
    }

    [Fact]
    public async Task Rollback_dry_run_changes_nothing()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        Assert.Equal(0, await s.Runner(dryRun: true).DownAsync("0001_add_balances"));
        Assert.Equal(3L, s.JournalCount());
        Snapshot.Matches(Snapshot.Scrub(string.Join('\n', s.Log.Lines.SkipWhile(l => !l.StartsWith("Dry run", StringComparison.Ordinal))),
            (s.Settings.Describe(), "<database>"), (s.Folder.Directory, "<migrations>")), "dry-run-down");
    }
}
