namespace StreamBot.Migrations.Sql;

/// <summary>
/// One statement's tokens without its comments and final semicolon, read by position: what the object finder, the
/// lock classifier, the safety rules and the rollback draft need to look ahead, match parentheses and find a clause at
/// the statement's top level.
/// </summary>
internal sealed class StatementView
{
    private readonly SqlScript _script;
    private readonly SqlToken[] _tokens;
    private readonly int[] _depth;

    public StatementView(SqlScript script, SqlStatement statement, int firstLine = 1)
    {
        _script = script;
        Statement = statement;
        FirstLine = firstLine;
        var all = script.Tokens(statement);
        var kept = new List<SqlToken>(all.Count);
        foreach (var token in all)
        {
            if (token.Kind != SqlTokenKind.Comment)
            {
                kept.Add(token);
            }
        }

        // The terminating semicolon is not part of what the rules read.
        if (kept.Count > 0 && kept[^1].Kind == SqlTokenKind.Punctuation && script.Source[kept[^1].Start] == (byte)';')
        {
            kept.RemoveAt(kept.Count - 1);
        }

        _tokens = [.. kept];
        _depth = new int[_tokens.Length];
        var depth = 0;
        for (var i = 0; i < _tokens.Length; i++)
        {
            if (IsPunctuation(i, '(') || IsPunctuation(i, '['))
            {
                _depth[i] = depth++;
            }
            else if (IsPunctuation(i, ')') || IsPunctuation(i, ']'))
            {
                _depth[i] = depth = Math.Max(depth - 1, 0);
            }
            else
            {
                _depth[i] = depth;
            }
        }
    }

    public SqlStatement Statement { get; }

    public SqlScript Script => _script;

    private int FirstLine { get; }

    public int Count => _tokens.Length;

    public SqlToken this[int index] => _tokens[index];

    /// <summary>Parenthesis depth of the token (an opening parenthesis is at the depth outside it).</summary>
    public int Depth(int index) => _depth[index];

    /// <summary>Whether token <paramref name="index"/> is the word (any case); false past the end.</summary>
    public bool Is(int index, string word) => index >= 0 && index < _tokens.Length && _script.Is(_tokens[index], word);

    /// <summary>Whether the tokens from <paramref name="index"/> on are the words, in order.</summary>
    public bool Are(int index, params string[] words)
    {
        for (var i = 0; i < words.Length; i++)
        {
            if (!Is(index + i, words[i]))
            {
                return false;
            }
        }

        return true;
    }

    public bool IsPunctuation(int index, char mark) =>
        index >= 0 && index < _tokens.Length && _tokens[index].Kind == SqlTokenKind.Punctuation && _tokens[index].Length == 1
        && _script.Source[_tokens[index].Start] == mark;

    public bool IsName(int index) =>
        index >= 0 && index < _tokens.Length && _tokens[index].Kind is SqlTokenKind.Identifier or SqlTokenKind.Keyword or SqlTokenKind.QuotedIdentifier;

    /// <summary>The name at <paramref name="index"/> as PostgreSQL stores it.</summary>
    public string Name(int index) => _script.StoredName(_tokens[index]);

    public string Text(int index) => _script.GetText(_tokens[index]);

    /// <summary>
    /// A possibly schema-qualified name starting at <paramref name="index"/>: its last part (objects are matched by
    /// name), and the index just past it; null when there is no name there.
    /// </summary>
    public string? QualifiedName(ref int index)
    {
        if (!IsName(index))
        {
            return null;
        }

        var name = Name(index++);
        while (IsPunctuation(index, '.') && IsName(index + 1))
        {
            name = Name(index + 1);
            index += 2;
        }

        return name;
    }

    /// <summary>The first top-level (depth 0) occurrence of the word at or after <paramref name="from"/>, or -1.</summary>
    public int TopLevelIndexOf(string word, int from = 0, int to = int.MaxValue)
    {
        for (var i = from; i < Math.Min(to, _tokens.Length); i++)
        {
            if (_depth[i] == 0 && _script.Is(_tokens[i], word))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The first occurrence of the word at any depth in [from, to), or -1.</summary>
    public int IndexOf(string word, int from, int to)
    {
        for (var i = from; i < Math.Min(to, _tokens.Length); i++)
        {
            if (_script.Is(_tokens[i], word))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The index of the parenthesis that closes the one at <paramref name="open"/>, or the end.</summary>
    public int Closing(int open)
    {
        for (var i = open + 1; i < _tokens.Length; i++)
        {
            if (_depth[i] == _depth[open] && IsPunctuation(i, ')'))
            {
                return i;
            }
        }

        return _tokens.Length;
    }

    /// <summary>
    /// The comma-separated parts of [from, to) at depth <paramref name="depth"/>, as [start, end) ranges: the actions
    /// of an ALTER TABLE, the elements of a column list.
    /// </summary>
    public List<(int Start, int End)> Split(int from, int to, int depth)
    {
        var parts = new List<(int, int)>();
        var start = from;
        for (var i = from; i < to; i++)
        {
            if (_depth[i] == depth && IsPunctuation(i, ','))
            {
                parts.Add((start, i));
                start = i + 1;
            }
        }

        if (start < to)
        {
            parts.Add((start, to));
        }

        return parts;
    }

    /// <summary>The tokens of [from, to) as the file writes them, one space between words: how a message quotes a type.</summary>
    public string Written(int from, int to)
    {
        var text = new System.Text.StringBuilder();
        for (var i = from; i < Math.Min(to, _tokens.Length); i++)
        {
            var tight = i == from || IsPunctuation(i, ',') || IsPunctuation(i, ')') || IsPunctuation(i - 1, '(') || IsPunctuation(i, '(') || IsPunctuation(i, '.') || IsPunctuation(i - 1, '.')
                || IsPunctuation(i, '[') || IsPunctuation(i, ']');
            text.Append(tight ? string.Empty : " ").Append(Text(i));
        }

        return text.ToString();
    }

    /// <summary>
    /// The file's own text from token <paramref name="from"/> to the end of token <paramref name="to"/> - 1, comments and
    /// line breaks included: an expression copied into a query exactly as the migration writes it.
    /// </summary>
    public string Source(int from, int to)
    {
        to = Math.Min(to, _tokens.Length);
        return from >= to ? string.Empty : System.Text.Encoding.UTF8.GetString(_script.Source[_tokens[from].Start.._tokens[to - 1].End]);
    }

    /// <summary>The tokens of [from, to) as one lower-case string without spaces: how a type is compared.</summary>
    public string Compact(int from, int to)
    {
        var text = new System.Text.StringBuilder();
        for (var i = from; i < Math.Min(to, _tokens.Length); i++)
        {
            text.Append(_tokens[i].Kind == SqlTokenKind.QuotedIdentifier ? Name(i) : Text(i).ToLowerInvariant());
        }

        return text.ToString();
    }

    /// <summary>Line and column of token <paramref name="index"/> in the file.</summary>
    public (int Line, int Column) Position(int index)
    {
        var (line, column) = index < _tokens.Length ? _script.Locate(_tokens[index].Start) : (Statement.Line, Statement.Column);
        return (line + FirstLine - 1, column);
    }
}
