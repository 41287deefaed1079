namespace StreamBot.Migrations.Sql;

/// <summary>Walks a statement's tokens (comments skipped) with the small vocabulary the object finder needs.</summary>
internal sealed class TokenCursor(SqlScript script, IReadOnlyList<SqlToken> all)
{
    private readonly List<SqlToken> _tokens = all.Where(t => t.Kind != SqlTokenKind.Comment).ToList();
    private int _next;

    /// <summary>Whether the next token is the word (any case); it is consumed if so.</summary>
    public bool Take(string word)
    {
        if (Is(word))
        {
            _next++;
            return true;
        }

        return false;
    }

    /// <summary>Whether the next token is the word (any case), without consuming it.</summary>
    public bool Is(string word) => _next < _tokens.Count && script.Is(_tokens[_next], word);

    /// <summary>Whether the token before the next one is the word.</summary>
    public bool Previous(string word) => _next > 1 && script.Is(_tokens[_next - 2], word);

    /// <summary>The next token as a lower-case word (consumed), or null when it is not a word.</summary>
    public string? Word() =>
        _next < _tokens.Count && _tokens[_next].Kind is SqlTokenKind.Keyword or SqlTokenKind.Identifier
            ? script.GetText(_tokens[_next++]).ToLowerInvariant()
            : null;

    public void SkipIfNotExists()
    {
        if (Is("if") && _next + 2 < _tokens.Count && script.Is(_tokens[_next + 1], "not") && script.Is(_tokens[_next + 2], "exists"))
        {
            _next += 3;
        }
    }

    public void SkipIfExists()
    {
        if (Is("if") && _next + 1 < _tokens.Count && script.Is(_tokens[_next + 1], "exists"))
        {
            _next += 2;
        }
    }

    /// <summary>A name as PostgreSQL stores it (consumed): quoted names kept, others folded to lower case.</summary>
    public string? Name()
    {
        if (_next >= _tokens.Count || _tokens[_next].Kind is not (SqlTokenKind.Identifier or SqlTokenKind.Keyword or SqlTokenKind.QuotedIdentifier))
        {
            return null;
        }

        return script.StoredName(_tokens[_next++]);
    }

    /// <summary>A possibly schema-qualified name; the schema is dropped (objects are looked up by name).</summary>
    public string? QualifiedName()
    {
        var name = Name();
        while (name is not null && TakePunctuation("."))
        {
            name = Name();
        }

        return name;
    }

    public bool TakePunctuation(string mark)
    {
        if (_next < _tokens.Count && _tokens[_next].Kind is SqlTokenKind.Punctuation && script.GetText(_tokens[_next]) == mark)
        {
            _next++;
            return true;
        }

        return false;
    }

    /// <summary>Moves past the next occurrence of the word at any depth; false when there is none.</summary>
    public bool SkipTo(string word)
    {
        while (_next < _tokens.Count)
        {
            if (script.Is(_tokens[_next++], word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Moves past the next comma outside parentheses; false at the end of the statement.</summary>
    public bool SkipToTopLevelComma()
    {
        var depth = 0;
        while (_next < _tokens.Count)
        {
            var token = _tokens[_next++];
            if (token.Kind != SqlTokenKind.Punctuation)
            {
                continue;
            }

            var text = script.GetText(token);
            if (text == "(") depth++;
            else if (text == ")") depth--;
            else if (text == "," && depth == 0) return true;
        }

        return false;
    }
}
