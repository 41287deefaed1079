using System.Diagnostics;
using System.Text.Json;
using StreamBot.Migrations.Postgres.Notifications;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// The team is told: up and down post their start, each migration applied or rolled back, and their end or failure
/// to a webhook, in order, with the database's host and name and no password or row data; Discord- and
/// Slack-shaped bodies; a receiver that hangs or refuses costs the run no more than the timeout.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class WebhookTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private const string RowValue = "streamer_only_in_a_row";

    [Fact]
    public async Task Up_down_and_a_failure_post_their_events_in_order_without_secrets_or_rows()
    {
        using var receiver = new WebhookReceiver();
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        var options = s.Options(backup: true) with { Webhook = new WebhookOptions(receiver.Url, WebhookFormat.Generic) };
        Assert.Equal(3, await new MigrationRunner(options, s.Log).UpAsync());
        s.Execute($"INSERT INTO users (name) VALUES ('{RowValue}')");
        Assert.Equal(1, await new MigrationRunner(options, s.Log).DownAsync(null));
        s.Folder.AddMigration("0003_broken", "ALTER TABLE users ADD COLUMN x int;\nSELECT 1 / 0;\n", "ALTER TABLE users DROP COLUMN x;", "SELECT 1 WHERE false;");
        await DatabaseScenario.FailsWith("SBM4005", () => new MigrationRunner(options with { Backup = options.Backup with { Enabled = false } }, s.Log).UpAsync());

        var messages = receiver.Bodies.Select(b => JsonDocument.Parse(b).RootElement).ToList();
        Assert.Equal(
            ["run.started", "migration.applied", "migration.applied", "migration.applied", "run.completed", "run.started", "migration.rolled_back", "run.completed", "run.started", "migration.applied", "run.failed"],
            messages.Select(m => m.GetProperty("event").GetString()));
        Assert.All(messages, m =>
        {
            Assert.Equal("streambot-migrate", m.GetProperty("tool").GetString());
            Assert.Equal(new Uri(s.Url).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), m.GetProperty("database").GetProperty("host").GetString()!.Split(':')[1]);
            Assert.Equal(new Uri(s.Url).AbsolutePath.TrimStart('/'), m.GetProperty("database").GetProperty("name").GetString());
        });
        Assert.Equal(["0000_initial_schema", "0001_add_balances", "0002_add_balance_check"], messages[1..4].Select(m => m.GetProperty("migration").GetString()));
        Assert.Equal(["0000_initial_schema", "0001_add_balances", "0002_add_balance_check"], messages[0].GetProperty("pending").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(3, messages[4].GetProperty("applied").GetArrayLength());
        Assert.Matches(@"^streambot_[-0-9T]+\.sql$", messages[4].GetProperty("backup").GetString());
        Assert.Equal("0002_add_balance_check", messages[6].GetProperty("migration").GetString());
        // The rolled-back 0002 is applied again before 0003 fails: both are told.
        Assert.Equal("0002_add_balance_check", messages[9].GetProperty("migration").GetString());
        Assert.Equal("SBM4005", messages[10].GetProperty("code").GetString());
        var all = string.Join("\n", receiver.Bodies);
        Assert.DoesNotContain(postgres.ServerPassword, all, StringComparison.Ordinal);
        Assert.DoesNotContain(RowValue, all, StringComparison.Ordinal);
        Assert.DoesNotContain("postgres:", all, StringComparison.Ordinal);
        Assert.DoesNotContain("not-to-be-printed", s.Log.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(WebhookFormat.Discord, "content")]
    [InlineData(WebhookFormat.Slack, "text")]
    public async Task Discord_and_slack_get_their_own_bodies(WebhookFormat format, string field)
    {
        using var receiver = new WebhookReceiver();
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        Assert.Equal(3, await new MigrationRunner(s.Options() with { Webhook = new WebhookOptions(receiver.Url, format) }, s.Log).UpAsync());
        var bodies = receiver.Bodies.Select(b => JsonDocument.Parse(b).RootElement).ToList();
        Assert.Equal(5, bodies.Count);
        Assert.All(bodies, b => Assert.False(b.TryGetProperty("event", out _)));
        var last = bodies[^1].GetProperty(field).GetString()!;
        Assert.Matches(@"^✅ (\*\*up\*\*|\*up\*) on `127\.0\.0\.1:\d+/sbm_[0-9a-f]+`: applied 3 migration\(s\) in [0-9.]+ (ms|s): 0000_initial_schema, 0001_add_balances, 0002_add_balance_check$", last);
        if (format == WebhookFormat.Discord)
        {
            Assert.Equal("streambot-migrate", bodies[0].GetProperty("username").GetString());
            Assert.Equal(0, bodies[0].GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength());
        }
    }

    [Fact]
    public async Task A_receiver_that_hangs_or_refuses_costs_the_run_no_more_than_the_timeout()
    {
        using var hanging = new WebhookReceiver(ReceiverMode.Hangs);
        foreach (var url in new[] { hanging.Url, WebhookReceiver.Refusing() })
        {
            using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
            var clock = Stopwatch.StartNew();
            Assert.Equal(3, await new MigrationRunner(s.Options() with { Webhook = new WebhookOptions(url, WebhookFormat.Generic, TimeSpan.FromSeconds(1)) }, s.Log).UpAsync());
            // The posts run beside the run: one timeout while it applies, and at most one more at its end.
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(8));
            var warning = Assert.Single(s.Log.Diagnostics, d => d.Code == "SBM4044");
            Assert.StartsWith("The webhook did not take the run.started message: ", warning.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1:" + new Uri(url).Port, s.Log.Text, StringComparison.Ordinal);
            Assert.Equal(3L, s.JournalCount());
        }
    }
}
