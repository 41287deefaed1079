using Npgsql;
using StreamBot.Migrations.Postgres.Preflight;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// Expand and contract: a migration marked <c>-- streambot:contract after streambot/1.5.0</c> is held while a session
/// of an older version of the app is connected (application_name, or a fresh row in the heartbeat table), applied
/// once it has left, or applied anyway with --force-contract and a warning. Everything before it is applied first.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class DrainGateTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private const string Contract = "-- streambot:contract after streambot/1.5.0\nALTER TABLE users DROP COLUMN nickname;\n";

    [Fact]
    public async Task A_contract_step_waits_for_the_old_version_to_disconnect_and_then_applies()
    {
        using var s = Scenario();
        await using var old = await ConnectAsAsync(s, "streambot/1.4.0");
        await using var current = await ConnectAsAsync(s, "streambot/1.5.0");
        await using var other = await ConnectAsAsync(s, "psql");

        Assert.Equal(0, await s.Runner(dryRun: true).UpAsync());
        Assert.Contains(s.Log.Lines, l => l.EndsWith("; a contract step after streambot/1.5.0: 1 older session(s) connected now, up would wait for them", StringComparison.Ordinal));

        var up = new MigrationRunner(Drain(s, TimeSpan.FromSeconds(60)), s.Log).UpAsync();
        await WaitUntilAsync(() => s.Log.Lines.Any(l => l.Contains("waiting up to 60 s", StringComparison.Ordinal)));
        Assert.True(ColumnExists(s), "the contract step is held");
        Assert.Equal(5L, s.JournalCount());
        var waiting = Assert.Single(s.Log.Lines, l => l.StartsWith("0005_drop_nickname.sql: contract step after", StringComparison.Ordinal));
        Assert.Matches(@"^0005_drop_nickname\.sql: contract step after streambot/1\.5\.0; waiting up to 60 s for 1 older session\(s\) to leave: pid \d+ 'streambot/1\.4\.0' from 127\.0\.0\.1, connected since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$", waiting);

        await old.CloseAsync();
        Assert.Equal(1, await up);
        Assert.False(ColumnExists(s));
        Assert.Contains(s.Log.Lines, l => l.StartsWith("0005_drop_nickname.sql: the older versions have left after ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_its_timeout_the_step_stops_with_the_sessions_named_and_what_came_before_it_stays_applied()
    {
        using var s = Scenario(appliedThrough: "0002");
        await using var old = await ConnectAsAsync(s, "streambot/1.4.0-rc.2");
        var pid = old.ProcessID;

        var refused = await DatabaseScenario.FailsWith("SBM4039", () => new MigrationRunner(Drain(s, TimeSpan.FromMilliseconds(500)), s.Log).UpAsync());
        Assert.Matches($@"^0005_drop_nickname\.sql is a contract step after streambot/1\.5\.0, and after waiting \d+ ms these are still connected: pid {pid} 'streambot/1\.4\.0-rc\.2' from 127\.0\.0\.1, connected since [-0-9: ]+ UTC\. It was not applied; the migrations before it stay applied\.$", refused.Message);
        Assert.Equal(1, refused.Line);
        Assert.True(ColumnExists(s));
        Assert.True(s.TableExists("app_heartbeat"), "0003 and 0004, before the contract step, are applied");
        Assert.Equal(5L, s.JournalCount());

        Assert.Equal(1, await new MigrationRunner(Drain(s, TimeSpan.FromMilliseconds(500)) with { Drain = Drain(s, TimeSpan.Zero).Drain with { Force = true } }, s.Log).UpAsync());
        var forced = Assert.Single(s.Log.Diagnostics, d => d.Code == "SBM4040");
        Assert.Contains($"pid {pid} 'streambot/1.4.0-rc.2'", forced.Message, StringComparison.Ordinal);
        Assert.False(ColumnExists(s));
    }

    [Fact]
    public async Task The_heartbeat_table_holds_the_step_while_a_fresh_row_names_an_older_version()
    {
        using var s = Scenario();
        s.Execute("INSERT INTO app_heartbeat VALUES ('pod-7f9c', 'streambot/1.4.2', now()), ('pod-new', 'streambot/1.5.0', now()), ('pod-gone', 'streambot/1.3.0', now() - interval '1 hour')");
        var options = Drain(s, TimeSpan.FromMilliseconds(300)) is var o ? o with { Drain = o.Drain with { HeartbeatTable = QualifiedName.Parse("app_heartbeat") } } : null!;

        var refused = await DatabaseScenario.FailsWith("SBM4039", () => new MigrationRunner(options, s.Log).UpAsync());
        Assert.Matches(@"these are still connected: instance 'pod-7f9c' 'streambot/1\.4\.2', heartbeat \d+ s ago in app_heartbeat\. It was not applied", refused.Message);

        s.Execute("UPDATE app_heartbeat SET seen_at = now() - interval '10 minutes' WHERE instance = 'pod-7f9c'");
        Assert.Equal(1, await new MigrationRunner(options, s.Log).UpAsync());
        Assert.False(ColumnExists(s));
    }

    // 0000-0002, a nickname column and the app's heartbeat table (expand), then the contract step that drops the column.
    private DatabaseScenario Scenario(string appliedThrough = "0004")
    {
        var folder = MigrationsFolder.ForDatabase()
            .AddMigration("0003_add_nickname", "ALTER TABLE users ADD COLUMN nickname text;\n", "ALTER TABLE users DROP COLUMN nickname;",
                "SELECT 1 FROM information_schema.columns WHERE column_name = 'nickname';")
            .AddMigration("0004_add_app_heartbeat", "CREATE TABLE app_heartbeat (instance text PRIMARY KEY, application_name text NOT NULL, seen_at timestamptz NOT NULL);\n",
                "DROP TABLE app_heartbeat;", "SELECT 1 FROM pg_tables WHERE tablename = 'app_heartbeat';");
        var s = new DatabaseScenario(postgres, folder);
        s.ExecuteScript(string.Join("\n", Enumerable.Range(0, int.Parse(appliedThrough, System.Globalization.CultureInfo.InvariantCulture) + 1)
            .Select(n => File.ReadAllText(Directory.EnumerateFiles(folder.Directory, $"{n:D4}_*.sql").Single()))));
        new MigrationRunner(s.Options(), s.Log).BaselineAsync(appliedThrough).GetAwaiter().GetResult();
        folder.AddMigration("0005_drop_nickname", Contract, "ALTER TABLE users ADD COLUMN nickname text;",
            "SELECT 1 FROM information_schema.columns WHERE column_name = 'nickname';", expectedRows: 1);
        return s;
    }

    private static RunOptions Drain(DatabaseScenario s, TimeSpan timeout) =>
        s.Options() with { Drain = DrainOptions.Default with { Timeout = timeout, PollInterval = TimeSpan.FromMilliseconds(100) } };

    private static bool ColumnExists(DatabaseScenario s) =>
        s.Scalar<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'nickname'") == 1;

    private static async Task<NpgsqlConnection> ConnectAsAsync(DatabaseScenario s, string applicationName)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(s.Settings.ToNpgsql("test")) { ApplicationName = applicationName, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "the condition was not reached in 15 s");
    }
}
