using StreamBot.Migrations.Validation;
using System.Security.Cryptography;
using System.Text;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Drizzle;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Tests.Unit.Planning;

/// <summary>The folder against drizzle-orm's journal rows, decided as drizzle-orm's migrator decides, without a server.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class DrizzleMatchTests
{
    private static ValidatedMigration File(string name, string text) =>
        ValidatedMigration.From(new MigrationFile(int.Parse(name[..4], System.Globalization.CultureInfo.InvariantCulture), name, "/m/" + name + ".sql"),
            SqlSplitter.Split(Encoding.UTF8.GetBytes(text)), null);

    private static string Sha(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    private static readonly ValidatedMigration[] Files =
    [
        File("0000_base", "CREATE TABLE a (id int);\n"),
        File("0001_next", "CREATE TABLE b (id int);\n"),
        File("0002_more", "CREATE TABLE c (id int);\n"),
        File("0003_last", "CREATE TABLE d (id int);\n"),
    ];

    private static readonly DrizzleKitJournal Journal = new("/m/meta/_journal.json",
        [new(0, 1000, "0000_base", 5), new(1, 2000, "0001_next", 6), new(2, 3000, "0002_more", 7), new(3, 4000, "0003_last", 8)]);

    private static List<(string, DrizzleFileState)> States(DrizzleMatch match) => match.Files.Select(f => (f.Migration.Name, f.State)).ToList();

    [Fact]
    public void Applied_files_are_found_by_hash_and_newer_ones_are_pending()
    {
        var match = DrizzleMatch.Of(Files, Journal, [new(1, Sha("CREATE TABLE a (id int);\n"), 1000), new(2, Sha("CREATE TABLE b (id int);\n"), 2000)]);

        Assert.Equal([("0000_base", DrizzleFileState.Applied), ("0001_next", DrizzleFileState.Applied), ("0002_more", DrizzleFileState.Pending), ("0003_last", DrizzleFileState.Pending)], States(match));
        Assert.Empty(match.UnknownRows);
    }

    [Fact]
    public void A_file_older_than_the_newest_row_and_not_applied_is_skipped_as_drizzle_would_skip_it()
    {
        var match = DrizzleMatch.Of(Files, Journal, [new(1, Sha("CREATE TABLE a (id int);\n"), 1000), new(2, Sha("CREATE TABLE c (id int);\n"), 3000)]);

        Assert.Equal(DrizzleFileState.Skipped, match.Files[1].State);
        Assert.Equal(DrizzleFileState.Pending, match.Files[3].State);
    }

    [Fact]
    public void A_row_with_the_files_when_but_another_hash_means_the_file_was_edited()
    {
        var match = DrizzleMatch.Of(Files, Journal, [new(1, Sha("CREATE TABLE a (id bigint);\n"), 1000)]);

        Assert.Equal((DrizzleFileState.Edited, 1L), (match.Files[0].State, match.Files[0].Row!.Id));
        Assert.Empty(match.UnknownRows);
    }

    [Theory]
    [InlineData("CREATE TABLE a (id int);\r\nSELECT 1;\r\n", "CREATE TABLE a (id int);\nSELECT 1;\n", "with LF line ends")]
    [InlineData("CREATE TABLE a (id int);\nSELECT 1;\n", "CREATE TABLE a (id int);\r\nSELECT 1;\r\n", "with CRLF line ends")]
    [InlineData("\uFEFFCREATE TABLE a (id int);\n", "CREATE TABLE a (id int);\n", "without its byte order mark")]
    [InlineData("\uFEFFCREATE TABLE a (id int);\r\n", "CREATE TABLE a (id int);\n", "without its byte order mark and with LF line ends")]
    public void A_checkout_with_other_line_ends_or_a_byte_order_mark_still_matches(string ours, string theirs, string how)
    {
        var match = DrizzleMatch.Of([File("0000_base", ours)], Journal, [new(1, Sha(theirs), 1000)]);

        Assert.Equal((DrizzleFileState.Applied, how), (match.Files[0].State, match.Files[0].MatchedAs));
    }

    [Fact]
    public void Rows_that_match_no_file_are_listed()
    {
        var match = DrizzleMatch.Of(Files, Journal, [new(1, Sha("CREATE TABLE a (id int);\n"), 1000), new(7, "feed", 999_000), new(8, "beef", null)]);

        Assert.Equal([7L, 8L], match.UnknownRows.Select(r => r.Id));
        Assert.Equal(DrizzleFileState.Skipped, match.Files[1].State);
    }

    [Fact]
    public void A_row_with_a_NULL_created_at_is_named_with_what_drizzle_orm_would_do_and_the_SQL_that_fixes_it()
    {
        var match = DrizzleMatch.Of(Files, Journal, [new(1, Sha("CREATE TABLE a (id int);\n"), null)], "drizzle.__drizzle_migrations");

        Assert.Equal(DrizzleFileState.Applied, match.Files[0].State);
        var problem = Assert.Single(match.RowProblems);
        Assert.Equal(
            "row id 1 has created_at NULL: drizzle-orm's migrator reads its newest row with ORDER BY created_at DESC, which puts NULL first, takes 0 as the time of the last migration, and runs every migration again",
            problem.What);
        Assert.Equal($"UPDATE drizzle.__drizzle_migrations SET created_at = {match.Files[0].When} WHERE id = 1; -- {match.Files[0].Migration.Name}'s when in meta/_journal.json", problem.Fix);
        Assert.True(problem.StopsAdoption);
    }

    [Fact]
    public void A_duplicate_row_is_named_as_a_duplicate_not_as_a_row_that_matches_no_file()
    {
        var hash = Sha("CREATE TABLE a (id int);\n");
        var match = DrizzleMatch.Of(Files, Journal, [new(1, hash, 1000), new(2, hash, 1000)], "drizzle.__drizzle_migrations");

        Assert.Empty(match.UnknownRows);
        var problem = Assert.Single(match.RowProblems);
        Assert.StartsWith("row id 2 repeats row id 1 (", problem.What, StringComparison.Ordinal);
        Assert.Equal("DELETE FROM drizzle.__drizzle_migrations WHERE id = 2;", problem.Fix);
        Assert.False(problem.StopsAdoption);
    }
}
