using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Tests.Support;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Tests.Unit.Backfills;

/// <summary>
/// How a statement marked <c>-- streambot:backfill</c> is read: what each batch runs (the migration's own text with
/// the key range added to its WHERE), and which statements are refused because batching would change their result.
/// The server runs these batches in Database/BackfillTests; here the reading is pinned, server-free.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class BackfillReaderTests
{
    private const string Accepted = """
        CREATE TABLE message_history (id bigserial PRIMARY KEY, platform text, channel_id int NOT NULL, body text);
        -- streambot:backfill
        UPDATE message_history SET platform = 'twitch' WHERE platform IS NULL;
        -- streambot:backfill key (channel_id, id)
        UPDATE ONLY public.message_history AS m SET body = lower(m.body) FROM channels c WHERE c.id = m.channel_id AND c.platform = 'kick' -- kick only
            OR m.body IS NULL;
        -- streambot:backfill
        DELETE FROM message_history WHERE body = '';
        -- streambot:backfill
        DELETE FROM message_history mh USING channels c WHERE c.id = mh.channel_id AND c.deleted;
        -- streambot:backfill
        INSERT INTO message_archive (id, body) SELECT h.id, h.body FROM message_history h JOIN channels c ON c.id = h.channel_id ORDER BY h.id ON CONFLICT (id) DO NOTHING;
        -- streambot:backfill
        INSERT INTO message_archive (id, body) SELECT id, body FROM message_history WHERE platform = 'kick';
        -- streambot:backfill
        UPDATE message_history SET platform = 'twitch';
        """;

    [Fact]
    public void Each_batch_runs_the_statement_restricted_to_its_key_range()
    {
        var migration = Validate(Accepted, out var diagnostics);
        Assert.Empty(diagnostics);
        var lines = migration.Backfills.Select(b =>
            $"line {b.Line}: {b.Kind} over {b.Table} ({b.TableName}), key {(b.Key is null ? "primary key" : string.Join(", ", b.Key))}, sets [{string.Join(", ", b.SetColumns)}]\n"
            + $"first batch:\n{b.BatchSql(["id"], ["bigint"], hasLowerBound: false)}\n"
            + $"next batches:\n{b.BatchSql(["channel_id", "id"], ["integer", "bigint"], hasLowerBound: true)}\n");
        Snapshot.Matches(string.Join("\n", lines), "backfill-batches");
    }

    [Theory]
    [InlineData("WITH old AS (SELECT id FROM message_history) UPDATE message_history SET platform = 'x' WHERE id IN (SELECT id FROM old)", "a WITH query")]
    [InlineData("UPDATE message_history SET platform = 'x' RETURNING id", "RETURNING")]
    [InlineData("UPDATE message_history SET rank = (SELECT count(*) FROM message_history)", "reads message_history, the table it changes")]
    [InlineData("UPDATE message_history SET platform = 'x' FROM channels c, message_history other WHERE other.id = message_history.id", "reads message_history")]
    [InlineData("DELETE FROM message_history WHERE id IN (SELECT max(id) FROM message_history GROUP BY body)", "reads message_history")]
    [InlineData("INSERT INTO message_archive (n) SELECT count(*) FROM message_history", "count() folds")]
    [InlineData("INSERT INTO message_archive (body) SELECT DISTINCT body FROM message_history", "DISTINCT")]
    [InlineData("INSERT INTO message_archive (body) SELECT body FROM message_history GROUP BY body", "GROUP works")]
    [InlineData("INSERT INTO message_archive (body) SELECT body FROM message_history LIMIT 10", "LIMIT works")]
    [InlineData("INSERT INTO message_archive (id, r) SELECT id, row_number() OVER (ORDER BY id) FROM message_history", "window function")]
    [InlineData("INSERT INTO message_archive (id) SELECT id FROM message_archive", "reads message_archive, the table it inserts into")]
    [InlineData("INSERT INTO message_archive (id) VALUES (1)", "INSERT ... VALUES")]
    [InlineData("INSERT INTO message_archive (id) SELECT g FROM generate_series(1, 10) g", "reads no plain table first")]
    [InlineData("SELECT 1", "this statement is SELECT")]
    [InlineData("UPDATE message_history SET platform = 'x' WHERE CURRENT OF c", "CURRENT OF")]
    public void A_statement_batching_would_change_is_refused_with_its_reason(string statement, string reason)
    {
        Validate($"-- streambot:backfill\n{statement};\n", out var diagnostics);
        var refusal = Assert.Single(diagnostics);
        Assert.Equal("SBM2014", refusal.Code);
        Assert.Equal((2, 1), (refusal.Line, refusal.Column));
        Assert.Contains(reason, refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-- streambot:backfill key\nUPDATE t SET a = 1;\n", "is not understood")]
    [InlineData("-- streambot:backfill key (a, a)\nUPDATE t SET a = 1;\n", "is not understood")]
    [InlineData("-- streambot:backfill keys (a)\nUPDATE t SET a = 1;\n", "is not understood")]
    [InlineData("UPDATE t SET a = 1;\n-- streambot:backfill\n", "none follows")]
    [InlineData("-- streambot:backfill\n-- streambot:backfill\nUPDATE t SET a = 1;\n", "marked backfill twice")]
    public void A_malformed_mark_is_an_error_at_its_line(string sql, string problem)
    {
        Validate(sql, out var diagnostics);
        var error = Assert.Single(diagnostics);
        Assert.Equal("SBM6103", error.Code);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quoted_key_keeps_its_case_and_a_plain_one_folds()
    {
        var migration = Validate("-- streambot:backfill key (\"Channel\", ID)\nUPDATE t SET a = 1;\n", out var diagnostics);
        Assert.Empty(diagnostics);
        Assert.Equal(["Channel", "id"], migration.Backfills.Single().Key);
    }

    [Fact]
    public void A_migration_with_a_backfill_runs_in_phases_around_it()
    {
        var migration = Validate("""
            ALTER TABLE t ADD COLUMN b int;
            ALTER TABLE t ADD COLUMN c int;
            -- streambot:backfill
            UPDATE t SET b = 1;
            CREATE INDEX CONCURRENTLY t_b ON t (b);
            ALTER TABLE t ALTER COLUMN c SET DEFAULT 0;

            """, out _);
        Assert.False(migration.IsTransactional);
        Assert.Equal(
            [new MigrationPhase(PhaseKind.Transaction, 0, 2), new MigrationPhase(PhaseKind.Backfill, 2, 3), new MigrationPhase(PhaseKind.Statement, 3, 4), new MigrationPhase(PhaseKind.Transaction, 4, 5)],
            MigrationPhases.Of(migration));
        Assert.Equal("phase 2 of 4 (backfill over t, statement 3)", MigrationPhases.Describe(migration, 2));
        Assert.Equal("phase 1 of 4 (statements 1 to 2 in one transaction)", MigrationPhases.Describe(migration, 0));
        Assert.True(MigrationPhases.IsExact(migration, 2));
        Assert.False(MigrationPhases.IsExact(migration, 3)); // inside CREATE INDEX CONCURRENTLY: it may have run
        Assert.True(MigrationPhases.IsExact(migration, 5));
    }

    [Fact]
    public void The_build_refuses_a_backfill_over_a_table_the_folder_created_without_a_primary_key_until_one_is_added()
    {
        using var folder = MigrationsFolder.Empty().WriteReadme("# Migrations\n")
            .AddMigration("0000_tables", "CREATE TABLE chat_log (said text);\nCREATE TABLE keyed (id int PRIMARY KEY, said text);\n", notRecommended: true)
            .AddMigration("0001_fill", "-- streambot:backfill\nUPDATE chat_log SET said = lower(said);\n-- streambot:backfill\nUPDATE keyed SET said = lower(said);\n", notRecommended: true)
            .AddMigration("0002_key", "ALTER TABLE chat_log ADD COLUMN id bigserial PRIMARY KEY;\n-- streambot:backfill\nUPDATE chat_log SET said = upper(said);\n", notRecommended: true);
        var diagnostics = MigrationsValidator.Validate(folder.Directory).Diagnostics;
        var refused = Assert.Single(diagnostics);
        Assert.Equal(("SBM2015", "0001_fill.sql", 2), (refused.Code, Path.GetFileName(refused.File), refused.Line));
    }

    private static ValidatedMigration Validate(string sql, out IReadOnlyList<Migrations.Diagnostics.Diagnostic> diagnostics)
    {
        using var folder = MigrationsFolder.Empty().WriteReadme("# Migrations\n").AddMigration("0000_backfill", sql.EndsWith('\n') ? sql : sql + "\n", notRecommended: true);
        var report = MigrationsValidator.Validate(folder.Directory, keepScripts: true);
        diagnostics = report.Diagnostics;
        return report.Validated.Single();
    }
}
