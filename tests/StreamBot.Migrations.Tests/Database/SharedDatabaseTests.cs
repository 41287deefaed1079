using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>Two services, one database: a journal that is another folder's is named as such and never "fixed".</summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class SharedDatabaseTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public void A_second_service_pointed_at_the_first_ones_journal_is_told_to_use_its_own()
    {
        using var first = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = first.Url };
        Assert.Equal(0, CliProcess.Run($"up --no-backup --dir \"{first.Folder.Directory}\"", env).ExitCode);

        using var second = MigrationsFolder.Empty();
        second.WriteReadme("# Migrations\n");
        second.AddMigration("0000_analytics_schema", "CREATE TABLE analytics_events (id bigserial PRIMARY KEY);\n", notRecommended: true);
        second.AddMigration("0001_analytics_index", "CREATE INDEX analytics_events_id ON analytics_events (id);\n");
        foreach (var command in new[] { "up", "down" })
        {
            var (exit, output) = CliProcess.Run($"{command} --no-backup --dir \"{second.Directory}\"", env);
            Assert.Equal(1, exit);
            Assert.Contains("error SBM4026", output, StringComparison.Ordinal);
            Assert.Contains("--journal-table", output, StringComparison.Ordinal);
            Assert.DoesNotContain("delete its journal row", output, StringComparison.Ordinal);
            Assert.DoesNotContain("restore the database", output, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SBM4007", output, StringComparison.Ordinal);
            DiagnosticLines.AssertWellFormed(output);
        }

        var status = CliProcess.Run($"status --dir \"{second.Directory}\"", env);
        Assert.Contains("most likely belongs to another service", status.Output, StringComparison.Ordinal);
        Assert.Equal(3L, first.JournalCount());
        Assert.False(first.TableExists("analytics_events"));

        var own = CliProcess.Run($"up --no-backup --dir \"{second.Directory}\" --journal-table analytics_migrations", env);
        Assert.True(own.ExitCode == 0, own.Output);
        Assert.Equal(0, CliProcess.Run($"up --no-backup --dir \"{first.Folder.Directory}\"", env).ExitCode);
    }

    [Fact]
    public void Up_reports_every_journal_problem_at_once()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Folder.AddMigration("0003_add_notes", "CREATE TABLE notes (id int);\n", "DROP TABLE notes;", "SELECT 1 FROM pg_tables WHERE tablename = 'notes';");
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url };
        Assert.Equal(0, CliProcess.Run($"up --no-backup --dir \"{s.Folder.Directory}\"", env).ExitCode);
        s.Folder.Write("0001_add_balances.sql", File.ReadAllText(s.Folder.Path("0001_add_balances.sql")) + "-- edited\n");
        s.Folder.Write("0003_add_notes.sql", "CREATE TABLE notes (id bigint);\n");

        var (exit, output) = CliProcess.Run($"up --no-backup --dir \"{s.Folder.Directory}\"", env);
        Assert.Equal(1, exit);
        Assert.Contains("0001_add_balances.sql: error SBM4006", output, StringComparison.Ordinal);
        Assert.Contains("0003_add_notes.sql: error SBM4006", output, StringComparison.Ordinal);
    }
}
