using System.Globalization;
using System.Text;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Tests.Unit.Sql;

[Trait(Tier.Name, Tier.Unit)]
public sealed class SqlSplitterTests
{
    public static TheoryData<string, string, string[]> Cases => SplitterCases.All;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Splits_like_psql(string name, string sql, string[] expected)
    {
        var script = SqlSplitter.Split(sql);
        var actual = script.Statements
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Line}:{s.Column}:{script.GetText(s)}"))
            .ToArray();
        Assert.False(script.HasProblems, name);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Case_table_has_at_least_eighty_rows_with_unique_names()
    {
        var names = Cases.Select(row => (string)row[0]).ToList();
        Assert.True(names.Count >= 80, $"only {names.Count} rows");
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("SELECT 'abc", "SBM2001", 1, 8)]
    [InlineData("SELECT 1;\nSELECT E'abc\\'", "SBM2001", 2, 8)]
    [InlineData("SELECT 1;\r\nSELECT 'x", "SBM2001", 2, 8)]
    [InlineData("SET standard_conforming_strings = off;\nSELECT 'a\\';", "SBM2001", 2, 8)]
    [InlineData("SELECT \"abc", "SBM2002", 1, 8)]
    [InlineData("SELECT U&\"abc", "SBM2002", 1, 8)]
    [InlineData("SELECT 1; /* abc", "SBM2003", 1, 11)]
    [InlineData("/* a /* b */", "SBM2003", 1, 1)]
    [InlineData("SELECT $$abc", "SBM2004", 1, 8)]
    [InlineData("SELECT $tag$abc$TAG$", "SBM2004", 1, 8)]
    [InlineData("SELECT x$$;$$;", "SBM2004", 1, 12)]
    [InlineData("\\set x 1\nSELECT 1;", "SBM2008", 1, 1)]
    [InlineData("SELECT 1 \\gset\n", "SBM2008", 1, 10)]
    [InlineData("\uFEFFSELECT 'x", "SBM2001", 1, 8)]
    public void Reports_problem_where_the_construct_opens(string sql, string code, int line, int column)
    {
        var script = SqlSplitter.Split(sql);
        var problem = Assert.Single(script.ProblemsAsDiagnostics("f.sql"));
        Assert.Equal(code, problem.Code);
        Assert.Equal((line, column), (problem.Line, problem.Column));
    }

    [Fact]
    public void Unterminated_construct_still_yields_the_statement_up_to_the_end()
    {
        var script = SqlSplitter.Split("SELECT 1;\nSELECT 'abc;\nSELECT 2;");
        Assert.Equal(["SELECT 1;", "SELECT 'abc;\nSELECT 2;"], script.Statements.Select(s => script.GetText(s)));
    }

    [Fact]
    public void Reports_a_byte_order_mark()
    {
        Assert.True(SqlSplitter.Split("\uFEFFSELECT 1;").HasByteOrderMark);
        Assert.False(SqlSplitter.Split("SELECT 1;").HasByteOrderMark);
    }

    [Theory]
    [InlineData("SELECT 1;", StatementTerminator.Semicolon)]
    [InlineData("SELECT 1\n--> statement-breakpoint\n", StatementTerminator.Breakpoint)]
    [InlineData("SELECT 1", StatementTerminator.EndOfInput)]
    public void Records_what_ended_the_statement(string sql, StatementTerminator expected) =>
        Assert.Equal(expected, Assert.Single(SqlSplitter.Split(sql).Statements).Terminator);

    /// <summary>
    /// Property: statements built from random fragments, joined with random separators, come back exactly, and the
    /// statement texts plus the separators between them reproduce the input byte for byte.
    /// </summary>
    [Fact]
    public void Random_scripts_split_back_into_their_statements()
    {
        string[] fragments =
        [
            "SELECT 1", "'a;b'", "'it''s'", "E'x\\';y'", "$$ ; $$", "$fn$ $$ ; $fn$", "\"q;\"", "/* ; /* ; */ */",
            "(a; b)", "f(';')", "U&'\\0041;'", "B'01'", "$1", "a$b", "x -- ;\n", "CASE WHEN 1 THEN 2 END",
            "'é;😀'", "X'1F'", "--\n", "1.5", "::int", "- 1", "/ 2", "\"it's\"",
        ];
        string[] separators = ["\n", " ", "\r\n", "\n\n", "\n-- note; 'x\n", "\n/* ; */\n", "\n--> statement-breakpoint\n", "\t"];
        var random = new Random(20251115);
        for (var iteration = 0; iteration < 500; iteration++)
        {
            var statements = new List<string>();
            var input = new StringBuilder();
            var count = random.Next(1, 8);
            for (var s = 0; s < count; s++)
            {
                var statement = new StringBuilder("SELECT");
                var parts = random.Next(0, 6);
                for (var p = 0; p < parts; p++)
                {
                    statement.Append(' ').Append(fragments[random.Next(fragments.Length)]);
                }

                if (statement[^1] == '\n')
                {
                    statement.Append('1');
                }

                statement.Append(';');
                var separator = separators[random.Next(separators.Length)];
                // A /* */ comment before a statement is sent with it, as psql does.
                var comment = separator.IndexOf("/*", StringComparison.Ordinal);
                statements.Add((comment < 0 ? string.Empty : separator[comment..]) + statement);
                input.Append(separator).Append(statement);
            }

            input.Append(separators[random.Next(separators.Length)]);
            var script = SqlSplitter.Split(input.ToString());
            Assert.False(script.HasProblems, input.ToString());
            Assert.Equal(statements, script.Statements.Select(st => script.GetText(st)));

            var bytes = Encoding.UTF8.GetBytes(input.ToString());
            var rebuilt = new List<byte>();
            var position = 0;
            foreach (var st in script.Statements)
            {
                rebuilt.AddRange(bytes[position..st.Start]);
                rebuilt.AddRange(Encoding.UTF8.GetBytes(script.GetText(st)));
                position = st.End;
            }

            rebuilt.AddRange(bytes[position..]);
            Assert.Equal(bytes, rebuilt.ToArray());
        }
    }

    [Fact]
    public void Splits_a_large_script_in_one_pass_with_correct_positions()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
        {
            text.Append("INSERT INTO t VALUES (").Append(i).Append(", 'x;y');\n");
        }

        var script = SqlSplitter.Split(text.ToString());
        Assert.Equal(20_000, script.Statements.Count);
        Assert.Equal(20_000, script.Statements[^1].Line);
        Assert.All(script.Statements, s => Assert.Equal(1, s.Column));
    }
}
