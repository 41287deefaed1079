using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Safety;

/// <summary>
/// A column definition, <c>name type [COLLATE ..] [constraints]</c>, as it appears in CREATE TABLE or ADD COLUMN:
/// enough to record the type and to see what filling the column for existing rows costs.
/// </summary>
/// <param name="Name">The column's name as PostgreSQL stores it.</param>
/// <param name="Type">The type in compact form (<see cref="ColumnDefinition.Normalize"/>).</param>
/// <param name="DefaultStart">First token of the DEFAULT expression, or -1.</param>
/// <param name="DefaultEnd">Just past the DEFAULT expression.</param>
/// <param name="Generated">"GENERATED ... STORED" or "IDENTITY" when the column is computed for every row, else null.</param>
internal sealed record ColumnDefinition(string Name, string Type, int DefaultStart, int DefaultEnd, string? Generated)
{
    /// <summary>The type as the statement writes it, for messages.</summary>
    public string WrittenType { get; init; } = Type;

    // Words that end a column's type or its DEFAULT expression: the start of the next constraint.
    private static readonly string[] ConstraintWords = ["collate", "constraint", "not", "null", "default", "check", "references", "primary", "unique", "generated"];

    // Functions PostgreSQL marks volatile that migrations use as defaults; a default calling one is evaluated per row.
    private static readonly HashSet<string> VolatileFunctions = new(StringComparer.Ordinal)
    {
        "random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "clock_timestamp",
        "timeofday", "nextval", "random_normal", "txid_current", "uuidv7", "uuidv4", "gen_random_bytes",
    };

    public static ColumnDefinition? Parse(StatementView v, int start, int end)
    {
        if (!v.IsName(start))
        {
            return null;
        }

        var depth = v.Depth(start);
        var typeEnd = start + 1;
        while (typeEnd < end && !(v.Depth(typeEnd) == depth && ConstraintWords.Any(w => v.Is(typeEnd, w))))
        {
            typeEnd++;
        }

        int defaultStart = -1, defaultEnd = -1;
        string? generated = null;
        for (var i = typeEnd; i < end; i++)
        {
            if (v.Depth(i) != depth)
            {
                continue;
            }

            if (v.Is(i, "default"))
            {
                defaultStart = i + 1;
                defaultEnd = defaultStart;
                while (defaultEnd < end && !(v.Depth(defaultEnd) == depth && ConstraintWords.Any(w => v.Is(defaultEnd, w))))
                {
                    defaultEnd++;
                }
            }
            else if (v.Is(i, "generated"))
            {
                generated = v.IndexOf("identity", i, end) >= 0 ? "IDENTITY" : v.IndexOf("stored", i, end) >= 0 ? "GENERATED ... STORED" : null;
            }
        }

        return new ColumnDefinition(v.Name(start), Normalize(v.Compact(start + 1, typeEnd)), defaultStart, defaultEnd, generated) { WrittenType = v.Written(start + 1, typeEnd) };
    }

    /// <summary>A type in the form the rules compare: lower case, no spaces, the SQL standard's long names shortened.</summary>
    public static string Normalize(string compact)
    {
        var type = compact.StartsWith("pg_catalog.", StringComparison.Ordinal) ? compact["pg_catalog.".Length..] : compact;
        foreach (var (longName, shortName) in new[] { ("charactervarying", "varchar"), ("decimal", "numeric"), ("character", "char") })
        {
            if (type.StartsWith(longName, StringComparison.Ordinal))
            {
                return shortName + type[longName.Length..];
            }
        }

        return type;
    }

    /// <summary>
    /// Why filling this column for the rows already there rewrites the table, or null when it does not: a volatile
    /// default, a serial type, a stored generated or identity column; before PostgreSQL 11, any non-null default.
    /// </summary>
    public string? RewriteReason(StatementView v, int postgresVersion)
    {
        if (Type is "serial" or "bigserial" or "smallserial" or "serial4" or "serial8" or "serial2")
        {
            return $"the type {Type} (a nextval() default)";
        }

        if (Generated is not null)
        {
            return $"a {Generated} column";
        }

        if (DefaultStart < 0 || (DefaultEnd == DefaultStart + 1 && v.Is(DefaultStart, "null")))
        {
            return null;
        }

        for (var i = DefaultStart; i < DefaultEnd; i++)
        {
            if (v.IsName(i) && v.IsPunctuation(i + 1, '(') && VolatileFunctions.Contains(v.Name(i)))
            {
                return $"the volatile default {v.Name(i)}()";
            }
        }

        return postgresVersion < 11 ? "a default (PostgreSQL before 11 writes it into every row)" : null;
    }

    /// <summary>
    /// Whether changing a column from <paramref name="from"/> to <paramref name="to"/> keeps its stored bytes (no
    /// rewrite): varchar widened or unbounded, text and varchar exchanged, numeric's precision raised at the same scale.
    /// </summary>
    public static bool IsBinaryCompatible(string from, string to)
    {
        if (from == to)
        {
            return true;
        }

        var (fromBase, fromArgs) = Split(from);
        var (toBase, toArgs) = Split(to);
        if (fromBase is "varchar" or "text" && toBase is "text" || (toBase == "varchar" && toArgs.Length == 0 && fromBase is "varchar" or "text"))
        {
            return true;
        }

        if (fromBase == "varchar" && toBase == "varchar" && fromArgs.Length == 1 && toArgs.Length == 1)
        {
            return toArgs[0] >= fromArgs[0];
        }

        if (fromBase == "numeric" && toBase == "numeric")
        {
            return toArgs.Length == 0 || (fromArgs.Length >= 1 && toArgs[0] >= fromArgs[0] && (fromArgs.Length > 1 ? fromArgs[1] : 0) == (toArgs.Length > 1 ? toArgs[1] : 0));
        }

        return false;
    }

    private static (string Base, int[] Args) Split(string type)
    {
        var open = type.IndexOf('(');
        if (open < 0 || !type.EndsWith(')'))
        {
            return (type, []);
        }

        var args = type[(open + 1)..^1].Split(',').Select(a => int.TryParse(a, out var n) ? n : -1).ToArray();
        return args.Any(a => a < 0) ? (type, []) : (type[..open], args);
    }
}
