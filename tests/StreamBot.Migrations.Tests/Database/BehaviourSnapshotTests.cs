using StreamBot.Migrations.Postgres.Rehearsal;
using StreamBot.Migrations.Schema;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// Everything that changes what the bot can do or what happens to its rows is part of the schema snapshot: for each
/// kind of change, a rollback that forgets it fails the rehearsal at its README line (SBM7001), and the same change
/// made by hand is drift (SBM4035). One rehearsal and one drift check serve every case (<see cref="Changes"/>), so
/// each case costs a migration, not a server round of its own.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class BehaviourSnapshotTests(BehaviourSnapshotTests.Outcomes outcomes) : IClassFixture<BehaviourSnapshotTests.Outcomes>
{
    // The objects every change acts on, made by the first migration (which is not rolled back).
    private const string Schema = """
        CREATE TABLE users (id int PRIMARY KEY, name text, bio text, updated_at timestamptz);
        CREATE TABLE audit_log (id bigint, at timestamptz, detail text);
        CREATE TABLE giveaways (id int PRIMARY KEY, title text);
        CREATE TABLE chat_events (at date NOT NULL, body text) PARTITION BY RANGE (at);
        CREATE TABLE chat_events_2025 (at date NOT NULL, body text);
        CREATE TABLE entries (id int PRIMARY KEY);
        CREATE SEQUENCE ticket_numbers;
        CREATE VIEW active_users AS SELECT id, name FROM users WHERE name IS NOT NULL;
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
        CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE FUNCTION score(points int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT points + 1; END;
        CREATE FUNCTION greet(who text DEFAULT 'chat') RETURNS text LANGUAGE sql AS $$ SELECT 'hello ' || who $$;
        CREATE FUNCTION balance_of(user_id int) RETURNS bigint LANGUAGE sql AS $$ SELECT 0::bigint $$;
        CREATE FUNCTION entry_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM entries $$;
        CREATE FUNCTION payout() RETURNS void LANGUAGE sql AS $$ SELECT $$;

        """;

    /// <summary>
    /// Each change: a migration that makes it (applied twice by the rehearsal, so written to be repeatable), the object
    /// it changes as the snapshot names it, and what that object's definition says afterwards (empty for an object the
    /// change adds).
    /// </summary>
    public static TheoryData<string, string, string, string> Changes() => new()
    {
        { "row_level_security", "ALTER TABLE users ENABLE ROW LEVEL SECURITY;", "table users", "table row level security owner " },
        { "policy", "DROP POLICY IF EXISTS own_rows ON giveaways;\nCREATE POLICY own_rows ON giveaways USING (id > 0);", "policy own_rows on giveaways", "permissive for all to PUBLIC using ((id > 0))" },
        { "disabled_trigger", "ALTER TABLE users DISABLE TRIGGER users_touch;", "trigger users_touch on users", "EXECUTE FUNCTION touch() (disabled)" },
        { "unlogged", "ALTER TABLE audit_log SET UNLOGGED;", "table audit_log", "table unlogged owner " },
        { "rule", "CREATE OR REPLACE RULE keep_entries AS ON DELETE TO entries DO INSTEAD NOTHING;", "rule keep_entries on entries", "DO INSTEAD NOTHING" },
        { "begin_atomic_body", "CREATE OR REPLACE FUNCTION score(points int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT points + 2; END;", "function score(points integer)", "body md5 " },
        { "argument_default", "CREATE OR REPLACE FUNCTION greet(who text DEFAULT 'stream') RETURNS text LANGUAGE sql AS $$ SELECT 'hello ' || who $$;", "function greet(who text)", "arguments (who text DEFAULT 'stream'::text)" },
        { "strict", "ALTER FUNCTION balance_of(int) STRICT;", "function balance_of(user_id integer)", "volatility v strict parallel u" },
        { "function_setting", "ALTER FUNCTION entry_count() SET search_path = public;", "function entry_count()", "set search_path=public" },
        { "security_definer", "ALTER FUNCTION payout() SECURITY DEFINER;", "function payout()", "volatility v security definer parallel u" },
        { "grant", "GRANT SELECT ON giveaways TO PUBLIC;", "privileges on table giveaways", "PUBLIC SELECT" },
        { "comment", "COMMENT ON COLUMN giveaways.title IS 'shown in chat';", "comment on column title of table giveaways", "shown in chat" },
        { "attach_partition", "DO $$ BEGIN\n  ALTER TABLE chat_events ATTACH PARTITION chat_events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\nEXCEPTION WHEN wrong_object_type THEN NULL;\nEND $$;", "table chat_events_2025", "table partition of chat_events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') owner " },
        { "sequence_owned_by", "ALTER SEQUENCE ticket_numbers OWNED BY entries.id;", "sequence ticket_numbers", "owned by entries.id" },
        { "view_option", "ALTER VIEW active_users SET (security_barrier = true);", "view active_users", "with (security_barrier=true)" },
        { "storage_options", "ALTER TABLE giveaways SET (fillfactor = 70, autovacuum_enabled = false);", "table giveaways", "with (fillfactor=70, autovacuum_enabled=false)" },
        { "replica_identity", "ALTER TABLE entries REPLICA IDENTITY FULL;", "table entries", "replica identity full" },
        { "column_statistics", "ALTER TABLE users ALTER COLUMN name SET STATISTICS 500;", "column users.name", "text null statistics 500" },
        { "column_compression", "ALTER TABLE users ALTER COLUMN bio SET COMPRESSION pglz;", "column users.bio", "text null compression pglz" },
        { "column_storage", "ALTER TABLE audit_log ALTER COLUMN detail SET STORAGE EXTERNAL;", "column audit_log.detail", "text null storage external" },
        { "extended_statistics", "CREATE STATISTICS IF NOT EXISTS users_name_bio ON name, bio FROM users;", "statistics users_name_bio on users", "CREATE STATISTICS public.users_name_bio ON name, bio FROM users" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_rollback_that_forgets_the_change_fails_the_rehearsal_at_its_README_line(string change, string sql, string changed, string after)
    {
        var name = Outcomes.Migration(change);
        var found = outcomes.Rehearsal.Diagnostics.Where(d => d.Code == "SBM7001" && d.Message.Contains($"The rollback of {name} ", StringComparison.Ordinal)).ToList();
        Assert.True(found.Count == 1, $"{name}: the rehearsal reported\n{string.Join("\n", outcomes.Rehearsal.Diagnostics)}");
        Assert.Equal(outcomes.ReadmePath, found[0].File);
        Assert.Equal(LineOf(outcomes.ReadmePath, Outcomes.ForgetfulRollback(change)), found[0].Line);
        Assert.Contains($"before {name}: leaves {changed}", found[0].Message, StringComparison.Ordinal);
        var difference = Assert.Single(outcomes.Rehearsal.Migrations.Single(m => m.Name == name).Differences);
        Assert.Equal(changed, difference.Name);
        Assert.Contains(after, difference.After, StringComparison.Ordinal);
        Assert.NotEqual(difference.Before, difference.After);
        Assert.False(string.IsNullOrEmpty(sql));
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public void The_same_change_made_by_hand_is_drift(string change, string sql, string changed, string after)
    {
        var drift = outcomes.Drift.Where(d => d.Name == changed).ToList();
        Assert.True(drift.Count == 1, $"{change}: the drift is\n{string.Join("\n", outcomes.Drift)}");
        Assert.Contains(after, drift[0].After, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(sql));
    }

    [Fact]
    public void Every_change_is_drift_and_nothing_else_is()
    {
        // One entry per changed object: a change never shows up as noise on an object it did not touch.
        Assert.Equal(
            [
                "comment on column title of table giveaways", "function balance_of(user_id integer)", "function entry_count()", "function greet(who text)",
                "function payout()", "function score(points integer)", "policy own_rows on giveaways", "privileges on table giveaways",
                "rule keep_entries on entries", "sequence ticket_numbers", "statistics users_name_bio on users", "table audit_log",
                "table chat_events_2025", "table entries", "table giveaways", "table users", "trigger users_touch on users", "view active_users",
                "column audit_log.detail", "column users.bio", "column users.name",
            ],
            outcomes.Drift.Select(d => d.Name).Order(StringComparer.Ordinal).OrderBy(n => n.StartsWith("column ", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_report_names_what_the_snapshots_do_not_compare()
    {
        Assert.Contains("row data and sequence values", SchemaSnapshot.NotCompared);
        Assert.Contains(outcomes.Rehearsal.Migrations, m => m.Outcome == RehearsalOutcome.RollbackSkipped);
    }

    private static int LineOf(string file, string text) => File.ReadAllLines(file).Select((l, i) => (l, i)).First(x => x.l.Trim() == text).i + 1;

    /// <summary>The one rehearsal of a folder with every change and a forgetful rollback each, and the drift after the same changes made by hand.</summary>
    public sealed class Outcomes : IAsyncLifetime, IDisposable
    {
        private readonly TestPostgres _postgres = new();
        private DatabaseScenario? _rehearsed;
        private DatabaseScenario? _drifted;

        public RehearsalReport Rehearsal { get; private set; } = null!;

        public IReadOnlyList<SchemaChange> Drift { get; private set; } = [];

        public string ReadmePath => _rehearsed!.Folder.ReadmePath;

        public static string Migration(string change) => $"{Index(change) + 1:D4}_{change}";

        public static string ForgetfulRollback(string change) => $"SELECT 'forgets {change}';";

        public async Task InitializeAsync()
        {
            var folder = MigrationsFolder.Empty().WriteReadme("# Migrations\n\n## Migration Files\n");
            folder.AddMigration("0000_schema", Schema, notRecommended: true);
            foreach (var (change, sql) in All())
            {
                folder.AddMigration(Migration(change), sql + "\n", ForgetfulRollback(change), "SELECT 1 WHERE false;");
            }

            _rehearsed = new DatabaseScenario(_postgres, folder);
            Rehearsal = await new MigrationRehearsal(_rehearsed.Options(), _rehearsed.Log).RunAsync();

            var schemaOnly = MigrationsFolder.Empty().WriteReadme("# Migrations\n\n## Migration Files\n");
            schemaOnly.AddMigration("0000_schema", Schema, notRecommended: true);
            _drifted = new DatabaseScenario(_postgres, schemaOnly);
            await _drifted.Runner().UpAsync();
            // By hand, as an operator would: psql, one file with every change.
            var changes = Path.Combine(_drifted.Folder.Directory, "by-hand.psql");
            await File.WriteAllTextAsync(changes, string.Join("\n", All().Select(c => c.Sql)));
            var psql = TestPostgres.Psql(_drifted.Url, $"-v ON_ERROR_STOP=1 -q -f \"{changes}\"");
            File.Delete(changes);
            if (psql.ExitCode != 0)
            {
                throw new InvalidOperationException("the changes by hand failed: " + psql.Error);
            }

            Drift = (await _drifted.Runner().StatusAsync()).Drift ?? throw new InvalidOperationException("no schema was recorded");
        }

        public Task DisposeAsync()
        {
            Dispose();
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            _rehearsed?.Dispose();
            _drifted?.Dispose();
            (_rehearsed, _drifted) = (null, null);
            _postgres.Dispose();
        }

        private static IEnumerable<(string Change, string Sql)> All() => Changes().Select(row => ((string)row[0], (string)row[1]));

        private static int Index(string change) => All().Select((c, i) => (c.Change, i)).Single(x => x.Change == change).i;
    }
}
