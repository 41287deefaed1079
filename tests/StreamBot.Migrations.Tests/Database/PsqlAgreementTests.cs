using StreamBot.Migrations.Tests.Unit.Sql;
using System.Text;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// Differential test against the real reference: psql (-e echoes each query exactly as it sends it) runs every
/// row of the case table against a real server, and the splitter must produce the same statements.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class PsqlAgreementTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    // Rows where the difference from psql is deliberate (see README, "How statements are split").
    private static readonly string[] DeliberateDifferences =
    [
        "statement-breakpoint ends a statement without semicolon",
        "statement-breakpoint with CRLF and trailing spaces",
        "byte order mark is skipped",
        "lone semicolons are not statements", // psql sends each ';' as an empty query, which does nothing
        "trailing block comment is not a statement", // likewise a comment left at the end of the file
    ];

    public static TheoryData<string, string, string[]> Cases => SplitterCases.All;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Psql_sends_the_same_statements(string name, string sql, string[] expected)
    {
        _ = expected;
        if (DeliberateDifferences.Contains(name))
        {
            return;
        }

        var file = Path.Combine(Path.GetTempPath(), "sbm-psql-" + Guid.NewGuid().ToString("N") + ".sql");
        File.WriteAllText(file, sql, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        try
        {
            var database = postgres.CreateDatabase();
            var (exit, output, error) = TestPostgres.Psql(database, $"-q -e -o /dev/null -f \"{file}\"");
            Assert.True(exit == 0, error);

            var script = SqlSplitter.Split(sql);
            var ours = string.Concat(script.Statements.Select(s => script.GetText(s) + "\n"));
            Assert.Equal(Visible(output), Visible(ours));
        }
        finally
        {
            File.Delete(file);
        }
    }

    // psql also drops empty lines outside quotes from the text it sends; we send the file's text unchanged so
    // that server error positions map straight back to the file. None of the cases has an empty line in a quote.
    private static string Visible(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, "\n\n+", "\n").Replace("\r", "\\r", StringComparison.Ordinal);
}
