using System.Text;

namespace StreamBot.Migrations.Sql;

/// <summary>
/// A table name as SQL writes it: <c>table</c> or <c>schema.table</c>, each part either plain (folded to lower case,
/// as PostgreSQL does) or double-quoted (kept as written, <c>""</c> for a quote). What a user passes as
/// <c>--journal-table</c> is read with these rules, so <c>"my schema"."journal"</c> means what it means in psql.
/// </summary>
public sealed record QualifiedName
{
    // PostgreSQL's NAMEDATALEN - 1: a longer identifier is silently truncated by the server, so it is refused here.
    private const int MaxIdentifierBytes = 63;

    private QualifiedName(string? schema, string name)
    {
        Schema = schema;
        Name = name;
    }

    /// <summary>The schema, when the name is qualified.</summary>
    public string? Schema { get; }

    /// <summary>The table's own name, as the catalog stores it.</summary>
    public string Name { get; }

    /// <summary>
    /// The name quoted part by part and always schema-qualified (<c>"public"</c> when no schema was given), safe to put
    /// in SQL text: the tool's own statements never depend on a search_path a migration may have changed.
    /// </summary>
    public string Quoted => Quote(Schema ?? "public") + "." + Quote(Name);

    /// <summary>Parses <paramref name="text"/>; null with <paramref name="error"/> (a sentence fragment) when it is not a table name.</summary>
    public static QualifiedName? TryParse(string text, out string? error)
    {
        var parts = new List<string>();
        var i = 0;
        while (true)
        {
            if (i < text.Length && text[i] == '"')
            {
                var part = new StringBuilder();
                for (i++; ; i++)
                {
                    if (i == text.Length)
                    {
                        error = "a double quote is not closed";
                        return null;
                    }

                    if (text[i] == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        part.Append('"');
                        i++;
                    }
                    else if (text[i] == '"')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        part.Append(text[i]);
                    }
                }

                parts.Add(part.ToString());
            }
            else
            {
                var start = i;
                while (i < text.Length && (char.IsLetter(text[i]) || text[i] == '_' || (i > start && (char.IsAsciiDigit(text[i]) || text[i] == '$'))))
                {
                    i++;
                }

                parts.Add(text[start..i].ToLowerInvariant());
            }

            if (parts[^1].Length == 0)
            {
                error = "it has an empty part (a plain name starts with a letter or _; quote anything else)";
                return null;
            }

            if (Encoding.UTF8.GetByteCount(parts[^1]) > MaxIdentifierBytes)
            {
                error = $"a part is longer than PostgreSQL's {MaxIdentifierBytes} bytes";
                return null;
            }

            if (i == text.Length)
            {
                break;
            }

            if (text[i] != '.')
            {
                error = $"character {i + 1} cannot appear there (quote a name that holds spaces, dots or capitals)";
                return null;
            }

            i++;
        }

        if (parts.Count > 2)
        {
            error = "it has more than two parts (schema.table at most)";
            return null;
        }

        error = null;
        return parts.Count == 2 ? new QualifiedName(parts[0], parts[1]) : new QualifiedName(null, parts[0]);
    }

    /// <summary>Parses a name that is known to be valid (a default, a test's constant).</summary>
    public static QualifiedName Parse(string text) =>
        TryParse(text, out var error) ?? throw new ArgumentException($"'{text}' is not a table name: {error}.", nameof(text));

    /// <summary>A sibling table in the same schema, named after this one (<c>journal</c> -> <c>journal_progress</c>).</summary>
    public QualifiedName WithSuffix(string suffix) => new(Schema, Name + suffix);

    /// <summary>The name as a user would write it: plain where plain means the same, quoted elsewhere.</summary>
    public override string ToString() => (Schema is null ? string.Empty : Display(Schema) + ".") + Display(Name);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Display(string identifier) =>
        identifier.Length > 0 && (char.IsAsciiLetterLower(identifier[0]) || identifier[0] == '_')
        && identifier.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '$')
            ? identifier
            : Quote(identifier);
}
