using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Tests.Support;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// Databases built by drizzle-orm's own migrator (npm, pinned in tests/drizzle), read back and matched with the
/// folder: the proof that the hash and ordering rules here are drizzle-orm's.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class DrizzleInteropTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private static readonly string StreamBotFolder = Path.Combine(RepoPaths.Root, "migrations");

    private static List<DrizzleRow> Rows(string url, string table)
    {
        using var probe = new SqlProbe(url);
        var text = (string?)probe.Scalar($"SELECT string_agg(id || ' ' || hash || ' ' || coalesce(created_at::text, '-'), ',' ORDER BY id) FROM {table}") ?? string.Empty;
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(' '))
            .Select(p => new DrizzleRow(long.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), p[1], p[2] == "-" ? null : long.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture))).ToList();
    }

    private static DrizzleMatch Match(string folder, List<DrizzleRow> rows)
    {
        var report = MigrationsValidator.Validate(folder, keepScripts: true);
        Assert.Empty(report.Diagnostics);
        return DrizzleMatch.Of(report.Validated, report.DrizzleKit!, rows);
    }

    [Theory]
    [InlineData(null, null, "drizzle.__drizzle_migrations")]
    [InlineData("public", "drizzle_migrations", "public.drizzle_migrations")]
    public void Every_file_drizzle_applied_from_the_stream_bot_folder_is_recognised(string? schema, string? table, string journal)
    {
        var url = postgres.CreateDatabase();

        var migrate = DrizzleOrm.Migrate(url, StreamBotFolder, schema, table);

        Assert.True(migrate.ExitCode == 0, migrate.Output);
        var match = Match(StreamBotFolder, Rows(url, journal));
        Assert.Equal(5, match.Files.Count);
        Assert.All(match.Files, f => Assert.Equal((DrizzleFileState.Applied, (string?)null), (f.State, f.MatchedAs)));
        Assert.Empty(match.UnknownRows);
    }

    [Fact]
    public void A_database_migrated_from_a_crlf_checkout_matches_the_lf_files()
    {
        using var crlf = CopyOf(StreamBotFolder, text => text.Replace("\n", "\r\n", StringComparison.Ordinal));
        var url = postgres.CreateDatabase();

        Assert.Equal(0, DrizzleOrm.Migrate(url, crlf.Directory).ExitCode);

        var match = Match(StreamBotFolder, Rows(url, "drizzle.__drizzle_migrations"));
        Assert.All(match.Files, f => Assert.Equal((DrizzleFileState.Applied, "with CRLF line ends"), (f.State, f.MatchedAs)));
    }

    [Fact]
    public void A_file_added_with_an_older_timestamp_is_skipped_by_drizzle_and_reported_here()
    {
        // Branch A's 0002 was generated before branch B's 0003, but B was deployed first.
        using var folder = MigrationsFolder.Valid();
        Directory.CreateDirectory(folder.Path("meta"));
        folder.Write("meta/_journal.json", """{ "entries": [ { "idx": 0, "when": 1000, "tag": "0000_initial_schema" }, { "idx": 1, "when": 2000, "tag": "0001_add_balances" }, { "idx": 2, "when": 4000, "tag": "0002_add_balance_index" } ] }""");
        folder.AddMigration("0003_add_stream_notes", "CREATE TABLE stream_notes (id int);\n");
        var url = postgres.CreateDatabase();
        folder.Write("meta/_journal.json", """{ "entries": [ { "idx": 0, "when": 1000, "tag": "0000_initial_schema" }, { "idx": 1, "when": 2000, "tag": "0001_add_balances" }, { "idx": 2, "when": 4000, "tag": "0002_add_balance_index" }, { "idx": 3, "when": 5000, "tag": "0003_add_stream_notes" } ] }""");
        Assert.Equal(0, DrizzleOrm.Migrate(url, folder.Directory).ExitCode);
        folder.AddMigration("0004_add_raids", "CREATE TABLE raids (id int);\n");
        folder.Write("meta/_journal.json", """{ "entries": [ { "idx": 0, "when": 1000, "tag": "0000_initial_schema" }, { "idx": 1, "when": 2000, "tag": "0001_add_balances" }, { "idx": 2, "when": 4000, "tag": "0002_add_balance_index" }, { "idx": 3, "when": 5000, "tag": "0003_add_stream_notes" }, { "idx": 4, "when": 4500, "tag": "0004_add_raids" } ] }""");

        var again = DrizzleOrm.Migrate(url, folder.Directory);

        Assert.True(again.ExitCode == 0, again.Output);
        using var probe = new SqlProbe(url);
        Assert.Equal(0L, probe.Count("SELECT count(*) FROM pg_tables WHERE tablename = 'raids'"));
        var report = MigrationsValidator.Validate(folder.Directory, keepScripts: true);
        Assert.Equal("SBM1012", Assert.Single(report.Diagnostics).Code);
        var match = DrizzleMatch.Of(report.Validated, report.DrizzleKit!, Rows(url, "drizzle.__drizzle_migrations"));
        Assert.Equal(DrizzleFileState.Skipped, match.Files.Single(f => f.Migration.Name == "0004_add_raids").State);
    }

    [Theory]
    [InlineData(null, null, "drizzle.__drizzle_migrations")]
    [InlineData("public", "drizzle_migrations", "public.drizzle_migrations")]
    public void On_a_database_drizzle_built_status_shows_drizzles_journal_and_up_runs_nothing_again(string? schema, string? table, string journal)
    {
        var url = postgres.CreateDatabase();
        Assert.Equal(0, DrizzleOrm.Migrate(url, StreamBotFolder, schema, table).ExitCode);
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = url };
        var dir = $"--dir \"{StreamBotFolder}\"";

        var status = CliProcess.Run($"status {dir}", env);
        var json = CliProcess.Run($"status --format json {dir}", env);
        var up = CliProcess.Run($"up --no-backup {dir}", env);

        Assert.True(status.ExitCode == 0, status.Output);
        // Under this tool's journal name the table is named as configured (unqualified, like every journal message).
        var shown = table is null ? journal : table;
        Assert.Contains($"drizzle-orm journal {shown} (5 of 5 file(s) applied there):", status.Output, StringComparison.Ordinal);
        Assert.Contains($"\"table\": \"{shown}\"", json.Output, StringComparison.Ordinal);
        Assert.Equal(5, System.Text.RegularExpressions.Regex.Count(json.Output, "\"state\": \"applied\""));
        // Before adoption, what drizzle-orm applied is its own state, never "pending": a deploy script must not run it.
        Assert.Equal(5, System.Text.RegularExpressions.Regex.Count(json.Output, "\"state\": \"applied-by-drizzle\""));
        Assert.DoesNotContain("\"state\": \"pending\"", json.Output, StringComparison.Ordinal);
        Assert.Contains("\"pending\": 0", json.Output, StringComparison.Ordinal);
        Assert.Contains("5 migration(s): 5 applied-by-drizzle.", status.Output, StringComparison.Ordinal);
        Assert.Contains("5 migration(s) were applied by drizzle-orm and are not in this tool's journal yet: run adopt", status.Output, StringComparison.Ordinal);
        Assert.Equal(1, up.ExitCode);
        Assert.Contains("error SBM4028", up.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("SBM4009", up.Output + status.Output, StringComparison.Ordinal);
        DiagnosticLines.AssertWellFormed(up.Output);
        using var probe = new SqlProbe(url);
        Assert.Equal(5L, probe.Count($"SELECT count(*) FROM {journal}"));
        Assert.Equal(journal == "public.drizzle_migrations" ? 1L : 0L, probe.Count("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'drizzle_migrations'"));
    }

    [Theory]
    [InlineData("public", "drizzle_migrations", "public.drizzle_migrations", "drizzle_migrations_streambot")]
    [InlineData(null, null, "drizzle.__drizzle_migrations", "drizzle_migrations")]
    public void A_drizzle_built_database_is_adopted_then_migrated_and_drizzles_migrator_stays_content(string? schema, string? table, string drizzleJournal, string ourJournal)
    {
        using var folder = CopyOf(StreamBotFolder, text => text);
        var url = postgres.CreateDatabase();
        Assert.Equal(0, DrizzleOrm.Migrate(url, folder.Directory, schema, table).ExitCode);
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = url };
        var dir = $"--dir \"{folder.Directory}\"";
        using var probe = new SqlProbe(url);

        var dry = CliProcess.Run($"adopt --dry-run {dir}", env);
        Assert.True(dry.ExitCode == 0, dry.Output);
        Assert.Contains("Dry run: would record 5 migration(s)", dry.Output, StringComparison.Ordinal);
        Assert.Equal(0L, probe.Count($"SELECT count(*) FROM pg_tables WHERE tablename = '{ourJournal}'"));

        var adopt = CliProcess.Run($"adopt {dir}", env);
        Assert.True(adopt.ExitCode == 0, adopt.Output);
        Assert.Contains("Adopted 5 migration(s)", adopt.Output, StringComparison.Ordinal);
        Assert.Contains("5 migration(s): 5 applied.", CliProcess.Run($"status {dir}", env).Output, StringComparison.Ordinal);

        // A new migration, generated as drizzle-kit would, applied by this tool: drizzle-orm's row is written too.
        AddToJournal(folder, "0005_add_stream_markers", "stream_markers", 1764504000000);
        var up = CliProcess.Run($"up --no-backup {dir}", env);
        Assert.True(up.ExitCode == 0, up.Output);
        Assert.Contains("Applied 1 migration(s)", up.Output, StringComparison.Ordinal);
        Assert.Equal(6L, probe.Count($"SELECT count(*) FROM {drizzleJournal}"));
        var again = DrizzleOrm.Migrate(url, folder.Directory, schema, table);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Equal(6L, probe.Count($"SELECT count(*) FROM {drizzleJournal}"));

        // drizzle-orm applies the next one: status shows it, up refuses to run it again, adopt records it.
        AddToJournal(folder, "0006_add_raid_alerts", "raid_alerts", 1764590400000);
        Assert.Equal(0, DrizzleOrm.Migrate(url, folder.Directory, schema, table).ExitCode);
        Assert.Contains("(7 of 7 file(s) applied there)", CliProcess.Run($"status {dir}", env).Output, StringComparison.Ordinal);
        Assert.Contains("error SBM4028", CliProcess.Run($"up --no-backup {dir}", env).Output, StringComparison.Ordinal);
        Assert.Contains("Adopted 1 migration(s)", CliProcess.Run($"adopt {dir}", env).Output, StringComparison.Ordinal);
        Assert.Contains("is up to date", CliProcess.Run($"up --no-backup {dir}", env).Output, StringComparison.Ordinal);
        Assert.Equal(1L, probe.Count("SELECT count(*) FROM pg_tables WHERE tablename = 'raid_alerts'"));
    }

    [Fact]
    public void Down_removes_drizzles_row_too_so_drizzles_migrator_applies_the_file_again()
    {
        using var folder = CopyOf(StreamBotFolder, text => text);
        var url = postgres.CreateDatabase();
        Assert.Equal(0, DrizzleOrm.Migrate(url, folder.Directory).ExitCode);
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = url };
        var dir = $"--dir \"{folder.Directory}\"";
        Assert.Equal(0, CliProcess.Run($"adopt {dir}", env).ExitCode);
        AddToJournal(folder, "0005_add_stream_markers", "stream_markers", 1764504000000);
        Assert.Equal(0, CliProcess.Run($"up --no-backup {dir}", env).ExitCode);

        var down = CliProcess.Run($"down --no-backup {dir}", env);

        Assert.True(down.ExitCode == 0, down.Output);
        using var probe = new SqlProbe(url);
        Assert.Equal(5L, probe.Count("SELECT count(*) FROM drizzle.__drizzle_migrations"));
        Assert.Equal(0L, probe.Count("SELECT count(*) FROM pg_tables WHERE tablename = 'stream_markers'"));
        Assert.Equal(0, DrizzleOrm.Migrate(url, folder.Directory).ExitCode);
        Assert.Equal(1L, probe.Count("SELECT count(*) FROM pg_tables WHERE tablename = 'stream_markers'"));
    }

    [Fact]
    public void Adopt_refuses_an_edited_file_a_skipped_one_or_the_wrong_folder_and_records_nothing()
    {
        var url = postgres.CreateDatabase();
        Assert.Equal(0, DrizzleOrm.Migrate(url, StreamBotFolder).ExitCode);
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = url };
        using var edited = CopyOf(StreamBotFolder, text => text.Replace("CREATE INDEX IF NOT EXISTS", "CREATE INDEX  IF NOT EXISTS", StringComparison.Ordinal));
        using var wrong = MigrationsFolder.Valid();
        Directory.CreateDirectory(wrong.Path("meta"));
        wrong.Write("meta/_journal.json", """{ "entries": [ { "idx": 0, "when": 1, "tag": "0000_initial_schema" }, { "idx": 1, "when": 2, "tag": "0001_add_balances" }, { "idx": 2, "when": 3, "tag": "0002_add_balance_index" } ] }""");

        var refusedEdit = CliProcess.Run($"adopt --dir \"{edited.Directory}\"", env);
        var refusedWrong = CliProcess.Run($"adopt --dir \"{wrong.Directory}\"", env);

        Assert.Equal(1, refusedEdit.ExitCode);
        Assert.Matches("error SBM4029: .*000[0-4]_[a-z_]+\\.sql (is|are) edited after drizzle-orm applied it", refusedEdit.Output);
        Assert.Equal(1, refusedWrong.ExitCode);
        Assert.Contains("no file of this folder is applied there", refusedWrong.Output, StringComparison.Ordinal);
        using var probe = new SqlProbe(url);
        Assert.Equal(0L, probe.Count("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'drizzle_migrations%'"));
    }

    // A migration that creates one table, with the rollback that drops it, and its drizzle-kit journal entry.
    private static void AddToJournal(MigrationsFolder folder, string name, string table, long when)
    {
        folder.AddMigration(name, $"CREATE TABLE {table} (id int);\n", $"DROP TABLE {table};", $"SELECT 1 FROM pg_tables WHERE tablename = '{table}';");
        var journal = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(folder.Path("meta/_journal.json")))!;
        var entries = journal["entries"]!.AsArray();
        entries.Add(new System.Text.Json.Nodes.JsonObject { ["idx"] = entries.Count, ["version"] = "7", ["when"] = when, ["tag"] = name, ["breakpoints"] = true });
        folder.Write("meta/_journal.json", journal.ToJsonString());
    }

    private static MigrationsFolder CopyOf(string source, Func<string, string> transform)
    {
        var copy = MigrationsFolder.Empty();
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            Directory.CreateDirectory(Path.GetDirectoryName(copy.Path(relative))!);
            var text = File.ReadAllText(file);
            copy.Write(relative, relative.EndsWith(".sql", StringComparison.Ordinal) ? transform(text) : text);
        }

        return copy;
    }
}
