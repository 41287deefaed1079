namespace StreamBot.Migrations.Sql;

/// <summary>Walks a statement's tokens (a <see cref="StatementView"/>) front to back, with the small vocabulary the object finder needs.</summary>
internal sealed class TokenCursor(StatementView view)
{
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
    public bool Is(string word) => view.Is(_next, word);

    /// <summary>Whether the token before the next one is the word.</summary>
    public bool Previous(string word) => _next > 1 && view.Is(_next - 2, word);

    /// <summary>The next token as a lower-case word (consumed), or null when it is not a word.</summary>
    public string? Word() =>
        _next < view.Count && view[_next].Kind is SqlTokenKind.Keyword or SqlTokenKind.Identifier ? view.Text(_next++).ToLowerInvariant() : null;

    public void SkipIfNotExists()
    {
        if (view.Are(_next, "if", "not", "exists"))
        {
            _next += 3;
        }
    }

    public void SkipIfExists()
    {
        if (view.Are(_next, "if", "exists"))
        {
            _next += 2;
        }
    }

    /// <summary>A name as PostgreSQL stores it (consumed): quoted names kept, others folded to lower case.</summary>
    public string? Name() => view.IsName(_next) ? view.Name(_next++) : null;

    /// <summary>A possibly schema-qualified name; the schema is dropped (objects are looked up by name).</summary>
    public string? QualifiedName() => view.QualifiedName(ref _next);

    /// <summary>The schema of the qualified name that comes next (<c>archive</c> in <c>archive.users</c>), without moving; null when unqualified.</summary>
    public string? SchemaOfNextName() => view.IsName(_next) && view.IsPunctuation(_next + 1, '.') && view.IsName(_next + 2) ? view.Name(_next) : null;

    public bool TakePunctuation(char mark)
    {
        if (view.IsPunctuation(_next, mark))
        {
            _next++;
            return true;
        }

        return false;
    }

    /// <summary>Moves past the next occurrence of the word at any depth; false when there is none.</summary>
    public bool SkipTo(string word)
    {
        while (_next < view.Count)
        {
            if (view.Is(_next++, word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Moves past the next comma outside parentheses; false at the end of the statement.</summary>
    public bool SkipToTopLevelComma()
    {
        while (_next < view.Count)
        {
            var at = _next++;
            if (view.Depth(at) == 0 && view.IsPunctuation(at, ','))
            {
                return true;
            }
        }

        return false;
    }
}
