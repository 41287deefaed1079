using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Xunit.Abstractions;
using StreamBot.Migrations.Postgres.Backfills;
using StreamBot.Migrations.Postgres.Backup;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// Backfills against a real primary with a real streaming standby (pg_basebackup on loopback): every row changed
/// exactly once beside an app load that updates the same rows, a kill -9 mid-backfill resumed from the cursor, replay
/// paused on the standby pausing the backfill until it resumes, the time budget stopping cleanly, and up waiting for
/// the standby to replay each migration.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class BackfillTests(ReplicatedPostgres servers, ITestOutputHelper output) : IClassFixture<ReplicatedPostgres>
{
    // A counter per row: a row the backfill changed twice (or never) shows it.
    private const string Backfill = "-- streambot:backfill\nUPDATE message_history SET platform = 'twitch', backfilled = backfilled + 1;\n";

    [Fact]
    public async Task Beside_an_app_updating_the_same_rows_every_row_is_changed_once_and_no_write_waits_longer_than_a_batch()
    {
        using var world = new World(servers, rows: 200_000);
        using var load = new RowUpdateLoad(world.Settings.ToNpgsql("streambot/1.5.0"), rows: 200_000, sessions: 4, TimeSpan.FromMilliseconds(2));
        var clock = Stopwatch.StartNew();
        var options = world.Options() with { ReplicaWait = TimeSpan.FromSeconds(30) };
        // 50 ms batches: many of them, so one batch is a small part of the whole.
        Assert.Equal(1, await world.Runner(options with { Backfill = options.Backfill with { Sizing = options.Backfill.Sizing with { Target = TimeSpan.FromMilliseconds(50) } } }).UpAsync());
        var took = clock.Elapsed;
        var waits = load.Stop();
        var (writes, longestWait) = ((long)waits.Count, TimeSpan.FromMilliseconds(waits.Max()));

        Assert.Equal(0L, world.Scalar<long>("SELECT count(*) FROM message_history WHERE backfilled <> 1 OR platform IS DISTINCT FROM 'twitch'"));
        Assert.Equal(writes, world.Scalar<long>("SELECT sum(app_touches) FROM message_history"));
        Assert.True(writes > 100, $"the app load ran ({writes} writes)");
        var done = Assert.Single(world.Log.Lines, l => l.StartsWith("  Backfill over message_history done: 200,000 row(s) walked, 200,000 changed, in ", StringComparison.Ordinal));
        var longestBatch = TimeSpan.FromMilliseconds(Milliseconds(done, "longest batch "));
        output.WriteLine($"{writes} app writes, longest {longestWait.TotalMilliseconds:0} ms; backfill {took.TotalMilliseconds:0} ms: {done}");
        // A row the app wants is locked by at most one batch: its longest wait is about one batch, far below the backfill's whole time.
        Assert.True(longestWait <= longestBatch + TimeSpan.FromMilliseconds(750), $"the app waited {longestWait.TotalMilliseconds:0} ms; the longest batch took {longestBatch.TotalMilliseconds:0} ms");
        Assert.True(longestWait * 3 < took, $"the app waited {longestWait.TotalMilliseconds:0} ms of a {took.TotalMilliseconds:0} ms backfill");
        Assert.Contains(world.Log.Lines, l => l.StartsWith("  0000_fill_platform.sql: replayed by 1 standby(s) after ", StringComparison.Ordinal));
        Assert.Equal("200000", servers.OnStandbyScalarIn(world.Url, "SELECT count(*) FROM message_history WHERE backfilled = 1"));
    }

    [Fact]
    public void A_killed_run_resumes_from_the_cursor_and_still_changes_every_row_exactly_once()
    {
        using var world = new World(servers, rows: 30_000);
        using (var victim = CliProcess.Start($"up --no-backup --dir \"{world.Folder.Directory}\" --backfill-max-rows 1000 --backfill-sleep 0.02", world.Environment))
        {
            world.WaitFor("SELECT 1 FROM drizzle_migrations_progress WHERE backfill_batches >= 8", () => victim.Output);
            victim.Kill();
            victim.WaitForExit(TimeSpan.FromSeconds(30));
        }

        // What the progress row says was done is exactly what was done: the batch in flight rolled back with its cursor move.
        var recorded = world.Scalar<long>("SELECT backfill_changed FROM drizzle_migrations_progress");
        Assert.Equal(recorded, world.Scalar<long>("SELECT count(*) FROM message_history WHERE backfilled = 1"));
        Assert.Equal(0L, world.Scalar<long>("SELECT count(*) FROM message_history WHERE backfilled > 1"));
        Assert.InRange(recorded, 1, 29_999);

        var status = CliProcess.Run($"status --dir \"{world.Folder.Directory}\"", world.Environment);
        Assert.Matches(@"\n  stopped at phase 1 of 1 \(backfill over message_history, statement 1\): [0-9,]+ of ~30,000 \(\d+%\) rows walked, [0-9,]+ changed, \d+ batch\(es\); up goes on from there by itself\n", status.Output);
        var json = CliProcess.Run($"status --dir \"{world.Folder.Directory}\" --format json", world.Environment);
        Assert.Contains($"\"rowsChanged\": {recorded},", json.Output, StringComparison.Ordinal);
        Assert.Contains("\"resumesByItself\": true", json.Output, StringComparison.Ordinal);

        var (exit, output) = CliProcess.Run($"up --no-backup --dir \"{world.Folder.Directory}\"", world.Environment);
        Assert.True(exit == 0, output);
        Assert.Contains("Resuming 0000_fill_platform.sql, stopped at phase 1 of 1 (backfill over message_history, statement 1) by ", output, StringComparison.Ordinal);
        Assert.Contains($"continuing from its saved cursor, {recorded:N0}", output, StringComparison.Ordinal);
        Assert.Equal(0L, world.Scalar<long>("SELECT count(*) FROM message_history WHERE backfilled <> 1"));
        Assert.Equal(1L, world.Scalar<long>("SELECT count(*) FROM drizzle_migrations"));
        Assert.Equal(0L, world.Scalar<long>("SELECT count(*) FROM drizzle_migrations_progress"));
    }

    [Fact]
    public async Task Replay_paused_on_the_standby_pauses_the_backfill_until_it_resumes()
    {
        using var world = new World(servers, rows: 40_000);
        var options = world.Options() with
        {
            Backfill = BackfillOptions.Default with
            {
                Sizing = BackfillOptions.Default.Sizing with { MaxRows = 500 },
                Throttle = BackfillOptions.Default.Throttle with { ReplicaLagPause = TimeSpan.FromSeconds(1), ReplicaLagResume = TimeSpan.FromMilliseconds(500) },
                Sleep = TimeSpan.FromMilliseconds(20),
                PollInterval = TimeSpan.FromMilliseconds(200),
                ReportEvery = TimeSpan.FromMilliseconds(300),
            },
        };
        servers.PauseReplay();
        Task<int> up;
        try
        {
            up = world.Runner(options).UpAsync();
            await world.WaitForLogAsync(l => l.StartsWith("  Backfill over message_history paused: standby standby1 at ", StringComparison.Ordinal), up);
            var held = world.Scalar<long>("SELECT backfill_scanned FROM drizzle_migrations_progress");
            await Task.Delay(1500);
            Assert.Equal(held, world.Scalar<long>("SELECT backfill_scanned FROM drizzle_migrations_progress"));
            Assert.False(up.IsCompleted, "the backfill waits while the standby does not replay");
        }
        finally
        {
            servers.ResumeReplay();
        }

        Assert.Equal(1, await up);
        var paused = Assert.Single(world.Log.Lines, l => l.Contains(" paused: ", StringComparison.Ordinal));
        Assert.Matches(@"^  Backfill over message_history paused: standby standby1 at (a local socket|127\.0\.0\.1) is [0-9.]+ (ms|s) behind in replay \(pauses at 1 s, resumes under 500 ms\)\.$", paused);
        Assert.Contains(world.Log.Lines, l => l.StartsWith("  Backfill over message_history resumed after ", StringComparison.Ordinal));
        Assert.Contains(world.Log.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l,
            @"^  message_history: [0-9,]+ of ~40,000 \(\d+%\) rows walked, [0-9,]+ changed, [0-9,]+ rows/s, batches of [0-9,]+(, about [0-9.]+ (ms|s|min) left)?$"));
        Assert.Equal(0L, world.Scalar<long>("SELECT count(*) FROM message_history WHERE backfilled <> 1"));
    }

    [Fact]
    public async Task Waiting_for_replicas_waits_for_a_paused_standby_and_gives_up_at_its_bound()
    {
        using var world = new World(servers, rows: 10);
        Assert.Equal(1, await world.Runner(world.Options() with { ReplicaWait = TimeSpan.FromSeconds(30) }).UpAsync());
        Assert.Contains(world.Log.Lines, l => l.StartsWith("  0000_fill_platform.sql: replayed by 1 standby(s) after ", StringComparison.Ordinal));
        world.Folder.AddMigration("0001_add_streams", "CREATE TABLE streams (id bigserial PRIMARY KEY);\n", notRecommended: true);

        servers.PauseReplay();
        try
        {
            var clock = Stopwatch.StartNew();
            var behind = await DatabaseScenario.FailsWith("SBM4043", () => world.Runner(world.Options() with { ReplicaWait = TimeSpan.FromSeconds(2) }).UpAsync());
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20));
            Assert.Matches(@"^0001_add_streams\.sql is applied, but after 2 s these standbys had not replayed it: standby1 at (a local socket|127\.0\.0\.1) \(state streaming\), [0-9.]+ (bytes|kB|MB) behind\. The migrations after it were not applied\.$", behind.Message);
            Assert.Equal(2L, world.Scalar<long>("SELECT count(*) FROM drizzle_migrations"));
        }
        finally
        {
            servers.ResumeReplay();
        }
    }

    [Fact]
    public async Task At_its_time_budget_a_backfill_stops_after_a_committed_batch_and_the_next_run_finishes_it()
    {
        using var world = new World(servers, rows: 30_000);
        var slow = world.Options() with
        {
            Backfill = BackfillOptions.Default with { Sizing = BackfillOptions.Default.Sizing with { MaxRows = 200 }, Sleep = TimeSpan.FromMilliseconds(20), Budget = TimeSpan.FromMilliseconds(600) },
        };
        var stopped = await DatabaseScenario.FailsWith("SBM4042", () => world.Runner(slow).UpAsync());
        Assert.Matches(@"^The backfill over message_history in 0000_fill_platform\.sql used its time budget \(600 ms\) and stopped after a committed batch: [0-9,]+ row\(s\) walked, [0-9,]+ changed, in \d+ batch\(es\)\. The statements before it stay applied; the migration is not in the journal\.$", stopped.Message);
        Assert.Equal((2, 1), (stopped.Line, stopped.Column));
        var changed = world.Scalar<long>("SELECT count(*) FROM message_history WHERE backfilled = 1");
        Assert.InRange(changed, 1, 29_999);
        Assert.Equal(changed, world.Scalar<long>("SELECT backfill_changed FROM drizzle_migrations_progress"));

        Assert.Equal(1, await world.Runner(world.Options()).UpAsync());
        Assert.Equal(0L, world.Scalar<long>("SELECT count(*) FROM message_history WHERE backfilled <> 1"));
    }

    [Fact]
    public async Task A_rehearsal_on_a_backup_runs_the_backfill_in_batches_over_the_restored_rows()
    {
        using var world = new World(servers, rows: 30_000);
        Assert.Equal(1, await world.Runner(world.Options() with { Backup = new BackupOptions(true, world.Folder.Directory + "-backups", "streambot") }).UpAsync());
        var backup = Directory.EnumerateFiles(world.Folder.Directory + "-backups", "*.sql").Single();

        var report = await new StreamBot.Migrations.Postgres.Rehearsal.MigrationRehearsal(world.Options(), world.Log).RunAsync(backup);
        Assert.False(report.Failed, string.Join("\n", report.Diagnostics));
        var line = Assert.Single(report.Backfills);
        Assert.Matches(@"^0000_fill_platform\.sql line 2: backfill over message_history, 30,000 row\(s\) changed of 30,000 walked in \d+ batch\(es\), [0-9.]+ (ms|s) \(longest batch [0-9.]+ (ms|s)\)$", line);
        Assert.Contains(world.Log.Lines, l => l.StartsWith("  Backfill over message_history (0000_fill_platform.sql line 2): about 30,000 rows, in batches of 100 to 50,000 rows", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deletes_inserts_from_a_select_and_composite_and_uuid_keys_run_in_batches_with_the_one_statement_result()
    {
        using var world = new World(servers, rows: 10);
        world.Execute("""
            CREATE TABLE chat_log (channel_id int NOT NULL, id bigint NOT NULL, body text NOT NULL, PRIMARY KEY (channel_id, id));
            INSERT INTO chat_log SELECT g % 7, g, CASE WHEN g % 3 = 0 THEN 'spam ' ELSE 'hello ' END || g FROM generate_series(1, 20000) g;
            CREATE TABLE chat_archive (channel_id int NOT NULL, id bigint NOT NULL, body text NOT NULL, PRIMARY KEY (channel_id, id));
            CREATE TABLE viewers (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL, seen int NOT NULL DEFAULT 0);
            INSERT INTO viewers (name) SELECT 'viewer ' || g FROM generate_series(1, 5000) g;
            """);
        var expected = (Archived: world.Scalar<long>("SELECT count(*) FROM chat_log WHERE channel_id < 5 AND body NOT LIKE 'spam%'"),
            Kept: world.Scalar<long>("SELECT count(*) FROM chat_log WHERE body NOT LIKE 'spam%'"));
        world.Folder.AddMigration("0001_tidy_chat", """
            -- streambot:backfill key (channel_id, id)
            DELETE FROM chat_log WHERE body LIKE 'spam%';
            -- streambot:backfill
            INSERT INTO chat_archive (channel_id, id, body) SELECT l.channel_id, l.id, upper(l.body) FROM chat_log l WHERE l.channel_id < 5 ON CONFLICT DO NOTHING;
            -- streambot:backfill
            UPDATE viewers v SET seen = v.seen + 1;

            """, notRecommended: true);
        var small = world.Options() with { Backfill = BackfillOptions.Default with { Sizing = BackfillOptions.Default.Sizing with { MaxRows = 700 } } };
        Assert.Equal(2, await world.Runner(small).UpAsync());

        Assert.Equal(expected.Kept, world.Scalar<long>("SELECT count(*) FROM chat_log"));
        Assert.Equal(0L, world.Scalar<long>("SELECT count(*) FROM chat_log WHERE body LIKE 'spam%'"));
        Assert.Equal(expected.Archived, world.Scalar<long>("SELECT count(*) FROM chat_archive WHERE body LIKE 'HELLO %'"));
        Assert.Equal(expected.Archived, world.Scalar<long>("SELECT count(*) FROM chat_archive"));
        Assert.Equal(0L, world.Scalar<long>("SELECT count(*) FROM viewers WHERE seen <> 1"));
        Assert.Contains(world.Log.Lines, l => l.StartsWith("  Backfill over chat_log (0001_tidy_chat.sql line 2): ", StringComparison.Ordinal) && l.Contains("over (channel_id, id)", StringComparison.Ordinal));
        Assert.Contains(world.Log.Lines, l => l.StartsWith("  Backfill over viewers done: 5,000 row(s) walked, 5,000 changed, in ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_table_without_a_usable_key_is_refused_before_anything_is_locked()
    {
        using var world = new World(servers, rows: 10, primaryKey: false);
        var refused = await DatabaseScenario.FailsWith("SBM2015", () => world.Runner(world.Options()).UpAsync());
        Assert.Equal("The backfill over message_history has no key its batches can walk: the table has no primary key, and no key is named. Nothing was locked, backed up or applied.", refused.Message);
        Assert.Equal(0L, world.Scalar<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'drizzle_migrations'"));
    }

    private static double Milliseconds(string line, string after)
    {
        var at = line.IndexOf(after, StringComparison.Ordinal) + after.Length;
        var text = new string(line[at..].TakeWhile(c => char.IsDigit(c) || c == '.').ToArray());
        var value = double.Parse(text, CultureInfo.InvariantCulture);
        return line[(at + text.Length)..].StartsWith(" s", StringComparison.Ordinal) ? value * 1000 : value;
    }

    /// <summary>A database on the primary with message_history of <c>rows</c> rows, and a folder whose one migration backfills it.</summary>
    private sealed class World : IDisposable
    {
        // The scenario every database test stands on, here on the replicated primary.
        private readonly DatabaseScenario _db;

        public World(ReplicatedPostgres servers, int rows, bool primaryKey = true)
        {
            _db = new DatabaseScenario(servers.CreateDatabase(),
                MigrationsFolder.Empty().WriteReadme("# Migrations\n").AddMigration("0000_fill_platform", Backfill, notRecommended: true));
            Execute($"""
                CREATE TABLE message_history (id bigint {(primaryKey ? "PRIMARY KEY" : "NOT NULL")}, platform text, app_touches int NOT NULL DEFAULT 0, backfilled int NOT NULL DEFAULT 0);
                INSERT INTO message_history (id) SELECT g FROM generate_series(1, {rows}) g;
                ANALYZE message_history;
                """);
        }

        public string Url => _db.Url;

        public ConnectionSettings Settings => _db.Settings;

        public MigrationsFolder Folder => _db.Folder;

        public CapturingLog Log => _db.Log;

        public Dictionary<string, string?> Environment => new() { ["DATABASE_URL"] = Url };

        public RunOptions Options() => _db.Options();

        public MigrationRunner Runner(RunOptions options) => new(options, Log);

        public T Scalar<T>(string sql) => _db.Scalar<T>(sql);

        public void Execute(string sql) => _db.ExecuteScript(sql);

        public void WaitFor(string sql, Func<string> context)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    if (Scalar<object?>(sql) is not null)
                    {
                        return;
                    }
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
                {
                    // Not created yet.
                }

                Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for: {sql}\n{context()}");
                Thread.Sleep(50);
            }
        }

        public async Task WaitForLogAsync(Func<string, bool> line, Task running)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!Log.Lines.Any(line))
            {
                if (running.IsCompleted)
                {
                    await running;
                    Assert.Fail("the run ended before the awaited line:\n" + Log.Text);
                }

                Assert.True(DateTime.UtcNow < deadline, "timed out waiting for a line:\n" + Log.Text);
                await Task.Delay(50);
            }
        }

        public void Dispose() => _db.Dispose();
    }
}
