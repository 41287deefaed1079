namespace StreamBot.Migrations.Sql;

/// <summary>What a token is, as PostgreSQL's lexer sees it.</summary>
public enum SqlTokenKind
{
    /// <summary>A word PostgreSQL lists as a key word (CREATE, INDEX, CONCURRENTLY, ...), reserved or not.</summary>
    Keyword,

    /// <summary>Any other unquoted word: a name, folded to lower case by the server.</summary>
    Identifier,

    /// <summary>A "double-quoted" or U&amp;"..." name, kept as written.</summary>
    QuotedIdentifier,

    /// <summary>A string constant: '...', E'...', B'...', X'...', N'...', U&amp;'...', or a dollar-quoted body.</summary>
    StringLiteral,

    /// <summary>A numeric constant.</summary>
    Number,

    /// <summary>A positional parameter such as $1.</summary>
    Parameter,

    /// <summary>An operator, including the <c>::</c> type cast.</summary>
    Operator,

    /// <summary>One of <c>( ) [ ] , ; . :</c> (or a stray character the server would reject).</summary>
    Punctuation,

    /// <summary>A <c>--</c> line comment (without its newline) or a nested <c>/* */</c> comment.</summary>
    Comment,
}

/// <summary>One token of a script: its kind and where its UTF-8 bytes are (<see cref="SqlScript.Locate(int)"/> gives line and column).</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Start">Byte offset of its first byte in the script.</param>
/// <param name="Length">Its length in bytes.</param>
public readonly record struct SqlToken(SqlTokenKind Kind, int Start, int Length)
{
    /// <summary>Byte offset just past the token.</summary>
    public int End => Start + Length;
}

/// <summary>
/// Receives each token the scanner reads. The scanner is generic over it so that splitting alone (a sink that does
/// nothing) compiles to the same code as a scanner without tokens: the JIT specialises each struct sink.
/// </summary>
internal interface ITokenSink
{
    void Token(ReadOnlySpan<byte> source, SqlTokenKind kind, int start, int end);
}

/// <summary>The sink of a plain split: tokens are not kept.</summary>
internal struct NoTokens : ITokenSink
{
    public readonly void Token(ReadOnlySpan<byte> source, SqlTokenKind kind, int start, int end)
    {
    }
}

/// <summary>The sink that keeps every token, telling key words from other identifiers.</summary>
internal readonly struct TokenList(TokenBuffer buffer) : ITokenSink
{
    public void Token(ReadOnlySpan<byte> source, SqlTokenKind kind, int start, int end)
    {
        if (kind == SqlTokenKind.Identifier && SqlKeywords.Contains(source[start..end]))
        {
            kind = SqlTokenKind.Keyword;
        }

        buffer.Add(new SqlToken(kind, start, end - start));
    }
}

/// <summary>A growable array of tokens: List&lt;T&gt;.Add's version and bounds bookkeeping, once per token, shows at this rate.</summary>
internal sealed class TokenBuffer(int capacity)
{
    private SqlToken[] _items = new SqlToken[Math.Max(capacity, 16)];
    private int _count;

    public void Add(in SqlToken token)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[_count++] = token;
    }

    public int Count => _count;

    public SqlToken this[int index] => _items[index];

    /// <summary>Tokens <paramref name="first"/> to <paramref name="last"/> (exclusive), without copying them.</summary>
    public ArraySegment<SqlToken> Range(int first, int last) => new(_items, first, last - first);
}
