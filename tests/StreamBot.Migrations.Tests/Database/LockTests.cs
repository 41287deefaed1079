using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

[Trait(Tier.Name, Tier.Database)]
public sealed class LockTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_waiter_gives_up_after_its_timeout_and_names_the_live_holder()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await using (await MigrationLock.AcquireAsync(s.Settings, LockOptions.Default, "up", s.Log))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var d = await DatabaseScenario.FailsWith("SBM4004",
                () => s.Runner(lockOptions: new LockOptions(TimeSpan.FromSeconds(1.5), TimeSpan.FromMinutes(10))).UpAsync());
            Assert.InRange(clock.Elapsed.TotalSeconds, 1.4, 20);
            Assert.Contains("streambot-migrate up", d.Message, StringComparison.Ordinal);
            Assert.Contains($"pid {Environment.ProcessId}", d.Message, StringComparison.Ordinal);
            Assert.Contains(s.Log.Lines, l => l.StartsWith("Waiting for the migration lock, held by", StringComparison.Ordinal));
            Assert.False(s.TableExists("users"));
        }

        // Released: the row is gone and the next run proceeds at once.
        Assert.Equal(0L, s.Scalar<long>("SELECT count(*) FROM migration_lock"));
        Assert.Equal(3, await s.Runner().UpAsync());
    }

    [Fact]
    public async Task Status_never_waits_for_the_lock_and_shows_the_holder()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await using var lease = await MigrationLock.AcquireAsync(s.Settings, LockOptions.Default, "up", s.Log);
        var report = await s.Runner().StatusAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(report.LockHolder);
        Assert.True(report.LockHolder!.BackendAlive);
        Assert.Contains("streambot-migrate up", report.LockHolder.LockedBy, StringComparison.Ordinal);
    }

    [Fact]
    public void A_killed_applier_frees_the_lock_without_anyone_touching_migration_lock()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Folder.AddMigration("0003_slow", "CREATE TABLE slow (id int);\nSELECT pg_sleep(60);\n", "DROP TABLE slow;", "SELECT 1 FROM pg_tables WHERE tablename = 'slow';");
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url };
        using (var victim = CliProcess.Start($"up --no-backup --dir \"{s.Folder.Directory}\"", env))
        {
            WaitUntil(() => s.Scalar<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(60)%' AND state = 'active'") == 1, victim);
            victim.Kill();
            victim.WaitForExit(TimeSpan.FromSeconds(30));
        }

        // Not applied, so it may still change: the next run should not sleep too.
        s.Folder.Write("0003_slow.sql", "CREATE TABLE slow (id int);\n");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (exit, output) = CliProcess.Run($"up --no-backup --lock-timeout 30 --dir \"{s.Folder.Directory}\"", env);
        Assert.True(exit == 0, output);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 25);
        Assert.Equal(4L, s.JournalCount());
        Assert.True(s.TableExists("slow"));
    }

    [Fact]
    public void A_migration_running_longer_than_the_stale_timeout_keeps_other_appliers_out()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Folder.AddMigration("0003_slow", "CREATE TABLE slow (id int);\nSELECT pg_sleep(10);\n", "DROP TABLE slow;", "SELECT 1 FROM pg_tables WHERE tablename = 'slow';");
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url };
        using var first = CliProcess.Start($"up --no-backup --stale-lock-timeout 1 --dir \"{s.Folder.Directory}\"", env);
        // Wait for the slow statement itself: on a busy machine the second applier must still find it running.
        WaitUntil(() => s.Scalar<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(10)%' AND state = 'active'") == 1, first);
        Thread.Sleep(1500); // past the stale timeout: the heartbeat and the advisory lock must both hold

        var (secondExit, secondOutput) = CliProcess.Run($"up --no-backup --stale-lock-timeout 1 --lock-timeout 1 --dir \"{s.Folder.Directory}\"", env);
        Assert.Equal(1, secondExit);
        Assert.Contains("error SBM4004", secondOutput, StringComparison.Ordinal);

        Assert.Equal(0, first.WaitForExit(Generous));
        Assert.Equal(4L, s.JournalCount());
        Assert.Equal(1L, s.Scalar<long>("SELECT count(*) FROM drizzle_migrations WHERE name = '0003_slow'"));
    }

    [Fact]
    public async Task A_stale_row_from_an_older_tool_is_taken_over_with_a_warning()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Execute("CREATE TABLE migration_lock (lock_id integer PRIMARY KEY, locked_by text NOT NULL, locked_at timestamptz NOT NULL DEFAULT now())");
        s.Execute("INSERT INTO migration_lock (lock_id, locked_by, locked_at) VALUES (1, 'npm run migrate:up', now() - interval '1 hour')");
        Assert.Equal(3, await s.Runner().UpAsync());
        Assert.Contains(s.Log.Diagnostics, d => d.Code == "SBM4022" && d.Message.Contains("npm run migrate:up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fresh_row_from_an_older_tool_is_respected_until_it_goes_stale()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Execute("CREATE TABLE migration_lock (lock_id integer PRIMARY KEY, locked_by text NOT NULL, locked_at timestamptz NOT NULL DEFAULT now())");
        s.Execute("INSERT INTO migration_lock (lock_id, locked_by) VALUES (1, 'npm run migrate:up')");
        var d = await DatabaseScenario.FailsWith("SBM4004",
            () => s.Runner(lockOptions: new LockOptions(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10))).UpAsync());
        Assert.Contains("npm run migrate:up", d.Message, StringComparison.Ordinal);
        Assert.False(s.TableExists("users"));
    }

    [Fact]
    public async Task A_lock_table_of_another_shape_is_a_coded_error()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Execute("CREATE TABLE migration_lock (lock_id integer PRIMARY KEY, locked_by text, locked_at text)");
        s.Execute("INSERT INTO migration_lock VALUES (1, 'someone', 'yesterday-ish')");
        var d = await DatabaseScenario.FailsWith("SBM4009", () => s.Runner().UpAsync());
        Assert.Contains("migration_lock", d.Message, StringComparison.Ordinal);
        Assert.False(s.TableExists("users"));
    }

    private static void WaitUntil(Func<bool> condition, ChildProcess process)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Generous)
            {
                throw new TimeoutException("condition not reached; process output:\n" + process.Output);
            }

            Thread.Sleep(100);
        }
    }
}
