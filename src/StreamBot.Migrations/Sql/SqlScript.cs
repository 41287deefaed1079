using System.Text;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Sql;

/// <summary>
/// A SQL script split into statements, with the lexical problems found on the way. Holds the script's bytes
/// once; statement texts are decoded when asked for.
/// </summary>
public sealed class SqlScript
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly List<SqlProblem> _problems;
    private TokenBuffer? _tokens;

    internal SqlScript(ReadOnlyMemory<byte> source, bool hasByteOrderMark, List<SqlStatement> statements, List<SqlProblem> problems)
    {
        _source = source;
        HasByteOrderMark = hasByteOrderMark;
        Statements = statements;
        _problems = problems;
    }

    /// <summary>The statements in file order.</summary>
    public IReadOnlyList<SqlStatement> Statements { get; }

    /// <summary>Whether the input started with a UTF-8 byte order mark (which is not part of any statement).</summary>
    public bool HasByteOrderMark { get; }

    /// <summary>Whether the lexer found an unterminated construct or a psql meta-command.</summary>
    public bool HasProblems => _problems.Count > 0;

    internal IReadOnlyList<SqlProblem> Problems => _problems;

    internal ReadOnlySpan<byte> Source => _source.Span;

    /// <summary>The script's bytes as read (for its checksum).</summary>
    internal ReadOnlyMemory<byte> Bytes => _source;

    /// <summary>
    /// The tokens of the statement, comments inside it included, in order. The script is tokenized on first use and
    /// kept: a plain split never pays for tokens.
    /// </summary>
    public IReadOnlyList<SqlToken> Tokens(in SqlStatement statement)
    {
        var tokens = _tokens ??= SqlSplitter.Tokenize(_source.Span);
        return tokens.Range(FirstAtOrAfter(tokens, statement.Start), FirstAtOrAfter(tokens, statement.End));
    }

    /// <summary>The comments between the end of <paramref name="statement"/> and the next statement, in order.</summary>
    public IEnumerable<SqlToken> CommentsAfter(in SqlStatement statement, int nextStart)
    {
        var tokens = _tokens ??= SqlSplitter.Tokenize(_source.Span);
        return tokens.Range(FirstAtOrAfter(tokens, statement.End), FirstAtOrAfter(tokens, nextStart)).Where(t => t.Kind == SqlTokenKind.Comment);
    }

    /// <summary>Every comment of the script, in order, wherever it is.</summary>
    internal IEnumerable<SqlToken> Comments()
    {
        var tokens = _tokens ??= SqlSplitter.Tokenize(_source.Span);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Kind == SqlTokenKind.Comment)
            {
                yield return tokens[i];
            }
        }
    }

    /// <summary>The token's text as written.</summary>
    public string GetText(in SqlToken token) => Encoding.UTF8.GetString(_source.Span.Slice(token.Start, token.Length));

    /// <summary>
    /// A name token as PostgreSQL stores the name: unquoted names folded to lower case, quoted ones unquoted with
    /// doubled quotes undone (a <c>U&amp;"..."</c> name is returned as written: its escapes are not decoded).
    /// </summary>
    public string StoredName(in SqlToken token)
    {
        var text = GetText(token);
        return token.Kind != SqlTokenKind.QuotedIdentifier ? text.ToLowerInvariant()
            : text.StartsWith("U&", StringComparison.OrdinalIgnoreCase) ? text
            : text.Length >= 2 && text[^1] == '"' ? text[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal)
            : text[1..]; // an unterminated name (the lexer reports it): what there is of it
    }

    /// <summary>Whether the token is the key word or identifier <paramref name="word"/> (ASCII, any case).</summary>
    public bool Is(in SqlToken token, string word) =>
        token.Kind is SqlTokenKind.Keyword or SqlTokenKind.Identifier && Ascii.EqualsIgnoreCase(_source.Span.Slice(token.Start, token.Length), word);

    private static int FirstAtOrAfter(TokenBuffer tokens, int offset)
    {
        int low = 0, high = tokens.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (tokens[middle].Start < offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>The statement's text exactly as it will be sent to the server.</summary>
    public string GetText(in SqlStatement statement) =>
        Encoding.UTF8.GetString(_source.Span.Slice(statement.Start, statement.Length));

    /// <summary>
    /// The index of the statement whose text is exactly <paramref name="text"/> (what pg_stat_activity shows as a
    /// session's query), or -1. Compares bytes, so a script of millions of statements is searched without decoding them.
    /// </summary>
    public int IndexOf(string text)
    {
        var target = Encoding.UTF8.GetBytes(text);
        var source = _source.Span;
        for (var i = 0; i < Statements.Count; i++)
        {
            var statement = Statements[i];
            if (statement.Length == target.Length && source.Slice(statement.Start, statement.Length).SequenceEqual(target))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>1-based line and column (UTF-16 code units) of a byte offset in the script.</summary>
    public (int Line, int Column) Locate(int byteOffset) =>
        new TextPositions(HasByteOrderMark ? 3 : 0).Locate(_source.Span, Math.Clamp(byteOffset, HasByteOrderMark ? 3 : 0, _source.Length));

    /// <summary>
    /// Where the character at <paramref name="codePointIndex"/> (0-based, counted in Unicode code points as the server
    /// counts error positions) of the statement's text is in the script: how a server error position inside a
    /// statement maps back to the file.
    /// </summary>
    public (int Line, int Column) Locate(in SqlStatement statement, int codePointIndex)
    {
        var bytes = _source.Span.Slice(statement.Start, statement.Length);
        var offset = 0;
        for (var i = 0; i < codePointIndex && offset < bytes.Length; i++)
        {
            System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed);
            offset += Math.Max(consumed, 1);
        }

        return Locate(statement.Start + offset);
    }

    /// <summary>
    /// The lexical problems as diagnostics for <paramref name="file"/>. <paramref name="firstLine"/> and
    /// <paramref name="columnOffset"/> place a script embedded in another file (a README code block).
    /// </summary>
    public IEnumerable<Diagnostic> ProblemsAsDiagnostics(string file, int firstLine = 1, int columnOffset = 0) =>
        _problems.Select(p => p.Diagnostic with { File = file, Line = p.Diagnostic.Line + firstLine - 1, Column = p.Diagnostic.Column + columnOffset });
}
