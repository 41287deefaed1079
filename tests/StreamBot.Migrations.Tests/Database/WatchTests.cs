using System.Text.Json;
using Npgsql;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Postgres.Watching;
using StreamBot.Migrations.Tests.Support;
using StreamBot.Migrations.Watching;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// The watch after a deploy, against a real server with pg_stat_statements loaded: a migration that drops the index a
/// running query load uses is reported with that query and that migration, and fails the run; one that adds a
/// nullable column under the same load is not; deadlocks provoked during a watch are reported, in JSON too.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class WatchTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private const string Query = "SELECT count(*) FROM viewers WHERE channel = $1";

    [Fact]
    public async Task Dropping_the_index_a_running_query_uses_is_reported_with_the_query_and_the_migration()
    {
        using var s = Scenario(rows: 60_000);
        using var load = new QueryLoad(s.Settings);
        await load.WarmUpAsync();
        s.Folder.AddMigration("0001_drop_channel_index", "-- streambot:allow SBM6016 because the watch is what this test is about\nDROP INDEX viewers_channel_idx;\n", notRecommended: true);

        await DatabaseScenario.FailsWith("SBM4047", () => new MigrationRunner(Watching(s, warnOnly: false), s.Log).UpAsync());
        var slower = Assert.Single(s.Log.Diagnostics, d => d.Code == "SBM4045");
        Assert.Matches($@"^A query of the app became slower after the deploy: query -?\d+ ""{System.Text.RegularExpressions.Regex.Escape(Query)}"": [0-9.]+ ms a call before the deploy, [0-9.]+ ms during the watch \([0-9.]+x, \d+ calls\); 0001_drop_channel_index changed its table\.$", slower.Message);
        Assert.Equal(2L, s.JournalCount());
        Assert.DoesNotContain(s.Log.Diagnostics, d => d.Code == "SBM4046" && !d.Message.Contains("sequential scan", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_nullable_column_under_the_same_load_is_no_finding()
    {
        using var s = Scenario();
        using var load = new QueryLoad(s.Settings);
        await load.WarmUpAsync();
        s.Folder.AddMigration("0001_add_viewer_note", "ALTER TABLE viewers ADD COLUMN note text;\n", "ALTER TABLE viewers DROP COLUMN note;", "SELECT 1 WHERE false;");

        Assert.Equal(1, await new MigrationRunner(Watching(s, warnOnly: false), s.Log).UpAsync());
        Assert.DoesNotContain(s.Log.Diagnostics, d => d.Code is "SBM4045" or "SBM4046" or "SBM4047");
        Assert.Matches(@"^Watch: no regression in [0-9.]+ s \(\d+ reads; \d+ statements compared\)\.$", Assert.Single(s.Log.Lines, l => l.StartsWith("Watch:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Deadlocks_during_a_watch_are_reported_and_the_json_names_them()
    {
        using var s = Scenario();
        using var watch = CliProcess.Start("watch 3s --format json --watch-warn-only", new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url });
        // The watch's own start (its first read) comes before the deadlock.
        for (var waited = 0; !watch.Output.Contains("Watching ", StringComparison.Ordinal); waited += 50)
        {
            Assert.True(waited < 30_000 && !watch.HasExited, "the watch did not start:\n" + watch.Output);
            await Task.Delay(50);
        }

        await ProvokeDeadlockAsync(s.Settings);

        Assert.Equal(0, watch.WaitForExit(TimeSpan.FromSeconds(60)));
        var json = watch.StandardOutput;
        var report = JsonDocument.Parse(json).RootElement;
        var finding = Assert.Single(report.GetProperty("findings").EnumerateArray(), f => f.GetProperty("kind").GetString() == "deadlocks");
        Assert.Equal("1 deadlock(s) during the watch", finding.GetProperty("detail").GetString());
        Assert.Contains("warning SBM4046: After the deploy, the database: 1 deadlock(s) during the watch.", watch.StandardError + watch.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_pg_stat_statements_the_watch_says_what_it_cannot_see_and_watches_the_rest()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        var report = await new MigrationRunner(s.Options() with { Watch = new WatchOptions(TimeSpan.FromSeconds(1), WatchThresholds.Default) }, s.Log).WatchAsync();
        Assert.Null(report.Queries);
        var database = new Uri(s.Url).AbsolutePath.TrimStart('/');
        Assert.Equal([$"query times: pg_stat_statements is not installed in {database} (CREATE EXTENSION pg_stat_statements, with shared_preload_libraries = 'pg_stat_statements')"], report.NotWatched);
        Assert.Contains(s.Log.Lines, l => l.StartsWith("Watching ", StringComparison.Ordinal) && l.Contains(": no query times (pg_stat_statements is not installed", StringComparison.Ordinal)
            && l.EndsWith("deadlocks, rollbacks, conflicts and scans of 0 table(s).", StringComparison.Ordinal));
        Assert.Empty(report.Findings);
    }

    // Only the dropped index needs a table large enough for its scans to cost milliseconds.
    private DatabaseScenario Scenario(int rows = 5_000)
    {
        var folder = MigrationsFolder.Empty().WriteReadme("# Migrations\n").AddMigration("0000_viewers", """
            CREATE TABLE viewers (id bigserial PRIMARY KEY, channel int NOT NULL, name text NOT NULL);
            INSERT INTO viewers (channel, name) SELECT g % 2000, 'viewer ' || g FROM generate_series(1, ROWS) g;
            CREATE INDEX viewers_channel_idx ON viewers (channel);

            """.Replace("ROWS", rows.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), notRecommended: true);
        var s = new DatabaseScenario(postgres, folder);
        s.Execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        Assert.Equal(1, s.Runner().UpAsync().GetAwaiter().GetResult());
        s.Execute("ANALYZE viewers");
        return s;
    }

    private static RunOptions Watching(DatabaseScenario s, bool warnOnly) => s.Options() with { Watch = new WatchOptions(TimeSpan.FromSeconds(2.5), WatchThresholds.Default, warnOnly) };

    private static async Task ProvokeDeadlockAsync(StreamBot.Migrations.Postgres.Connection.ConnectionSettings settings)
    {
        await using var a = new NpgsqlConnection(settings.ToNpgsql("deadlock a"));
        await using var b = new NpgsqlConnection(settings.ToNpgsql("deadlock b"));
        await a.OpenAsync();
        await b.OpenAsync();
        await using var ta = await a.BeginTransactionAsync();
        await using var tb = await b.BeginTransactionAsync();
        await new NpgsqlCommand("UPDATE viewers SET name = 'a' WHERE id = 1", a, ta).ExecuteNonQueryAsync();
        await new NpgsqlCommand("UPDATE viewers SET name = 'b' WHERE id = 2", b, tb).ExecuteNonQueryAsync();
        var first = new NpgsqlCommand("UPDATE viewers SET name = 'a' WHERE id = 2", a, ta).ExecuteNonQueryAsync();
        await Task.Delay(200);
        var second = new NpgsqlCommand("UPDATE viewers SET name = 'b' WHERE id = 1", b, tb).ExecuteNonQueryAsync();
        var outcomes = await Task.WhenAll(Outcome(first), Outcome(second));
        Assert.Single(outcomes, o => o == PostgresErrorCodes.DeadlockDetected);

        static async Task<string?> Outcome(Task<int> update)
        {
            try
            {
                await update;
                return null;
            }
            catch (PostgresException e)
            {
                return e.SqlState;
            }
        }
    }

    /// <summary>The app's reads: a few sessions running the same indexed query back to back.</summary>
    private sealed class QueryLoad : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _sessions = [];
        private long _calls;

        public QueryLoad(StreamBot.Migrations.Postgres.Connection.ConnectionSettings settings)
        {
            for (var s = 0; s < 2; s++)
            {
                var seed = s;
                _sessions.Add(Task.Run(async () =>
                {
                    var random = new Random(seed);
                    await using var connection = new NpgsqlConnection(settings.ToNpgsql("streambot/1.5.0"));
                    await connection.OpenAsync();
                    await using var command = new NpgsqlCommand(Query, connection) { Parameters = { new() { Value = 0 } } };
                    while (!_stop.IsCancellationRequested)
                    {
                        command.Parameters[0].Value = random.Next(0, 2000);
                        await command.ExecuteScalarAsync();
                        Interlocked.Increment(ref _calls);
                        // Paced: after the index is gone each call scans 60,000 rows, and the test server is shared.
                        await Task.Delay(20);
                    }
                }));
            }
        }

        /// <summary>Lets pg_stat_statements learn the query's normal time before the deploy.</summary>
        public async Task WarmUpAsync()
        {
            while (Interlocked.Read(ref _calls) < 60)
            {
                await Task.Delay(50);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                Task.WaitAll([.. _sessions]);
            }
            catch (AggregateException)
            {
                // A session ended by the test's teardown.
            }

            _stop.Dispose();
        }
    }
}
