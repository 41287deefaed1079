using StreamBot.Migrations.Postgres.Preflight;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// Production's rows are counted before anything is locked: a pending constraint they would refuse stops up with
/// SBM4037 at the statement, with the count and a query that lists the rows, and nothing is locked, backed up or
/// applied. No row value ever reaches the output.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class DataPreflightTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private const string Token = "oauth-SECRET-token-5f1e";
    private const string Email = "private.person@example.invalid";

    [Fact]
    public async Task The_stream_bots_0003_is_refused_before_the_lock_while_two_accounts_share_a_platform_user_and_applies_once_resolved()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.StreamBot());
        foreach (var file in new[] { "0000_broad_speedball.sql", "0001_add_updated_at_triggers.sql", "0002_add_stream_session_stats.sql" })
        {
            Assert.Equal(0, TestPostgres.Psql(s.Url, $"-q -v ON_ERROR_STOP=1 -f \"{s.Folder.Path(file)}\"").ExitCode);
        }

        await s.Runner().BaselineAsync("0002");
        s.ExecuteScript($"""
            INSERT INTO users (id, email) VALUES ('00000000-0000-0000-0000-000000000001', '{Email}'), ('00000000-0000-0000-0000-000000000002', 'b@example.invalid');
            INSERT INTO platform_connections (user_id, platform, platform_user_id, access_token)
            VALUES ('00000000-0000-0000-0000-000000000001', 'twitch', '4815162342', '{Token}'),
                   ('00000000-0000-0000-0000-000000000002', 'twitch', '4815162342', '{Token}'),
                   ('00000000-0000-0000-0000-000000000002', 'kick', '4815162342', NULL)
            """);
        var journal = s.JournalCount();

        var refused = await DatabaseScenario.FailsWith("SBM4037", () => s.Runner(backup: true).UpAsync());
        Assert.Equal(
            $"{s.Folder.Path("0003_add_platform_user_unique_constraint.sql")}(4,1): error SBM4037: 0003_add_platform_user_unique_constraint would fail here on the live data: "
            + "UNIQUE (\"platform\", \"platform_user_id\") on \"platform_connections\", and 2 row(s) share 1 key value(s) with another row. Nothing was locked, backed up or applied. "
            + "List the rows with: SELECT \"platform\", \"platform_user_id\", count(*) AS rows FROM \"platform_connections\" WHERE (\"platform\") IS NOT NULL AND (\"platform_user_id\") IS NOT NULL "
            + "GROUP BY (\"platform\"), (\"platform_user_id\") HAVING count(*) > 1 ORDER BY count(*) DESC; Resolve them (or change the migration so it resolves them first), then run up again.",
            refused.ToString());
        Assert.False(Directory.Exists(s.BackupDirectory) && Directory.EnumerateFiles(s.BackupDirectory).Any(), "no backup is written");
        Assert.Equal(0L, s.Scalar<long>("SELECT count(*) FROM migration_lock"));
        Assert.Equal(journal, s.JournalCount());
        Assert.False(s.TableExists("platform_connections_platform_platform_user_id_unique"));
        Assert.DoesNotContain(Token, s.Log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("4815162342", s.Log.Text + refused, StringComparison.Ordinal);

        // The dry run and status say the same without changing anything.
        await DatabaseScenario.FailsWith("SBM4037", () => s.Runner(dryRun: true).UpAsync());
        var status = await s.Runner().StatusAsync();
        Assert.Equal(["SBM4037"], status.DataChecks.Conflicts.Select(c => c.Code));

        s.Execute("DELETE FROM platform_connections WHERE user_id = '00000000-0000-0000-0000-000000000002' AND platform = 'twitch'");
        Assert.Equal(2, await s.Runner().UpAsync());
        Assert.True(s.TableExists("platform_connections_platform_platform_user_id_unique"));
    }

    [Fact]
    public async Task Set_not_null_check_foreign_key_and_type_conversion_are_each_counted_at_their_line()
    {
        using var s = new DatabaseScenario(postgres, NotesFolder());
        await s.Runner().UpAsync();
        s.ExecuteScript($"""
            INSERT INTO users (id, name) VALUES (1, '{Email}');
            INSERT INTO notes (user_id, body, score, code) VALUES (1, NULL, 5, '12'), (1, 'fine', -3, '7'), (999, 'orphan', 1, 'x{Token}'), (NULL, 'no user', 2, '9');
            """);
        s.Folder.AddMigration("0004_tighten_notes",
            "ALTER TABLE notes ALTER COLUMN body SET NOT NULL;\n"
            + "ALTER TABLE notes ADD CONSTRAINT notes_score_check CHECK (score >= 0);\n"
            + "ALTER TABLE notes ADD CONSTRAINT notes_user_fk FOREIGN KEY (user_id) REFERENCES users;\n"
            + "ALTER TABLE notes ADD COLUMN rank int NOT NULL;\n"
            + "ALTER TABLE notes ALTER COLUMN code TYPE integer USING code::integer;\n",
            "ALTER TABLE notes DROP COLUMN rank; ALTER TABLE notes ALTER COLUMN code TYPE text; ALTER TABLE notes DROP CONSTRAINT notes_user_fk; ALTER TABLE notes DROP CONSTRAINT notes_score_check; ALTER TABLE notes ALTER COLUMN body DROP NOT NULL;",
            "SELECT 1 FROM pg_constraint WHERE conname = 'notes_score_check';");

        var e = await Assert.ThrowsAsync<StreamBot.Migrations.Postgres.MigrationException>(() => s.Runner().UpAsync());
        Snapshot.Matches(string.Join("\n", e.Diagnostics.Select(d => d.ToString().Replace(s.Folder.Directory, "<dir>", StringComparison.Ordinal))), "DataPreflight.conflicts");
        Assert.Equal([1, 2, 3, 4, 5], e.Diagnostics.Select(d => d.Line));
        Assert.DoesNotContain(Token, string.Join("\n", e.Diagnostics) + s.Log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Email, string.Join("\n", e.Diagnostics) + s.Log.Text, StringComparison.Ordinal);
        Assert.Equal(4L, s.JournalCount());

        s.Execute("DELETE FROM notes");
        Assert.Equal(1, await s.Runner().UpAsync());
    }

    [Fact]
    public async Task A_table_an_earlier_pending_statement_changes_is_left_to_the_rehearsal_and_said_so()
    {
        using var s = new DatabaseScenario(postgres, NotesFolder());
        await s.Runner().UpAsync();
        s.Execute("INSERT INTO notes (body, score) VALUES ('a', -1), ('b', 1)");
        s.Folder.AddMigration("0004_clean_then_check",
            "DELETE FROM notes WHERE score < 0;\nALTER TABLE notes ADD CONSTRAINT notes_score_check CHECK (score >= 0);\n",
            "ALTER TABLE notes DROP CONSTRAINT notes_score_check;", "SELECT 1 FROM pg_constraint WHERE conname = 'notes_score_check';");
        s.Folder.AddMigration("0005_new_table_with_check",
            "CREATE TABLE tags (name text);\nALTER TABLE tags ADD CONSTRAINT tags_name_check CHECK (name <> '');\n",
            "DROP TABLE tags;", "SELECT 1 FROM pg_tables WHERE tablename = 'tags';");

        Assert.Equal(2, await s.Runner().UpAsync());
        Assert.Contains("Data check: 0004_clean_then_check.sql(2,19): CHECK (score >= 0) on notes is left to the rehearsal (notes is changed before it by 0004_clean_then_check.sql line 1, so the live rows are not the ones it will meet).", s.Log.Lines);
        Assert.Contains("Data check: 1 check(s) on 1 table(s) that pending migrations create (tags) are left to the rehearsal: those tables hold only what the migrations put there.", s.Log.Lines);
    }

    [Fact]
    public async Task A_check_that_outlives_its_timeout_is_a_warning_that_says_it_was_not_checked_never_a_pass()
    {
        using var s = new DatabaseScenario(postgres, NotesFolder());
        await s.Runner().UpAsync();
        s.Execute("INSERT INTO notes (body, score) SELECT 'n', 1 FROM generate_series(1, 5)");
        s.Execute("CREATE FUNCTION slow_positive(v int) RETURNS boolean LANGUAGE sql AS 'SELECT pg_sleep(0.2) IS NOT NULL AND v > 0'");
        s.Folder.AddMigration("0004_slow_check",
            "ALTER TABLE notes ADD CONSTRAINT notes_score_check CHECK (slow_positive(score));\n",
            "ALTER TABLE notes DROP CONSTRAINT notes_score_check;", "SELECT 1 FROM pg_constraint WHERE conname = 'notes_score_check';");

        var options = s.Options() with { Preflight = new PreflightOptions(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(60)), AcceptDrift = true };
        Assert.Equal(1, await new MigrationRunner(options, s.Log).UpAsync());
        var warning = Assert.Single(s.Log.Diagnostics, d => d.Code == "SBM4038");
        Assert.Equal(
            "0004_slow_check: CHECK (slow_positive(score)) on notes was not checked against the live rows (it did not finish within its statement_timeout of 300 ms); the migration may still fail on them. "
            + "Run the check yourself when the database is quiet: SELECT count(*)::bigint, NULL::bigint FROM notes WHERE NOT (slow_positive(score)) (0 means no conflict); or raise --preflight-check-timeout / --preflight-budget.",
            warning.FullMessage);
    }

    // users, user_balances and a notes table with room for every kind of conflict.
    private static MigrationsFolder NotesFolder() => MigrationsFolder.ForDatabase().AddMigration("0003_add_notes",
        "CREATE TABLE notes (id serial PRIMARY KEY, user_id int, body text, score int, code text);\n",
        "DROP TABLE notes;", "SELECT 1 FROM pg_tables WHERE tablename = 'notes';");
}
