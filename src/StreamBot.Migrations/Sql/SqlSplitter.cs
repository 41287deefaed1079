namespace StreamBot.Migrations.Sql;

/// <summary>Splits PostgreSQL scripts into statements, with the boundaries psql would use.</summary>
public static class SqlSplitter
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Splits UTF-8 encoded SQL. A leading byte order mark is skipped and reported.</summary>
    public static SqlScript Split(ReadOnlyMemory<byte> utf8)
    {
        var span = utf8.Span;
        var hasBom = span.StartsWith(Utf8Bom);
        // Sized once from the semicolons (a vectorised count): a file of a million INSERTs then never holds the
        // list's doubling copies alongside its own bytes. Capped, since semicolons inside literals are not statements.
        var statements = new List<SqlStatement>(Math.Min(span.Count((byte)';') + 1, span.Length / 16 + 16));
        var problems = new List<SqlProblem>();
        Span<int> wordStarts = stackalloc int[StatementWords.Capacity];
        Span<int> wordLengths = stackalloc int[StatementWords.Capacity];
        var scanner = new SqlScanner<NoTokens>(span, hasBom ? Utf8Bom.Length : 0, wordStarts, wordLengths, statements, problems, default);
        scanner.Run();
        return new SqlScript(utf8, hasBom, statements, problems);
    }

    /// <summary>
    /// Every token of a script, comments included, in order: the same reading as <see cref="Split(ReadOnlyMemory{byte})"/>,
    /// kept. Offsets are into <paramref name="utf8"/>.
    /// </summary>
    internal static TokenBuffer Tokenize(ReadOnlySpan<byte> utf8)
    {
        // About one token per 8 bytes in migration SQL; the buffer doubles if a file is denser.
        var tokens = new TokenBuffer(utf8.Length / 8);
        Span<int> wordStarts = stackalloc int[StatementWords.Capacity];
        Span<int> wordLengths = stackalloc int[StatementWords.Capacity];
        var scanner = new SqlScanner<TokenList>(utf8, utf8.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0, wordStarts, wordLengths, [], [], new TokenList(tokens));
        scanner.Run();
        return tokens;
    }

    /// <summary>Splits SQL held in a string.</summary>
    public static SqlScript Split(string sql) => Split(System.Text.Encoding.UTF8.GetBytes(sql));
}
