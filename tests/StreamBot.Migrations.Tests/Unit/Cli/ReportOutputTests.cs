using StreamBot.Migrations.Cli;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Postgres.Preflight;
using StreamBot.Migrations.Postgres.Rehearsal;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Schema;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Unit.Cli;

/// <summary>
/// What status and rehearse print, in every format, for reports that hold each kind of entry: checked against the
/// approved files in Snapshots/, so a change of wording is one reviewed diff.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ReportOutputTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static StatusReport Status() => new(
        "postgres@db.internal:5432/streambot",
        [
            new StatusEntry("0000_initial_schema", MigrationState.Applied, Noon, 41, "deploy@ci-runner"),
            new StatusEntry("0001_add_user_balances", MigrationState.Changed, Noon.AddMinutes(5), 7, "deploy@ci-runner"),
            new StatusEntry("0002_add_balance_index", MigrationState.Interrupted, Noon.AddMinutes(9), null, "nova@laptop") { Progress = (1, 3) },
            new StatusEntry("0003_add_platform_user_unique_constraint", MigrationState.Pending, null, null, null),
            new StatusEntry("0004_add_giveaway_concurrency_improvements", MigrationState.Unreadable, null, null, null),
            new StatusEntry("0005_dropped_file", MigrationState.FileMissing, Noon.AddDays(1), 3, "deploy@ci-runner"),
        ],
        new LockHolder("deploy@ci-runner (pid 4242) streambot-migrate up", Noon.AddMinutes(10), Noon.AddMinutes(10).AddSeconds(30), 4242, BackendAlive: true))
    {
        InvalidIndexes = ["idx_giveaway_entries_user"],
        Drift = [new SchemaChange(SchemaChangeKind.Added, "index idx_by_hand on users", null, null), new SchemaChange(SchemaChangeKind.Changed, "column users.email", "varchar(50)", "text")],
        AcceptedDrift = [new AcceptedDrift("0000_initial_schema", Noon.AddMinutes(2), "deploy (nova@laptop)", ["index idx_hotfix on giveaways (added)"])],
        Blockers = [new BlockingSession(777, "bot", "bot-worker", "idle in transaction", TimeSpan.FromSeconds(93.5), "SELECT * FROM giveaways WHERE id = $1", "giveaways RowShareLock") { Relations = ["giveaways"] }],
        DataChecks = new PreflightResult(1,
            [DeployDiagnostics.DataConflict("/repo/migrations/0003_add_platform_user_unique_constraint.sql", 4, 1, "0003_add_platform_user_unique_constraint",
                "UNIQUE (\"platform\", \"platform_user_id\")", "\"platform_connections\"", "2 row(s) share 1 key value(s) with another row", "SELECT ...;")],
            [DeployDiagnostics.DataCheckUnfinished("/repo/migrations/0004_add_giveaway_concurrency_improvements.sql", 12, 19, "0004_add_giveaway_concurrency_improvements",
                "CHECK (entries >= 0)", "giveaways", "it did not finish within its statement_timeout of 5 s", "SELECT count(*)::bigint, NULL::bigint FROM giveaways WHERE NOT (entries >= 0)")],
            ["Sized by the live table: 0004_add_giveaway_concurrency_improvements.sql(20,1): SBM6001 on giveaways, which holds about 40 rows (8 kB): information only, CREATE INDEX blocks writes to it for about 1 ms here."]),
    };

    [Fact]
    public void Status_as_a_table()
    {
        var output = new StringWriter();
        StatusWriter.WriteTable(Status(), output);
        Snapshot.Matches(output.ToString(), "status-table");
    }

    [Fact]
    public void Status_as_json()
    {
        var output = new StringWriter();
        StatusWriter.WriteJson(Status(), output);
        Snapshot.Matches(output.ToString(), "status-json");
    }

    [Fact]
    public void Status_of_an_empty_database_as_a_table()
    {
        var output = new StringWriter();
        StatusWriter.WriteTable(new StatusReport("postgres@localhost:5432/fresh", [new StatusEntry("0000_initial_schema", MigrationState.Pending, null, null, null)], null), output);
        Snapshot.Matches(output.ToString(), "status-table-fresh");
    }

    private static RehearsalReport Rehearsal()
    {
        var readme = "/repo/migrations/README.md";
        var giveaways = new TableLock("giveaways", LockMode.AccessExclusive);
        var trace = new TracedStatement(3, 12.4, [(giveaways, 12.9)], ["giveaways"], ["giveaways"], [giveaways]);
        var surprise = new TracedStatement(7, 2.0, [(new TableLock("users", LockMode.Share), 2.1)], [], [], []) { StartMs = 12.6 };
        return new RehearsalReport("sbm_rehearsal on postgres@localhost:5432/streambot",
        [
            new RehearsedMigration("0003_add_platform_user_unique_constraint", RehearsalOutcome.Passed, 5, 2, [], []),
            new RehearsedMigration("0004_add_giveaway_concurrency_improvements", RehearsalOutcome.Failed, 28, 6, [trace, surprise],
                [new SchemaChange(SchemaChangeKind.Added, "index idx_giveaways_status on giveaways", null, null)]),
            new RehearsedMigration("0005_seed_commands", RehearsalOutcome.RollbackSkipped, 3, 0, [], []),
            new RehearsedMigration("0006_after_the_failure", RehearsalOutcome.NotReached, 0, 0, [], []),
        ],
        [RehearsalDiagnostics.RollbackLeavesDifference(readme, 120, "0004_add_giveaway_concurrency_improvements", ["leaves index idx_giveaways_status on giveaways"])],
        1234)
        {
            AppQueries = new AppQuerySummary(4, ["3 from pg_stat_statements of streambot", "1 from app/queries.sql"], 1),
            Sized = ["0004_add_giveaway_concurrency_improvements.sql(20,1): SBM6001 on giveaways, which holds about 2000000 rows (146 MB): CREATE INDEX estimated 1.4 s, measured 1.9 s in this rehearsal."],
        };
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    [InlineData("markdown")]
    [InlineData("html")]
    public void Rehearsal_report(string format)
    {
        var output = new StringWriter();
        RehearsalWriter.Write(Rehearsal(), format, output);
        Snapshot.Matches(output.ToString(), "rehearsal-" + format);
    }

    [Fact]
    public void The_html_report_escapes_names_from_the_database()
    {
        var hostile = new TableLock("<script>alert(1)</script>", LockMode.AccessExclusive);
        var report = new RehearsalReport("db \"<b>\"", [new RehearsedMigration("0001_<i>x</i>", RehearsalOutcome.Passed, 1, 1,
            [new TracedStatement(1, 1, [(hostile, 1)], [hostile.Table], [], [hostile])], [])], [], 2);
        var output = new StringWriter();
        RehearsalWriter.Write(report, "html", output);
        Assert.DoesNotContain("<script>", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("<i>x</i>", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Text_and_markdown_name_the_html_report_written_beside_them()
    {
        var page = Path.Combine(Environment.CurrentDirectory, "out dir", "rehearsal.html");
        var text = new StringWriter();
        RehearsalWriter.Write(Rehearsal(), "text", text, page);
        var markdown = new StringWriter();
        RehearsalWriter.Write(Rehearsal(), "markdown", markdown, page);
        Assert.EndsWith($"Lock timelines (HTML): {page}\n", text.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Lock timelines, one picture per migration: [rehearsal.html](out%20dir/rehearsal.html) (HTML, self-contained).", markdown.ToString(), StringComparison.Ordinal);
    }
}
