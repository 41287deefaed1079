using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Tests.Unit.Sql;

/// <summary>The lexer's token stream: kinds, boundaries and positions, from the same reading as the splitter.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class SqlTokenTests
{
    private static List<(SqlTokenKind Kind, string Text)> Tokens(string sql)
    {
        var script = SqlSplitter.Split(sql);
        return script.Statements.SelectMany(s => script.Tokens(s)).Select(t => (t.Kind, script.GetText(t))).ToList();
    }

    [Fact]
    public void Each_kind_of_token_is_told_apart()
    {
        var tokens = Tokens("CREATE INDEX CONCURRENTLY \"Idx\" ON stream_bot.users (lower(name)) WHERE b >= $1::int AND c <> E'x\\'y' /* why */ AND d = 1.5e3;");

        Assert.Equal(
        [
            (SqlTokenKind.Keyword, "CREATE"), (SqlTokenKind.Keyword, "INDEX"), (SqlTokenKind.Keyword, "CONCURRENTLY"),
            (SqlTokenKind.QuotedIdentifier, "\"Idx\""), (SqlTokenKind.Keyword, "ON"), (SqlTokenKind.Identifier, "stream_bot"),
            (SqlTokenKind.Punctuation, "."), (SqlTokenKind.Identifier, "users"), (SqlTokenKind.Punctuation, "("),
            (SqlTokenKind.Identifier, "lower"), (SqlTokenKind.Punctuation, "("), (SqlTokenKind.Keyword, "name"),
            (SqlTokenKind.Punctuation, ")"), (SqlTokenKind.Punctuation, ")"), (SqlTokenKind.Keyword, "WHERE"),
            (SqlTokenKind.Identifier, "b"), (SqlTokenKind.Operator, ">="), (SqlTokenKind.Parameter, "$1"),
            (SqlTokenKind.Operator, "::"), (SqlTokenKind.Keyword, "int"), (SqlTokenKind.Keyword, "AND"),
            (SqlTokenKind.Identifier, "c"), (SqlTokenKind.Operator, "<>"), (SqlTokenKind.StringLiteral, "E'x\\'y'"),
            (SqlTokenKind.Comment, "/* why */"), (SqlTokenKind.Keyword, "AND"), (SqlTokenKind.Identifier, "d"),
            (SqlTokenKind.Operator, "="), (SqlTokenKind.Number, "1.5e3"), (SqlTokenKind.Punctuation, ";"),
        ],
        tokens);
    }

    [Theory]
    [InlineData("SELECT 1+-- note\n2;", new[] { "SELECT", "1", "+", "-- note", "2", ";" })]
    [InlineData("SELECT 1*/* c */2;", new[] { "SELECT", "1", "*", "/* c */", "2", ";" })]
    [InlineData("SELECT a||b, c->>'k', d @> e;", new[] { "SELECT", "a", "||", "b", ",", "c", "->>", "'k'", ",", "d", "@>", "e", ";" })]
    [InlineData("SELECT $tag$ a; b $tag$, $$x$$;", new[] { "SELECT", "$tag$ a; b $tag$", ",", "$$x$$", ";" })]
    [InlineData("SELECT U&'\\0041', U&\"a\", B'01', X'ff', N'n';", new[] { "SELECT", "U&'\\0041'", ",", "U&\"a\"", ",", "B'01'", ",", "X'ff'", ",", "N'n'", ";" })]
    [InlineData("SELECT /* outer /* inner */ still */ 1;", new[] { "SELECT", "/* outer /* inner */ still */", "1", ";" })]
    public void Token_boundaries_follow_the_server_lexer(string sql, string[] expected) =>
        Assert.Equal(expected, Tokens(sql).Select(t => t.Text));

    [Theory]
    [MemberData(nameof(SplitterCases.All), MemberType = typeof(SplitterCases))]
    public void Tokens_cover_every_byte_that_is_not_white_space(string name, string sql, string[] expected)
    {
        _ = (name, expected);
        var bytes = System.Text.Encoding.UTF8.GetBytes(sql);
        var tokens = SqlSplitter.Tokenize(bytes);
        var covered = new bool[bytes.Length];
        var previousEnd = 0;
        for (var t = 0; t < tokens.Count; t++)
        {
            var token = tokens[t];
            Assert.True(token.Start >= previousEnd && token.Length > 0, $"{name}: token at {token.Start} overlaps or is empty");
            Array.Fill(covered, true, token.Start, token.Length);
            previousEnd = token.End;
        }

        var bom = bytes.AsSpan().StartsWith((byte[])[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        for (var i = bom; i < bytes.Length; i++)
        {
            Assert.True(covered[i] || bytes[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f' or (byte)'\v' || IsMetaCommand(bytes, i),
                $"{name}: byte {i} ('{(char)bytes[i]}') is in no token");
        }
    }

    // A psql meta-command is an error, not a token: its line is reported and skipped.
    private static bool IsMetaCommand(byte[] bytes, int index)
    {
        var lineStart = Array.LastIndexOf(bytes, (byte)'\n', Math.Max(index - 1, 0)) + 1;
        return Array.IndexOf(bytes, (byte)'\\', lineStart) is var slash && slash >= 0 && slash <= index;
    }

    [Fact]
    public void A_statement_owns_its_tokens_and_the_comments_after_it_are_found()
    {
        var script = SqlSplitter.Split("DROP INDEX a; -- Should return 0 rows\n/* block */ SELECT 1;\n");

        Assert.Equal(["DROP", "INDEX", "a", ";"], script.Tokens(script.Statements[0]).Select(t => script.GetText(t)));
        Assert.Equal(["-- Should return 0 rows"], script.CommentsAfter(script.Statements[0], script.Statements[1].Start).Select(t => script.GetText(t)));
        var select = script.Tokens(script.Statements[1]);
        Assert.Equal(SqlTokenKind.Comment, select[0].Kind);
        Assert.Equal((2, 13), script.Locate(select[1].Start));
    }

    [Theory]
    [InlineData("CREATE INDEX CONCURRENTLY idx_a ON t (a);", "idx_a", "t")]
    [InlineData("create unique index concurrently if not exists \"Idx \"\"A\"\"\" on only Stream.\"Users\" (a);", "Idx \"A\"", "Stream.\"Users\"")]
    [InlineData("CREATE INDEX /* note */ CONCURRENTLY Idx_B -- why\n ON public.t USING btree (a);", "idx_b", "public.t")]
    public void A_create_index_concurrently_names_its_index_and_table(string sql, string index, string table)
    {
        var script = SqlSplitter.Split(sql);

        Assert.Equal(new CreateIndexConcurrently(index, table), CreateIndexConcurrently.Read(script, script.Statements[0]));
    }

    [Theory]
    [InlineData("CREATE INDEX idx ON t (a);")]
    [InlineData("CREATE INDEX CONCURRENTLY ON t (a);")]
    [InlineData("SELECT 'CREATE INDEX CONCURRENTLY idx ON t (a)';")]
    [InlineData("DROP INDEX CONCURRENTLY idx;")]
    public void Other_statements_build_no_named_concurrent_index(string sql)
    {
        var script = SqlSplitter.Split(sql);

        Assert.Null(CreateIndexConcurrently.Read(script, script.Statements[0]));
    }
}
