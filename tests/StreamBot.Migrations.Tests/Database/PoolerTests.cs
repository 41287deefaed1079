using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// The tool behind a real PgBouncer: refused cleanly in transaction mode (no lock left behind on a pooled server
/// connection), served in session mode.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class PoolerTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public async Task Eight_appliers_through_a_transaction_mode_pooler_are_refused_before_any_lock_and_leave_none_behind()
    {
        using var s = new DatabaseScenario(postgres, Thirty());
        using var bouncer = PgBouncer.Start(postgres.ServerUrl, "transaction");
        var pooled = Settings(bouncer.Url(s.Url));
        var appliers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var log = new CapturingLog();
            return await Assert.ThrowsAsync<Postgres.MigrationException>(() => new MigrationRunner(s.Options() with { Connection = pooled }, log).UpAsync());
        })).ToList();

        foreach (var failure in await Task.WhenAll(appliers))
        {
            Assert.Equal("SBM4034", failure.Diagnostic.Code);
            Assert.Contains("nothing was locked and nothing changed", failure.Diagnostic.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(TestPostgres.Password, failure.Diagnostic.FullMessage, StringComparison.Ordinal);
        }

        Assert.Equal(0L, s.Scalar<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
        Assert.False(s.TableExists("drizzle_migrations"));
        // The direct URL takes the lock at once and applies everything.
        Assert.Equal(30, await s.Runner().UpAsync());
    }

    [Fact]
    public async Task A_session_mode_pooler_is_served_and_its_lock_released()
    {
        using var s = new DatabaseScenario(postgres, Thirty());
        using var bouncer = PgBouncer.Start(postgres.ServerUrl, "session");
        var pooled = Settings(bouncer.Url(s.Url));
        Assert.Equal(30, await new MigrationRunner(s.Options() with { Connection = pooled }, s.Log).UpAsync());
        Assert.Equal(30L, s.JournalCount());
        Assert.Equal(0L, s.Scalar<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
        Assert.Equal(0L, s.Scalar<long>("SELECT count(*) FROM migration_lock"));
    }

    [Fact]
    public async Task A_statement_mode_pooler_is_refused_too()
    {
        using var s = new DatabaseScenario(postgres, Thirty());
        using var bouncer = PgBouncer.Start(postgres.ServerUrl, "statement");
        var d = await DatabaseScenario.FailsWith("SBM4034", () => new MigrationRunner(s.Options() with { Connection = Settings(bouncer.Url(s.Url)) }, s.Log).UpAsync());
        Assert.Contains("refused a transaction block", d.Message, StringComparison.Ordinal);
        Assert.False(s.TableExists("drizzle_migrations"));
    }

    [Fact]
    public async Task A_lock_taken_in_the_wrong_pooled_session_is_given_back()
    {
        // The check before the lock normally stops a transaction-mode pooler; this exercises what stands behind it.
        // The lock attempt is told it should be in a session it is not in (as when a pooler moved it), so it must
        // find the pooled session that holds the lock and give it back, through the pooler.
        using var s = new DatabaseScenario(postgres, Thirty());
        using var bouncer = PgBouncer.Start(postgres.ServerUrl, "transaction");
        var pooled = Settings(bouncer.Url(s.Url));
        await using var connection = await Postgres.Connection.Database.OpenAsync(pooled, "lock");
        var notThisSession = await Postgres.Connection.Database.BackendPidAsync(connection) + 1_000_000;
        var e = await Assert.ThrowsAsync<Postgres.MigrationException>(() => MigrationLock.TryAdvisoryAsync(connection, notThisSession, pooled));
        Assert.Equal("SBM4034", e.Diagnostic.Code);
        Assert.Contains("was not there for the next transaction", e.Diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(0L, s.Scalar<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
    }

    private static ConnectionSettings Settings(string url) =>
        ConnectionSettings.Parse(url, "test", out var problem) ?? throw new InvalidOperationException(problem!.ToString());

    private static MigrationsFolder Thirty()
    {
        var folder = MigrationsFolder.Empty();
        folder.WriteReadme("# Migrations\n");
        folder.AddMigration("0000_schema", "CREATE TABLE t0000 (id int);\n", notRecommended: true);
        for (var i = 1; i < 30; i++)
        {
            folder.AddMigration($"{i:D4}_table_{i}", $"CREATE TABLE t{i:D4} (id int);\n");
        }

        return folder;
    }
}
