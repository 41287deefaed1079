using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

[Trait(Tier.Name, Tier.Database)]
public sealed class ApplyTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public async Task Applies_everything_to_an_empty_database_and_records_each_migration()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        Assert.Equal(3, await s.Runner().UpAsync());
        Assert.True(s.TableExists("user_balances"));
        Assert.Equal(3L, s.JournalCount());
        Assert.Equal(64, s.Scalar<string>("SELECT hash FROM drizzle_migrations WHERE name = '0001_add_balances'").Length);
        Assert.Contains("@", s.Scalar<string>("SELECT applied_by FROM drizzle_migrations LIMIT 1"), StringComparison.Ordinal);
        Assert.True(s.Scalar<int>("SELECT min(execution_ms) FROM drizzle_migrations") >= 0);
        Assert.False(s.TableExists("migration_lock") && s.Scalar<long>("SELECT count(*) FROM migration_lock") > 0, "lock row left behind");
    }

    [Fact]
    public async Task An_up_to_date_database_is_left_alone()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        Assert.Equal(0, await s.Runner().UpAsync());
        Assert.Contains(s.Log.Lines, l => l.Contains("is up to date", StringComparison.Ordinal));
        Assert.Equal(3L, s.JournalCount());
    }

    [Fact]
    public async Task A_failing_migration_is_wholly_rolled_back_and_located_in_the_file()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Folder.AddMigration("0003_add_events", "CREATE TABLE events (id int);\n\nINSERT INTO events VALUES (1);\nSELECT * FROM   no_such_table;\n",
            "DROP TABLE events;", "SELECT 1 FROM pg_tables WHERE tablename = 'events';");
        var d = await DatabaseScenario.FailsWith("SBM4005", () => s.Runner().UpAsync());

        Assert.Equal(s.Folder.Path("0003_add_events.sql"), d.File);
        Assert.Equal((4, 17), (d.Line, d.Column));
        Assert.Contains("42P01", d.Message, StringComparison.Ordinal);
        Assert.Contains("no_such_table", d.Message, StringComparison.Ordinal);
        Assert.False(s.TableExists("events"));
        // The migrations before it in the same run stay applied, and the log says so.
        Assert.Equal(3L, s.JournalCount());
        Assert.Contains(s.Log.Lines, l => l.Contains("stay applied", StringComparison.Ordinal) && l.Contains("0002_add_balance_check", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_division_by_zero_in_the_last_statement_is_the_migration_failing_not_the_lock_fence()
    {
        // The lock fence fails with division by zero too; it is told apart by its place in the batch.
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Folder.AddMigration("0003_ratio", "CREATE TABLE ratio (v int);\nINSERT INTO ratio SELECT 1 / 0;\n",
            "DROP TABLE ratio;", "SELECT 1 FROM pg_tables WHERE tablename = 'ratio';");
        var d = await DatabaseScenario.FailsWith("SBM4005", () => s.Runner().UpAsync());
        Assert.Equal((2, 1), (d.Line, d.Column));
        Assert.Contains("22012", d.Message, StringComparison.Ordinal);
        Assert.False(s.TableExists("ratio"));
    }

    [Fact]
    public async Task Error_position_maps_through_multibyte_text_and_crlf()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        s.Folder.AddMigration("0003_broken", "SELECT 'héllo 😀',\r\n       1 +  ;\r\n", "SELECT 1;", "SELECT 1 WHERE false;");
        var d = await DatabaseScenario.FailsWith("SBM4005", () => s.Runner().UpAsync());
        Assert.Equal((2, 13), (d.Line, d.Column));
    }

    [Fact]
    public async Task A_non_transactional_migration_runs_statement_by_statement_and_says_so()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Folder.AddMigration("0003_index_balances", "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_balances ON user_balances (balance);\n",
            "DROP INDEX idx_balances;", "SELECT 1 FROM pg_indexes WHERE indexname = 'idx_balances';");
        Assert.Equal(4, await s.Runner().UpAsync());
        Assert.Equal(1L, s.Scalar<long>("SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_balances'"));
        Assert.Contains(s.Log.Diagnostics, d => d.Code == "SBM4020");
        Assert.Equal(4L, s.JournalCount());
    }

    [Fact]
    public async Task A_non_transactional_migration_failing_half_way_says_which_statements_ran()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Folder.AddMigration("0003_index_twice",
            "CREATE INDEX CONCURRENTLY idx_one ON user_balances (balance);\nCREATE INDEX CONCURRENTLY idx_two ON missing_table (x);\nCREATE INDEX CONCURRENTLY idx_three ON user_balances (user_id);\n",
            "DROP INDEX idx_one;", "SELECT 1 FROM pg_indexes WHERE indexname = 'idx_one';");
        var d = await DatabaseScenario.FailsWith("SBM4008", () => s.Runner().UpAsync());
        Assert.Equal(2, d.Line);
        Assert.Contains("Statement 1 (line 1) ran and stays applied.", d.Message, StringComparison.Ordinal);
        Assert.Equal(1L, s.Scalar<long>("SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_one'"));
        Assert.Equal(0L, s.Scalar<long>("SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_three'"));
        Assert.Equal(3L, s.JournalCount());
    }

    [Fact]
    public async Task A_changed_applied_migration_blocks_apply()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        s.Folder.Write("0001_add_balances.sql", "CREATE TABLE user_balances (user_id int PRIMARY KEY);\n");
        s.Folder.AddMigration("0003_more", "CREATE TABLE more (id int);\n", "DROP TABLE more;", "SELECT 1 FROM pg_tables WHERE tablename = 'more';");
        var d = await DatabaseScenario.FailsWith("SBM4006", () => s.Runner().UpAsync());
        Assert.Equal(s.Folder.Path("0001_add_balances.sql"), d.File);
        Assert.False(s.TableExists("more"));
    }

    [Fact]
    public async Task An_applied_migration_whose_file_is_gone_blocks_apply()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        s.Execute("INSERT INTO drizzle_migrations (name, hash, execution_ms, applied_by) VALUES ('0003_from_another_branch', 'x', 1, 'someone')");
        await DatabaseScenario.FailsWith("SBM4007", () => s.Runner().UpAsync());
    }

    [Fact]
    public async Task A_pending_migration_older_than_an_applied_one_is_refused()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        s.Execute("DELETE FROM drizzle_migrations WHERE name = '0001_add_balances'");
        await DatabaseScenario.FailsWith("SBM4015", () => s.Runner().UpAsync());
    }

    [Fact]
    public async Task A_long_statement_reports_progress_with_its_line()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Folder.AddMigration("0003_slow", "CREATE TABLE slow (id int);\nSELECT pg_sleep(1.5);\n", "DROP TABLE slow;", "SELECT 1 FROM pg_tables WHERE tablename = 'slow';");
        var options = s.Options() with { ProgressInterval = TimeSpan.FromMilliseconds(400) };
        Assert.Equal(4, await new MigrationRunner(options, s.Log).UpAsync());
        Assert.Contains(s.Log.Lines, l => l.Contains("0003_slow.sql: statement at line 2 still running", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dry_run_prints_the_plan_and_changes_nothing()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        Assert.Equal(0, await s.Runner(dryRun: true).UpAsync());
        Assert.False(s.TableExists("users"));
        Assert.False(s.TableExists("drizzle_migrations"));
        Assert.False(s.TableExists("migration_lock"));
        Snapshot.Matches(Snapshot.Scrub(s.Log.Text, (s.Settings.Describe(), "<database>"), (s.Folder.Directory, "<migrations>")), "dry-run-up");
    }

    [Fact]
    public async Task A_folder_with_errors_is_never_applied()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Folder.Write("0003_broken.sql", "SELECT 'unterminated;\n");
        await DatabaseScenario.FailsWith("SBM4014", () => s.Runner().UpAsync());
        Assert.Contains(s.Log.Diagnostics, d => d.Code == "SBM2001");
        Assert.False(s.TableExists("users"));
    }

    [Fact]
    public async Task A_journal_table_of_another_shape_is_a_coded_error()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Execute("CREATE TABLE drizzle_migrations (id serial PRIMARY KEY, version text NOT NULL)");
        var d = await DatabaseScenario.FailsWith("SBM4009", () => s.Runner().UpAsync());
        Assert.Contains("name", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_drizzle_orm_journal_under_this_journals_name_is_left_alone_and_the_journal_goes_beside_it()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Execute("CREATE TABLE drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint)");

        Assert.Equal(3, await s.Runner().UpAsync());

        Assert.Equal(0L, s.Scalar<long>("SELECT count(*) FROM drizzle_migrations"));
        Assert.Equal(3L, s.Scalar<long>("SELECT count(*) FROM drizzle_migrations_streambot"));
        Assert.Equal(3, (await s.Runner().StatusAsync()).Migrations.Count(m => m.State == StreamBot.Migrations.Planning.MigrationState.Applied));
    }

    [Fact]
    public async Task A_migration_larger_than_one_batch_applies_whole_or_not_at_all()
    {
        // 10,001 statements: several batches of the one transaction (see MigrationApplier.ChunkStatements).
        var inserts = string.Concat(Enumerable.Range(1, 10_000).Select(n => $"INSERT INTO big_rows VALUES ({n});\n"));
        using var good = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        good.Folder.AddMigration("0003_big_backfill", "CREATE TABLE big_rows (id int PRIMARY KEY);\n" + inserts, "DROP TABLE big_rows;", "SELECT 1 FROM pg_tables WHERE tablename = 'big_rows';");
        Assert.Equal(4, await good.Runner().UpAsync());
        Assert.Equal(10_000L, good.Scalar<long>("SELECT count(*) FROM big_rows"));

        // A failure in a late batch rolls back the earlier batches too, and names its own line.
        using var bad = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        bad.Folder.AddMigration("0003_big_backfill", "CREATE TABLE big_rows (id int PRIMARY KEY);\n" + inserts + "INSERT INTO big_rows VALUES (9999);\n" + inserts.Replace("VALUES (", "VALUES (100000 + ", StringComparison.Ordinal),
            "DROP TABLE big_rows;", "SELECT 1 FROM pg_tables WHERE tablename = 'big_rows';");
        var d = await DatabaseScenario.FailsWith("SBM4005", () => bad.Runner().UpAsync());
        Assert.Equal(10_002, d.Line);
        Assert.Contains("duplicate key", d.Message, StringComparison.Ordinal);
        Assert.False(bad.TableExists("big_rows"));
        Assert.Equal(3L, bad.JournalCount());
    }

    [Fact]
    public async Task Journal_table_name_is_configurable_and_quoted()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        var options = s.Options() with { JournalTable = StreamBot.Migrations.Sql.QualifiedName.Parse("\"Schema \"\"History\"\"\"") };
        Assert.Equal(3, await new MigrationRunner(options, s.Log).UpAsync());
        Assert.Equal(3L, s.Scalar<long>("SELECT count(*) FROM \"Schema \"\"History\"\"\""));
    }
}
