using StreamBot.Migrations.Cli;
using StreamBot.Migrations.Postgres.Rehearsal;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// Rehearsal on a scratch database of the test server: the Stream Bot's own folder passes (a broken rollback in
/// migrations/README.md fails CI here), and each kind of forgotten rollback step is caught at its README line.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class RehearsalTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public async Task The_Stream_Bot_migrations_rehearse_clean_and_their_lock_trace_shows_the_blocking_statements()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.Empty());
        var options = s.Options() with { Directory = Path.Combine(RepoPaths.Root, "migrations") };
        var report = await new MigrationRehearsal(options, s.Log).RunAsync();

        Assert.False(report.Failed, string.Join("\n", report.Diagnostics));
        Assert.Equal(
            ["RollbackSkipped", "Passed", "Passed", "Passed", "Passed"],
            report.Migrations.Select(m => m.Outcome.ToString()));
        var unique = Assert.Single(report.Migrations[3].Trace);
        Assert.Equal((LockMode.Share, "platform_connections"), (unique.Locks.Single().Lock.Mode, unique.Locks.Single().Lock.Table));
        Assert.Contains("platform_connections", unique.Scanned);
        var check = report.Migrations[4].Trace.Single(t => t.Line == 29);
        Assert.Equal((LockMode.AccessExclusive, "user_balances"), (check.Locks.Single().Lock.Mode, check.Locks.Single().Lock.Table));
        Assert.Contains("user_balances", check.Scanned);
        Assert.Contains(report.Diagnostics, d => d.Code == "SBM7005" && d.Line == 29 && d.Message.Contains("the safety lint says the same: SBM6002", StringComparison.Ordinal));
        // Measured and predicted agree: every lock that blocks writes is the one the lint's classifier predicts.
        var strong = report.Migrations.SelectMany(m => m.Trace).SelectMany(t => t.Locks.Where(l => l.Lock.Mode.BlocksWrites()).Select(l => (Statement: t, l.Lock))).ToList();
        Assert.Equal(8, strong.Count);
        Assert.All(strong, x => Assert.Contains(x.Lock, x.Statement.Predicted));
        var scratch = report.Where.Split(' ')[0];
        Assert.StartsWith(ScratchDatabase.Prefix, scratch, StringComparison.Ordinal);
        Assert.Equal(0L, s.Scalar<long>($"SELECT count(*) FROM pg_database WHERE datname = '{scratch}'"));

        using var markdown = new StringWriter();
        RehearsalWriter.Write(report, "markdown", markdown);
        Assert.Contains("| `0004_add_giveaway_concurrency_improvements` | passed |", markdown.ToString(), StringComparison.Ordinal);
        Assert.Contains("line 4: SHARE on platform_connections", markdown.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_connection_the_CLI_rehearses_on_a_throwaway_server_it_removes_and_prints_only_the_report()
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "streambot-rehearsal-*").ToHashSet();
        var (exit, output) = CliProcess.Run($"rehearse --dir \"{Path.Combine(RepoPaths.Root, "migrations")}\" --format json", new Dictionary<string, string?>());
        Assert.True(exit == 0, output);
        Assert.Contains("No connection configured: rehearsing on a throwaway PostgreSQL server", output, StringComparison.Ordinal);
        Assert.Contains("\"passed\": true", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetTempPath(), "streambot-rehearsal-*"), d => !before.Contains(d));
    }

    public static TheoryData<string, string, string, string> BrokenRollbacks() => new()
    {
        { "an index", "ALTER TABLE giveaways ADD COLUMN note text;\nCREATE INDEX idx_giveaways_title ON giveaways (title);", "ALTER TABLE giveaways DROP COLUMN note;", "leaves index idx_giveaways_title on giveaways" },
        { "a column", "ALTER TABLE giveaways ADD COLUMN note text;\nCREATE INDEX idx_giveaways_title ON giveaways (title);", "DROP INDEX idx_giveaways_title;", "leaves column giveaways.note" },
        { "a function", "CREATE FUNCTION giveaway_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM giveaways';", "SELECT 1;", "leaves function giveaway_count()" },
        { "a constraint", "ALTER TABLE giveaways ADD CONSTRAINT giveaways_title_length CHECK (length(title) < 200) NOT VALID;", "SELECT 1;", "leaves constraint giveaways_title_length on giveaways" },
        { "an enum value", "ALTER TYPE platform ADD VALUE 'kick';", "SELECT 1;", "leaves type platform changed (enum ('twitch', 'youtube') -> enum ('twitch', 'youtube', 'kick'))" },
    };

    [Theory]
    [MemberData(nameof(BrokenRollbacks))]
    public async Task A_rollback_that_forgets_something_fails_at_its_README_line_naming_the_object(string what, string forward, string rollback, string expected)
    {
        using var s = new DatabaseScenario(postgres, Folder(forward, rollback));
        var report = await new MigrationRehearsal(s.Options(), s.Log).RunAsync();

        var error = Assert.Single(report.Diagnostics, d => d.Code == "SBM7001");
        Assert.Equal(s.Folder.ReadmePath, error.File);
        Assert.Equal(LineOf(s.Folder.ReadmePath, rollback), error.Line);
        Assert.Contains("The rollback of 0001_change does not return the schema to where it was before 0001_change: " + expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(RehearsalOutcome.Failed, report.Migrations[1].Outcome);
        Assert.True(report.Failed, what);
    }

    [Fact]
    public async Task A_rollback_that_fails_or_whose_verify_query_disagrees_is_an_error_at_its_line()
    {
        using var s = new DatabaseScenario(postgres, Folder("ALTER TABLE giveaways ADD COLUMN note text;", "ALTER TABLE giveaways DROP COLUMN notes;"));
        var report = await new MigrationRehearsal(s.Options(), s.Log).RunAsync();
        var error = Assert.Single(report.Diagnostics, d => d.Code == "SBM7004");
        Assert.Equal(LineOf(s.Folder.ReadmePath, "ALTER TABLE giveaways DROP COLUMN notes;"), error.Line);
        Assert.Contains("column \"notes\" of relation \"giveaways\" does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_names_an_index_made_by_hand_and_a_baselined_database_starts_with_a_fingerprint()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        Assert.Empty((await s.Runner().StatusAsync()).Drift!);

        s.Execute("CREATE INDEX idx_users_name_by_hand ON users (name)");
        s.Execute("ALTER TABLE user_balances ALTER COLUMN balance SET DEFAULT 10");
        var status = await s.Runner().StatusAsync();
        Assert.Equal(["column user_balances.balance (changed: bigint not null default 0 -> bigint not null default 10)", "index idx_users_name_by_hand on users (added)"],
            status.Drift!.Select(d => d.ToString()));
        var warning = Assert.Single(s.Log.Diagnostics, d => d.Code == "SBM4035");
        Assert.Contains("since 0002_add_balance_check was applied", warning.Message, StringComparison.Ordinal);

        using var baselined = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        baselined.Execute("CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL)");
        await baselined.Runner().BaselineAsync("0000");
        Assert.Empty((await baselined.Runner().StatusAsync()).Drift!);
    }

    [Fact]
    public async Task Rehearsing_on_a_restored_backup_traces_the_pending_migration_on_real_rows_and_reports_no_data()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        s.Execute("INSERT INTO users (name) SELECT 'secret-name-' || g FROM generate_series(1, 2000) g");
        s.Folder.AddMigration("0003_widen_names", "ALTER TABLE users ALTER COLUMN name TYPE varchar(200);\n", "ALTER TABLE users ALTER COLUMN name TYPE text;",
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'name' AND data_type <> 'text';");
        await s.Runner(backup: true).UpAsync();
        var backup = Directory.GetFiles(s.BackupDirectory, "*.sql").Single();
        s.Execute("DELETE FROM drizzle_migrations WHERE name = '0003_widen_names'");

        var report = await new MigrationRehearsal(s.Options(), s.Log).RunAsync(backup);
        Assert.Equal(["AlreadyApplied", "AlreadyApplied", "AlreadyApplied", "Passed"], report.Migrations.Select(m => m.Outcome.ToString()));
        var trace = Assert.Single(report.Migrations[3].Trace);
        Assert.Contains("users", trace.Rewritten);
        Assert.Contains(report.Diagnostics, d => d.Code == "SBM7006" && d.Message.Contains("rewrote users", StringComparison.Ordinal));
        using var json = new StringWriter();
        RehearsalWriter.Write(report, "json", json);
        Assert.DoesNotContain("secret-name-", json.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-name-", s.Log.Text, StringComparison.Ordinal);
    }

    private static MigrationsFolder Folder(string forward, string rollback)
    {
        var folder = MigrationsFolder.Empty();
        folder.WriteReadme("# Migrations\n");
        folder.AddMigration("0000_schema", "CREATE TYPE platform AS ENUM ('twitch', 'youtube');\nCREATE TABLE giveaways (id int PRIMARY KEY, title text);\n", notRecommended: true);
        folder.AddMigration("0001_change", forward + "\n", rollback, "SELECT 1 WHERE false;");
        return folder;
    }

    private static int LineOf(string file, string text) => File.ReadAllLines(file).Select((l, i) => (l, i)).First(x => x.l.Trim() == text).i + 1;
}
