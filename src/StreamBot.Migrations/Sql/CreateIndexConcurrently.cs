using System.Text;

namespace StreamBot.Migrations.Sql;

/// <summary>
/// Reads <c>CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON [ONLY] table</c> from a statement's tokens:
/// what is needed to find the INVALID index such a statement leaves when it fails or is interrupted.
/// </summary>
/// <param name="IndexName">The index name as PostgreSQL stores it (unquoted names folded to lower case).</param>
/// <param name="Table">The table as written (quotes and schema kept), ready for <c>to_regclass</c>.</param>
public sealed record CreateIndexConcurrently(string IndexName, string Table)
{
    /// <summary>The index the statement builds, or null when it is not a named CREATE INDEX CONCURRENTLY.</summary>
    public static CreateIndexConcurrently? Read(SqlScript script, in SqlStatement statement)
    {
        var tokens = script.Tokens(statement).Where(t => t.Kind != SqlTokenKind.Comment).ToList();
        var i = 0;
        bool Word(string word)
        {
            if (i < tokens.Count && script.Is(tokens[i], word))
            {
                i++;
                return true;
            }

            return false;
        }

        if (!Word("create"))
        {
            return null;
        }

        Word("unique");
        if (!Word("index") || !Word("concurrently"))
        {
            return null;
        }

        if (Word("if") && !(Word("not") && Word("exists")))
        {
            return null;
        }

        if (i >= tokens.Count || !IsName(tokens[i]) || script.Is(tokens[i], "on"))
        {
            return null;
        }

        var index = script.StoredName(tokens[i++]);
        if (!Word("on"))
        {
            return null;
        }

        Word("only");
        var table = new StringBuilder();
        while (i < tokens.Count && IsName(tokens[i]))
        {
            table.Append(script.GetText(tokens[i++]));
            if (i + 1 < tokens.Count && tokens[i].Kind == SqlTokenKind.Punctuation && script.GetText(tokens[i]) == ".")
            {
                table.Append('.');
                i++;
                continue;
            }

            break;
        }

        return table.Length == 0 ? null : new CreateIndexConcurrently(index, table.ToString());
    }

    private static bool IsName(in SqlToken token) => token.Kind is SqlTokenKind.Identifier or SqlTokenKind.Keyword or SqlTokenKind.QuotedIdentifier;
}
