using StreamBot.Migrations.Postgres.Rehearsal;
using StreamBot.Migrations.Tests.Support;
using StreamBot.Service;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// The running bot's own queries, as pg_stat_statements recorded them while the test drove the service (and as
/// migrations/app/queries.sql lists them), are prepared in the rehearsal after each migration: dropping a column one of
/// them reads fails at the DROP with the query named; adding a nullable column passes.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class AppQueryCompatibilityTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public async Task Dropping_a_column_the_bot_reads_fails_the_rehearsal_at_the_drop_naming_the_query()
    {
        using var s = await DrivenAsync();
        s.Folder.AddMigration("0005_drop_display_name", "-- the new version shows emails only\nALTER TABLE users DROP COLUMN display_name;\n",
            "ALTER TABLE users ADD COLUMN display_name text;", "SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'display_name';", expectedRows: 1);

        var report = await new MigrationRehearsal(s.Options(), s.Log).RunAsync();

        var broken = report.Diagnostics.Where(d => d.Code == "SBM7008").ToList();
        Assert.Equal(2, broken.Count);
        Assert.All(broken, d => Assert.Equal((s.Folder.Path("0005_drop_display_name.sql"), 2, 1), (d.File, d.Line, d.Column)));
        var fromStatements = Assert.Single(broken, d => d.Message.Contains("(from pg_stat_statements of ", StringComparison.Ordinal));
        Assert.Matches(@"^After this statement of 0005_drop_display_name, a query the running app executes no longer prepares: -?\d+ ""SELECT coalesce\(u\.display_name, u\.email\), b\.command_prefix, coalesce\(array_agg\(p\.platform ORDER B\.\.\."" \(from pg_stat_statements of sbm_[0-9a-f]+\): column u\.display_name does not exist\. ",
            fromStatements.Message);
        Assert.Contains(broken, d => d.Message.Contains("app/queries.sql:7 \"SELECT coalesce(u.display_name, u.email)", StringComparison.Ordinal));
        Assert.Equal(RehearsalOutcome.Failed, report.Migrations.Single(m => m.Name == "0005_drop_display_name").Outcome);
        // The bot's query and the ones its driver (Npgsql) runs on its own, recorded alike; and the checked-in file.
        Assert.Matches(@"^App queries: \d+ checked after each migration \(\d+ from pg_stat_statements of sbm_[0-9a-f]+; 1 from app/queries\.sql\)\.$", report.AppQueries.ToString());
    }

    [Fact]
    public async Task A_migration_that_only_adds_a_nullable_column_passes()
    {
        using var s = await DrivenAsync();
        s.Folder.AddMigration("0005_add_users_pronouns", "ALTER TABLE users ADD COLUMN pronouns text;\n",
            "ALTER TABLE users DROP COLUMN pronouns;", "SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'pronouns';");

        var report = await new MigrationRehearsal(s.Options(), s.Log).RunAsync();

        Assert.False(report.Failed, string.Join("\n", report.Diagnostics));
        Assert.Equal(RehearsalOutcome.Passed, report.Migrations.Single(m => m.Name == "0005_add_users_pronouns").Outcome);
        Assert.InRange(report.AppQueries.Checked, 2, 10);
        Assert.Equal(0, report.AppQueries.NeverPrepared);
    }

    // The Stream Bot's folder applied to a database with pg_stat_statements, and the service run against it three times.
    private async Task<DatabaseScenario> DrivenAsync()
    {
        var folder = MigrationsFolder.StreamBot();
        // New migrations are added by hand here, not by drizzle-kit: its journal would want an entry for each.
        Directory.Delete(folder.Path("meta"), recursive: true);
        var s = new DatabaseScenario(postgres, folder);
        s.Execute("CREATE EXTENSION pg_stat_statements");
        await s.Runner().UpAsync();
        s.Execute("SELECT pg_stat_statements_reset()");
        for (var i = 0; i < 3; i++)
        {
            await BotSettingsStore.LoadAsync(s.Settings.ToNpgsql("test"));
        }

        return s;
    }
}
