using System.Text;
using Npgsql;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Interop;

/// <summary>
/// The CLI (the native build where the package carries one) exports its spans and metrics over OTLP/HTTP to a receiver
/// on loopback when OTEL_EXPORTER_OTLP_ENDPOINT is set: the run, its backup and each migration as spans with their
/// outcome, a lock_timeout retry as an event of the migration it delayed, the three metrics; never the password, the
/// connection string or a row value.
/// </summary>
[Trait(Tier.Name, Tier.Interop)]
public sealed class OpenTelemetryTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private const string RowValue = "streamer_only_in_a_row";
    private const int Ok = 1;
    private const int Error = 2;

    [Fact]
    public async Task An_up_with_a_retried_lock_wait_and_a_failing_up_are_traced_without_secrets()
    {
        using var receiver = new WebhookReceiver();
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        Assert.Equal(3, await new MigrationRunner(s.Options(), s.Log).UpAsync());
        s.Execute($"INSERT INTO users (name) VALUES ('{RowValue}')");
        s.Folder.AddMigration("0003_add_note", "ALTER TABLE users ADD COLUMN note text;\n", "ALTER TABLE users DROP COLUMN note;", "SELECT 1 WHERE false;");
        var environment = new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = s.Url,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.BaseUrl,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        };

        // The bot reads users back to back, 0.3 s a statement: the runner waits out a read older than its first
        // lock_timeout (100 ms) but not a younger one, and that one outlasts the attempt, which rolls back and is retried.
        using var stop = new CancellationTokenSource();
        var bot = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(s.Settings.ToNpgsql("bot"));
            await connection.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                await using var read = new NpgsqlCommand("SELECT count(*) FROM users, pg_sleep(0.3)", connection);
                await read.ExecuteScalarAsync();
            }
        });
        var (exit, output) = CliProcess.Run($"up --dir \"{s.Folder.Directory}\" --backup-dir \"{s.BackupDirectory}\"", environment);
        await stop.CancelAsync();
        await bot;
        Assert.True(exit == 0 && output.Contains("attempt 1 of", StringComparison.Ordinal), output);

        s.Folder.AddMigration("0004_broken", "ALTER TABLE users ADD COLUMN x int;\nSELECT 1 / 0;\n", "ALTER TABLE users DROP COLUMN x;", "SELECT 1 WHERE false;");
        Assert.Equal(1, CliProcess.Run($"up --no-backup --dir \"{s.Folder.Directory}\"", environment).ExitCode);

        var requests = receiver.Requests;
        Assert.Contains(requests, r => r.Path == "/v1/traces");
        Assert.Contains(requests, r => r.Path == "/v1/metrics");
        var spans = requests.Where(r => r.Path == "/v1/traces").SelectMany(r => OtlpMessages.Spans(r.Body)).ToList();
        var runs = spans.Where(x => x.Name == "streambot-migrate up").ToList();
        Assert.Equal([Ok, Error], runs.Select(r => r.StatusCode));
        var database = new Uri(s.Url);
        Assert.All(runs, run => Assert.Equal(
            ("up", "postgresql", database.AbsolutePath.TrimStart('/'), database.Host, database.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (run.Attributes["streambot.command"], run.Attributes["db.system.name"], run.Attributes["db.namespace"], run.Attributes["server.address"], run.Attributes["server.port"])));

        var backup = Assert.Single(spans, x => x.Name == "backup");
        Assert.Equal((runs[0].SpanId, Ok), (backup.ParentSpanId, backup.StatusCode));
        Assert.EndsWith(".sql", backup.Attributes["streambot.backup.file"], StringComparison.Ordinal);

        var applied = Assert.Single(spans, x => x.Name == "apply 0003_add_note");
        Assert.Equal((runs[0].SpanId, Ok), (applied.ParentSpanId, applied.StatusCode));
        var retries = applied.Events.Where(e => e.Name == "lock_timeout.retry").ToList();
        Assert.Equal(int.Parse(applied.Attributes["streambot.attempts"], System.Globalization.CultureInfo.InvariantCulture) - 1, retries.Count);
        Assert.Equal(("1", "users", "100", "0003_add_note.sql"),
            (retries[0].Attributes["streambot.attempt"], retries[0].Attributes["streambot.tables"], retries[0].Attributes["streambot.lock_timeout_ms"], retries[0].Attributes["streambot.migration"]));

        var failed = Assert.Single(spans, x => x.Name == "apply 0004_broken");
        Assert.Equal((runs[1].SpanId, Error, "SBM4005"), (failed.ParentSpanId, failed.StatusCode, failed.Attributes["streambot.error.code"]));
        Assert.StartsWith("SBM4005: ", failed.StatusMessage, StringComparison.Ordinal);
        Assert.StartsWith("SBM4005: ", runs[1].StatusMessage, StringComparison.Ordinal);

        var metrics = requests.Where(r => r.Path == "/v1/metrics").SelectMany(r => OtlpMessages.Metrics(r.Body)).ToList();
        // One export per run: the first run's durations are ok ones, the second's an error.
        IEnumerable<IReadOnlyDictionary<string, string>> Points(string name) => metrics.Where(m => m.Name == name).SelectMany(m => m.Points);
        Assert.Equal(["error", "ok"], Points("streambot.migration.duration").Select(p => p["streambot.outcome"]).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["0003_add_note.sql"], Points("streambot.migration.retries").Select(p => p["streambot.migration"]).Distinct());
        Assert.Contains(Points("streambot.lock.wait.duration"), p => p["streambot.wait"] == "lock_timeout");
        Assert.Equal("streambot-migrate", OtlpMessages.Resource(requests[0].Body)["service.name"]);

        // Every byte sent, read as text: no password, no connection string, no row value.
        var sent = string.Join("\n", requests.Select(r => Encoding.Latin1.GetString(r.Body)));
        Assert.DoesNotContain(postgres.ServerPassword, sent, StringComparison.Ordinal);
        Assert.DoesNotContain("postgres://", sent, StringComparison.Ordinal);
        Assert.DoesNotContain(RowValue, sent, StringComparison.Ordinal);
    }

    [Fact]
    public void An_endpoint_that_is_not_a_url_or_settings_the_exporter_refuses_are_one_usage_error_each()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        var (exit, output) = CliProcess.Run($"status --dir \"{s.Folder.Directory}\"",
            new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url, ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "collector:4318?api-key=secret-key" });
        Assert.Equal(2, exit);
        Assert.DoesNotContain("secret-key", output, StringComparison.Ordinal);
        Snapshot.Matches(output, "otlp_endpoint_refused");

        // Settings the exporter itself refuses are the same kind of line, not its stack trace.
        var (headersExit, headersOutput) = CliProcess.Run($"status --dir \"{s.Folder.Directory}\"", new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = s.Url, ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318", ["OTEL_EXPORTER_OTLP_HEADERS"] = "api-key-without-a-value",
        });
        Assert.Equal(2, headersExit);
        Assert.StartsWith("streambot-migrate: error SBM0001: the OTLP exporter refused the OTEL_EXPORTER_OTLP_* settings (", headersOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", headersOutput, StringComparison.Ordinal);
    }
}
