using StreamBot.Migrations.Tests.Support;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Tests.Unit.Drizzle;

/// <summary>drizzle-kit's meta/_journal.json, checked in every build when it is beside the migrations.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class DrizzleKitJournalTests
{
    private static string Entry(int idx, long when, string tag) =>
        $$"""    { "idx": {{idx}}, "version": "7", "when": {{when}}, "tag": "{{tag}}", "breakpoints": true }""";

    // The entries of MigrationsFolder.Valid()'s three files.
    private static readonly string[] Matching =
        [Entry(0, 1700000000000, "0000_initial_schema"), Entry(1, 1700000100000, "0001_add_balances"), Entry(2, 1700000200000, "0002_add_balance_index")];

    private static string Journal(params string[] entries) =>
        "{\n  \"version\": \"7\",\n  \"dialect\": \"postgresql\",\n  \"entries\": [\n" + string.Join(",\n", entries) + "\n  ]\n}\n";

    private static MigrationsFolder WithJournal(string journal)
    {
        var folder = MigrationsFolder.Valid();
        System.IO.Directory.CreateDirectory(folder.Path("meta"));
        folder.Write("meta/_journal.json", journal);
        return folder;
    }

    private static List<string> Problems(MigrationsFolder folder) =>
        MigrationsValidator.Validate(folder.Directory).Diagnostics.Select(d => $"{Path.GetFileName(d.File)}({d.Line}): {d.Code}").ToList();

    [Fact]
    public void A_journal_that_matches_the_folder_passes_and_is_kept_for_later()
    {
        using var folder = WithJournal(Journal(Matching));

        var report = MigrationsValidator.Validate(folder.Directory);

        Assert.Empty(report.Diagnostics);
        Assert.Equal([("0000_initial_schema", 1700000000000L, 5), ("0001_add_balances", 1700000100000L, 6), ("0002_add_balance_index", 1700000200000L, 7)],
            report.DrizzleKit!.Entries.Select(e => (e.Tag, e.When, e.Line)));
    }

    [Fact]
    public void The_stream_bot_journal_matches_its_folder()
    {
        var report = MigrationsValidator.Validate(Path.Combine(RepoPaths.Root, "migrations"));

        Assert.Empty(report.Diagnostics);
        Assert.Equal(report.Migrations.Select(m => m.Name), report.DrizzleKit!.Entries.Select(e => e.Tag));
    }

    [Fact]
    public void A_merge_of_two_branches_that_each_generated_a_migration_is_caught_at_the_journal_line()
    {
        // Both branches added a 0003 and an entry with idx 3; the one generated first has the older timestamp.
        using var folder = WithJournal(Journal([.. Matching, Entry(3, 1700000400000, "0003_add_alerts"), Entry(3, 1700000300000, "0003_add_raids")]));
        folder.AddMigration("0003_add_alerts", "CREATE TABLE alerts (id int);\n").AddMigration("0003_add_raids", "CREATE TABLE raids (id int);\n");

        Assert.Equal(["0003_add_raids.sql(0): SBM1003", "_journal.json(9): SBM1011", "_journal.json(9): SBM1012"], Problems(folder));
    }

    [Fact]
    public void Files_and_entries_that_do_not_match_are_named()
    {
        using var folder = WithJournal(Journal(Matching[0], Entry(1, 1700000100000, "0001_add_balance"), Matching[2]));

        Assert.Equal(["_journal.json(6): SBM1010", "0001_add_balances.sql(0): SBM1009"], Problems(folder));
    }

    [Fact]
    public void A_tag_listed_twice_is_one_coded_error()
    {
        using var folder = WithJournal(Journal(Matching[0], Matching[1], Entry(2, 1700000200000, "0001_add_balances")));

        Assert.Equal(["_journal.json(7): SBM1011", "0002_add_balance_index.sql(0): SBM1009"], Problems(folder));
    }

    [Theory]
    [InlineData("{\n  \"entries\": [\n<<<<<<< HEAD\n  ]\n}\n", 3)]
    [InlineData("[]\n", 1)]
    [InlineData("{ \"version\": \"7\" }\n", 1)]
    [InlineData("{\n  \"entries\": {}\n}\n", 2)]
    [InlineData("{\n  \"entries\": [\n    { \"idx\": 0, \"tag\": \"0000_initial_schema\" }\n  ]\n}\n", 3)]
    [InlineData("{\n  \"entries\": [\n    { \"idx\": \"0\", \"when\": 1, \"tag\": \"0000_initial_schema\" }\n  ]\n}\n", 3)]
    [InlineData("", 1)]
    public void A_malformed_journal_is_one_coded_error_at_its_line(string journal, int line)
    {
        using var folder = WithJournal(journal);

        var problem = Assert.Single(MigrationsValidator.Validate(folder.Directory).Diagnostics);

        Assert.Equal(("SBM1008", line), (problem.Code, problem.Line));
        Assert.EndsWith("_journal.json", problem.File, StringComparison.Ordinal);
    }
}
