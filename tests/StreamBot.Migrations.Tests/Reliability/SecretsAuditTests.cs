using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Reliability;

/// <summary>
/// Every streambot-migrate command, run with a password set, searched for that password everywhere it could leak:
/// console output, the backup directory's file names, and the command line of every process involved (the CLI, the
/// pg_dump it starts, and their ancestors). MSBuild's diagnostic logs and binlogs are audited in the package tests.
/// </summary>
[Trait(Tier.Name, Tier.Reliability)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretsAuditTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public void No_command_leaks_the_password_anywhere()
    {
        // A contract step too, so the drain gate's lines are among what is searched.
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase()
            .AddMigration("0003_add_nickname", "ALTER TABLE users ADD COLUMN nickname text;\n", "ALTER TABLE users DROP COLUMN nickname;",
                "SELECT 1 FROM information_schema.columns WHERE column_name = 'nickname';")
            .AddMigration("0004_drop_nickname", "-- streambot:contract after streambot/1.5.0\nALTER TABLE users DROP COLUMN nickname;\n", "ALTER TABLE users ADD COLUMN nickname text;",
                "SELECT 1 FROM information_schema.columns WHERE column_name = 'nickname';", expectedRows: 1));
        using var chain = new ProcessChainRecorder();
        // Every run also writes the CI job's summary and sends its spans and metrics to a collector on loopback.
        using var collector = new WebhookReceiver();
        var summary = s.Folder.Directory + "-summary.md";
        var page = s.Folder.Directory + "-rehearsal.html";
        Dictionary<string, string?> Channels(Dictionary<string, string?> env)
        {
            env["GITHUB_STEP_SUMMARY"] = summary;
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseUrl;
            env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            return env;
        }

        var password = Uri.UnescapeDataString(new Uri(s.Url).UserInfo.Split(':')[1]);
        var env = Channels(new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url, ["PATH"] = chain.SearchPath });
        var dir = $"--dir \"{s.Folder.Directory}\" --backup-dir \"{s.BackupDirectory}\"";
        // status takes no backup option (it refuses one as a usage error, which would leave its report unsearched).
        var statusDir = $"--dir \"{s.Folder.Directory}\"";
        var commands = new[]
        {
            $"validate \"{s.Folder.Directory}\"", $"inspect \"{s.Folder.Path("0001_add_balances.sql")}\"",
            $"status {statusDir}", $"status --format json {statusDir}", $"up --dry-run {dir}", $"up {dir}", $"up {dir}",
            $"down --dry-run {dir}", $"down {dir}", $"up {dir}", $"down 0001_add_balances {dir}", $"down 0000_initial_schema {dir}",
            $"down 0000_initial_schema --force {dir}", $"up --no-backup {dir}", $"down 0009_not_there {dir}",
            // The rehearsal's report: the app's queries from pg_stat_statements and its lock trace.
            $"rehearse --dir \"{s.Folder.Directory}\"", $"rehearse --format json --dir \"{s.Folder.Directory}\" --html-report \"{page}\"",
            $"rehearse --format html --dir \"{s.Folder.Directory}\"", $"validate --format sarif \"{s.Folder.Directory}\"",
            // After the deploy: the watch's report and a backup restored and compared (psql gets the password too).
            "watch 1 --watch-warn-only", "watch 1 --watch-warn-only --format json", $"verify-backup --backup-dir \"{s.BackupDirectory}\"",
        };
        var outputs = commands.Select(c => CliProcess.Run(c, env).Output).ToList();
        // The new channels really spoke: a search of output that was never printed proves nothing.
        Assert.Contains(outputs, o => o.Contains("0004_drop_nickname.sql: contract step after streambot/1.5.0", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Contains("App queries: ", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Contains("\"appQueries\"", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Contains("Watch: no regression", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Contains("\"queriesCompared\"", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Contains(" verified in ", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Contains("Lock: free", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Contains("\"version\": \"2.1.0\"", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Contains("<svg class=\"timeline\"", StringComparison.Ordinal));

        // Failures print connection details: never the password, whichever form it came in.
        var wrong = s.Url.Replace(Uri.EscapeDataString(password), "Wr0ng-Secret-xyz", StringComparison.Ordinal);
        outputs.Add(CliProcess.Run($"status {statusDir}", Channels(new Dictionary<string, string?> { ["DATABASE_URL"] = wrong })).Output);
        outputs.Add(CliProcess.Run($"up {dir}", Channels(new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url.Replace("/sbm_", "/nope_", StringComparison.Ordinal) })).Output);
        var keyword = $"Host=127.0.0.1;Port={new Uri(s.Url).Port};Database={new Uri(s.Url).AbsolutePath.Trim('/')};Username={new Uri(s.Url).UserInfo.Split(':')[0]};Password={password}";
        // The keyword form on the command line is the user's own choice (and documented as worse than the variable);
        // what is checked here is that nothing the CLI prints or starts repeats it.
        outputs.Add(CliProcess.Run($"up --connection \"{keyword}\" {dir}", Channels(new Dictionary<string, string?> { ["PATH"] = chain.SearchPath })).Output);

        // libpq's key=value form, in the variable: the issue's own example (nothing listening), a wrong password, and
        // real runs with a backup, so its password also travels to pg_dump.
        var uri = new Uri(s.Url);
        var database = uri.AbsolutePath.Trim('/');
        var user = uri.UserInfo.Split(':')[0];
        var libpq = $"host=127.0.0.1 port={uri.Port} dbname={database} user={user} password='{password}'";
        foreach (var (form, command) in new[]
        {
            ($"host=127.0.0.1 port=1 dbname=bot user=app password={password}", "status"),
            (libpq.Replace(password, "Wr0ng-Secret-xyz", StringComparison.Ordinal), "up"),
            (libpq, "down"),
            (libpq, "up"),
            ($"host=127.0.0.1 port={uri.Port} dbname={database} user={user} password={password} frobnicate=1", "status"),
            ($"postgres://{user}:{Uri.EscapeDataString(password)}@/{database}?host=127.0.0.1&port={uri.Port}", "down"),
            ($"postgres://{user}:{Uri.EscapeDataString(password)}@/{database}?host=127.0.0.1&port={uri.Port}", "up"),
        })
        {
            outputs.Add(CliProcess.Run($"{command} {(command == "status" ? statusDir : dir)}", Channels(new Dictionary<string, string?> { ["DATABASE_URL"] = form, ["PATH"] = chain.SearchPath })).Output);
        }

        var backups = Directory.GetFiles(s.BackupDirectory, "*.sql");
        var commandLines = chain.CommandLines.Where(l => !l.Contains("--connection", StringComparison.Ordinal) || l.Contains("pg_dump", StringComparison.Ordinal)).ToList();
        Assert.True(backups.Length >= 8, $"expected a backup per run with work, found {backups.Length}");
        Assert.True(commandLines.Count >= 8 * 3, $"expected the pg_dump chain of each backup, got {commandLines.Count} lines");
        Assert.Contains(commandLines, l => l.Contains("streambot-migrate", StringComparison.Ordinal));

        // Each backup's manifest (names, counts, the schema) is searched too.
        var manifests = Directory.GetFiles(s.BackupDirectory, "*.manifest.json").Select(File.ReadAllText).ToList();
        Assert.Equal(backups.Length, manifests.Count);
        // The job summary, the HTML page and every byte sent to the collector (its protobuf read as Latin-1 text).
        var telemetry = collector.Requests.Select(r => System.Text.Encoding.Latin1.GetString(r.Body)).ToList();
        Assert.Contains(collector.Requests, r => r.Path == "/v1/traces");
        var summaryText = File.ReadAllText(summary);
        Assert.True(summaryText.Contains("## ❌ Migrations `status`", StringComparison.Ordinal), summaryText);
        var haystacks = outputs.Concat(backups.Select(Path.GetFileName)).Concat(manifests).Concat(commandLines)
            .Append(summaryText).Append(File.ReadAllText(page)).Concat(telemetry).ToList();
        var forms = new[] { password, Uri.EscapeDataString(password), "Wr0ng-Secret-xyz" };
        var hits = haystacks.Sum(h => forms.Count(f => h!.Contains(f, StringComparison.Ordinal)));
        Assert.True(hits == 0, "password found in:\n" + string.Join("\n---\n", haystacks.Where(h => forms.Any(f => h!.Contains(f, StringComparison.Ordinal)))));
        Assert.All(backups, b => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(b)));
        ReliabilityFigures.Record("secrets", $"{outputs.Count} commands in 4 connection forms, {outputs.Count} outputs, {backups.Length} backup names, {commandLines.Count} process command lines, the job summary, the HTML report and {telemetry.Count} OTLP exports searched: {hits} hits");
        File.Delete(summary);
        File.Delete(page);
    }
}
