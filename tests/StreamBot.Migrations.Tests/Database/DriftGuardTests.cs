using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// Drift is never absorbed: up and down compare the live schema with the recorded one before they change anything
/// and stop (SBM4036) unless the operator accepts it with --accept-drift, which is recorded (what, who, when) and
/// stays visible in status.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class DriftGuardTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public async Task Up_refuses_to_apply_on_a_drifted_schema_and_the_drift_stays_visible()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        s.Execute("CREATE INDEX idx_users_name_by_hand ON users (name)");
        s.Folder.AddMigration("0003_add_notes", "CREATE TABLE notes (id int);\n", "DROP TABLE notes;", "SELECT 1 FROM pg_tables WHERE tablename = 'notes';");

        var refused = await DatabaseScenario.FailsWith("SBM4036", () => s.Runner().UpAsync());
        Assert.Equal(
            "up did not start: the schema changed outside the migrations since 0002_add_balance_check was applied (fingerprint in drizzle_migrations_schema): "
            + "index idx_users_name_by_hand on users (added). Nothing was changed.",
            refused.Message);
        Assert.False(s.TableExists("notes"));
        Assert.Equal(3L, s.JournalCount());
        Assert.Equal(["index idx_users_name_by_hand on users (added)"], (await s.Runner().StatusAsync()).Drift!.Select(d => d.ToString()));

        var down = await DatabaseScenario.FailsWith("SBM4036", () => s.Runner().DownAsync(null));
        Assert.StartsWith("down did not start:", down.Message, StringComparison.Ordinal);
        Assert.True(s.TableExists("user_balances"));
    }

    [Fact]
    public async Task Accepted_drift_is_recorded_with_who_and_when_and_status_keeps_showing_it()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        s.Execute("CREATE INDEX idx_users_name_by_hand ON users (name)");
        s.Folder.AddMigration("0003_add_notes", "CREATE TABLE notes (id int);\n", "DROP TABLE notes;", "SELECT 1 FROM pg_tables WHERE tablename = 'notes';");

        Assert.Equal(1, await new StreamBot.Migrations.Postgres.Running.MigrationRunner(s.Options() with { AcceptDrift = true }, s.Log).UpAsync());
        Assert.True(s.TableExists("notes"));
        Assert.Contains(s.Log.Diagnostics, d => d.Code == "SBM4035");

        var status = await s.Runner().StatusAsync();
        Assert.Empty(status.Drift!);
        var accepted = Assert.Single(status.AcceptedDrift);
        Assert.Equal("0002_add_balance_check", accepted.Migration);
        Assert.Equal(["index idx_users_name_by_hand on users (added)"], accepted.Changes);
        Assert.Equal($"{s.Settings.Username} ({Environment.UserName}@{Environment.MachineName})", accepted.By);
        Assert.InRange(accepted.At, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

        // The next deploy records its own snapshot; the acceptance is not forgotten.
        s.Folder.AddMigration("0004_add_more_notes", "CREATE TABLE more_notes (id int);\n", "DROP TABLE more_notes;", "SELECT 1 FROM pg_tables WHERE tablename = 'more_notes';");
        await s.Runner().UpAsync();
        Assert.Single((await s.Runner().StatusAsync()).AcceptedDrift);
    }

    [Fact]
    public async Task A_snapshot_recorded_by_an_earlier_version_is_said_to_be_incomparable_and_replaced_by_the_next_run()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        // What the previous release stored: the canonical lines without the format line.
        s.Execute("UPDATE drizzle_migrations_schema SET snapshot = 'table users\ttable\n'");

        var status = await s.Runner().StatusAsync();
        Assert.Null(status.Drift);
        Assert.Contains("was taken by an earlier version of streambot-migrate, which read fewer kinds of object: drift since then cannot be told.", s.Log.Text, StringComparison.Ordinal);

        s.Folder.AddMigration("0003_add_notes", "CREATE TABLE notes (id int);\n", "DROP TABLE notes;", "SELECT 1 FROM pg_tables WHERE tablename = 'notes';");
        await s.Runner().UpAsync();
        Assert.Empty((await s.Runner().StatusAsync()).Drift!);
    }
}
