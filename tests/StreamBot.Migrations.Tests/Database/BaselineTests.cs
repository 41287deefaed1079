using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>A database built the runbook's way (psql -f, file by file), taken over by a verified baseline.</summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class BaselineTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private static readonly string StreamBotFolder = Path.Combine(RepoPaths.Root, "migrations");

    private static string BuiltWithPsql(TestPostgres postgres)
    {
        var url = postgres.CreateDatabase();
        foreach (var file in Directory.GetFiles(StreamBotFolder, "*.sql").Order(StringComparer.Ordinal))
        {
            var (exit, _, error) = TestPostgres.Psql(url, $"-q -v ON_ERROR_STOP=1 -f \"{file}\"");
            Assert.True(exit == 0, error);
        }

        return url;
    }

    [Fact]
    public void A_database_whose_objects_are_all_there_is_baselined_and_then_migrated()
    {
        var url = BuiltWithPsql(postgres);
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = url };
        using var folder = MigrationsFolder.Empty();
        foreach (var file in Directory.GetFiles(StreamBotFolder))
        {
            folder.Write(Path.GetFileName(file), File.ReadAllText(file));
        }

        var dry = CliProcess.Run($"baseline --to 0004 --dry-run --dir \"{folder.Directory}\"", env);
        var baseline = CliProcess.Run($"baseline --to 0004 --dir \"{folder.Directory}\"", env);
        folder.AddMigration("0005_add_stream_markers", "CREATE TABLE stream_markers (id int);\n", "DROP TABLE stream_markers;", "SELECT 1 FROM pg_tables WHERE tablename = 'stream_markers';");
        var up = CliProcess.Run($"up --no-backup --dir \"{folder.Directory}\"", env);

        Assert.True(dry.ExitCode == 0, dry.Output);
        Assert.Contains("Dry run: would record 5 migration(s)", dry.Output, StringComparison.Ordinal);
        Assert.True(baseline.ExitCode == 0, baseline.Output);
        Assert.Matches("Baselined 5 migration\\(s\\), 0000_broad_speedball to 0004_add_giveaway_concurrency_improvements: .* after finding the ([0-9]+) of \\1 object\\(s\\)", baseline.Output);
        Assert.True(up.ExitCode == 0, up.Output);
        Assert.Contains("Applied 1 migration(s)", up.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_object_blocks_the_baseline_at_the_statement_that_creates_it_unless_forced()
    {
        var url = BuiltWithPsql(postgres);
        using (var probe = new SqlProbe(url))
        {
            probe.Execute("DROP INDEX message_history_user_id_posted_at_idx");
        }

        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = url };
        var dir = $"--dir \"{StreamBotFolder}\"";

        var refused = CliProcess.Run($"baseline --to 0004 {dir}", env);
        var unknown = CliProcess.Run($"baseline --to 0009 {dir}", env);
        var forced = CliProcess.Run($"baseline --to 0004 --force {dir}", env);
        var again = CliProcess.Run($"baseline --to 0004 {dir}", env);

        Assert.Equal(1, refused.ExitCode);
        var line = File.ReadAllLines(Path.Combine(StreamBotFolder, "0000_broad_speedball.sql")).ToList().FindIndex(l => l.Contains("\"message_history_user_id_posted_at_idx\"", StringComparison.Ordinal)) + 1;
        Assert.Contains($"0000_broad_speedball.sql({line},1): error SBM4030: 0000_broad_speedball.sql creates index message_history_user_id_posted_at_idx, which is not in the database", refused.Output, StringComparison.Ordinal);
        Assert.Contains("error SBM4031", unknown.Output, StringComparison.Ordinal);
        Assert.True(forced.ExitCode == 0, forced.Output);
        Assert.Contains("warning SBM4030", forced.Output, StringComparison.Ordinal);
        Assert.Contains("error SBM4031", again.Output, StringComparison.Ordinal);
        DiagnosticLines.AssertWellFormed(refused.Output);
    }

    [Fact]
    public async Task Objects_found_only_in_another_schema_do_not_baseline_and_the_message_names_that_schema()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        // The whole schema, but in archive; public, where the migrations create it, is empty.
        s.Execute("CREATE SCHEMA archive");
        s.Execute("CREATE TABLE archive.users (id serial PRIMARY KEY, name text NOT NULL)");

        var refused = await DatabaseScenario.FailsWith("SBM4030", () => s.Runner().BaselineAsync("0000"));
        Assert.Equal(
            "0000_initial_schema.sql creates table users in schema public, which does not have it (schema archive has one: not where this migration puts it, "
            + "so up would run the next migrations against the wrong tables), so this migration cannot be trusted to have run. Nothing was recorded.",
            refused.Message);
        Assert.Equal(0L, s.JournalCount());

        s.Execute("CREATE TABLE public.users (id serial PRIMARY KEY, name text NOT NULL)");
        Assert.Equal(1, await s.Runner().BaselineAsync("0000"));
        Assert.Contains("after finding the 1 of 1 object(s) they create in the database (unqualified names in schema public).", s.Log.Text, StringComparison.Ordinal);
    }
}
