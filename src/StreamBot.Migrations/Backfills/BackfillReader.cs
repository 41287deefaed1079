using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Backfills;

/// <summary>
/// Reads a statement marked <c>-- streambot:backfill</c> into a <see cref="Backfill"/>, or says why it cannot be run
/// in batches without changing what it does. A batch sees only its own key range of the table, so the statement must
/// decide each row from that row alone (and from tables it does not change): a statement that reads the table it
/// changes, aggregates, limits or returns rows is refused, never guessed.
/// </summary>
internal static class BackfillReader
{
    // Functions that fold many rows into one: in a batched INSERT ... SELECT they would fold each batch separately.
    private static readonly HashSet<string> Aggregates = new(StringComparer.Ordinal)
    {
        "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "bool_and", "bool_or", "every", "json_agg", "jsonb_agg",
        "json_object_agg", "jsonb_object_agg", "xmlagg", "bit_and", "bit_or", "bit_xor", "stddev", "variance", "percentile_cont",
        "percentile_disc", "mode", "range_agg", "range_intersect_agg",
    };

    // Where an alias cannot be: the clause that follows the table name.
    private static readonly HashSet<string> ClauseWords = new(StringComparer.Ordinal)
    {
        "set", "where", "using", "from", "returning", "join", "inner", "left", "right", "full", "cross", "natural", "on", "order",
        "group", "having", "window", "limit", "offset", "fetch", "for", "union", "intersect", "except", "tablesample",
    };

    /// <summary>The backfill, or null with <paramref name="refusal"/> (a sentence) saying why the statement cannot be batched.</summary>
    public static Backfill? Read(SqlScript script, int statement, IReadOnlyList<string>? key, out string? refusal)
    {
        var view = new StatementView(script, script.Statements[statement]);
        var s = script.Statements[statement];
        refusal = view.Is(0, "with")
            ? "a WITH query is computed once for the whole statement, not per batch: write the change as one UPDATE, DELETE or INSERT ... SELECT"
            : !view.Is(0, "update") && !view.Is(0, "delete") && !view.Is(0, "insert")
                ? $"only UPDATE, DELETE and INSERT ... SELECT run in batches; this statement is {(view.Count == 0 ? "empty" : view.Text(0).ToUpperInvariant())}"
                : view.TopLevelIndexOf("returning") >= 0
                    ? "RETURNING would return each batch's rows to nobody: remove it"
                    : null;
        if (refusal is not null)
        {
            return null;
        }

        var kind = view.Is(0, "update") ? BackfillKind.Update : view.Is(0, "delete") ? BackfillKind.Delete : BackfillKind.InsertSelect;
        if (kind == BackfillKind.Delete && !view.Is(1, "from"))
        {
            refusal = "DELETE needs FROM and a table";
            return null;
        }

        // The target: after UPDATE, DELETE FROM or INSERT INTO.
        var at = kind == BackfillKind.Update ? 1 : 2;
        if (kind == BackfillKind.InsertSelect && !view.Is(1, "into"))
        {
            refusal = "INSERT needs INTO and a table";
            return null;
        }

        if (!TableAt(view, ref at, out var target, out var targetName, out var targetAlias))
        {
            refusal = "the table it changes is not a plain table name";
            return null;
        }

        return kind == BackfillKind.InsertSelect
            ? ReadInsertSelect(view, s, statement, at, targetName, key, out refusal)
            : ReadUpdateOrDelete(view, s, statement, kind, at, target, targetName, targetAlias, key, out refusal);
    }

    private static Backfill? ReadUpdateOrDelete(StatementView view, SqlStatement s, int statement, BackfillKind kind, int at, string table, string tableName,
        string? alias, IReadOnlyList<string>? key, out string? refusal)
    {
        refusal = null;
        var setColumns = new List<string>();
        var where = view.TopLevelIndexOf("where", at);
        if (kind == BackfillKind.Update)
        {
            if (!view.Is(at, "set"))
            {
                refusal = "UPDATE needs SET after the table";
                return null;
            }

            var from = view.TopLevelIndexOf("from", at);
            var setEnd = from >= 0 ? from : where >= 0 ? where : view.Count;
            foreach (var (start, _) in view.Split(at + 1, setEnd, 0))
            {
                if (view.IsPunctuation(start, '('))
                {
                    for (var i = start + 1; i < view.Closing(start); i++)
                    {
                        if (view.IsName(i) && !view.IsPunctuation(i - 1, '.'))
                        {
                            setColumns.Add(view.Name(i));
                        }
                    }
                }
                else if (view.IsName(start))
                {
                    setColumns.Add(view.Name(start));
                }
            }
        }

        if (where >= 0 && view.Are(where + 1, "current", "of"))
        {
            refusal = "WHERE CURRENT OF names a cursor's row, which no batch has";
            return null;
        }

        if (ReadsTable(view, at, view.Count, tableName))
        {
            refusal = $"it reads {tableName}, the table it changes, so a batch would see rows other batches changed";
            return null;
        }

        var qualifier = Backfill.Quote(alias ?? tableName);
        return new Backfill(statement, kind, table, tableName, qualifier, key, setColumns, s.Line, s.Column, Cut(view, where, view.Count));
    }

    private static Backfill? ReadInsertSelect(StatementView view, SqlStatement s, int statement, int at, string targetName, IReadOnlyList<string>? key, out string? refusal)
    {
        refusal = null;
        if (view.IsPunctuation(at, '('))
        {
            at = view.Closing(at) + 1;
        }

        if (view.Is(at, "overriding"))
        {
            at += 3;
        }

        if (!view.Is(at, "select"))
        {
            refusal = view.Is(at, "values") || view.Is(at, "default")
                ? "INSERT ... VALUES has no table to walk: only INSERT ... SELECT ... FROM a table runs in batches"
                : "only INSERT ... SELECT ... FROM a table runs in batches";
            return null;
        }

        var select = at;
        foreach (var word in new[] { "group", "having", "window", "limit", "offset", "fetch", "for", "union", "intersect", "except" })
        {
            if (view.TopLevelIndexOf(word, select) >= 0)
            {
                refusal = $"{word.ToUpperInvariant()} works on all the rows it reads at once, so each batch would give its own answer";
                return null;
            }
        }

        if (view.Is(select + 1, "distinct"))
        {
            refusal = "DISTINCT removes duplicates across all the rows it reads, so each batch would keep its own";
            return null;
        }

        var from = view.TopLevelIndexOf("from", select);
        for (var i = select + 1; i < (from < 0 ? view.Count : from); i++)
        {
            if (view.Depth(i) == 0 && view.IsName(i) && view.IsPunctuation(i + 1, '(') && Aggregates.Contains(view.Name(i)))
            {
                refusal = $"{view.Text(i)}() folds all the rows it reads into one, so each batch would fold its own";
                return null;
            }

            if (view.Depth(i) == 0 && view.Is(i, "over"))
            {
                refusal = "a window function (OVER) reads the rows around each row, which other batches hold";
                return null;
            }
        }

        var source = from + 1;
        if (from < 0 || view.Is(source, "lateral") || !TableAt(view, ref source, out var table, out var tableName, out var alias))
        {
            refusal = "its SELECT reads no plain table first after FROM, so there is no table whose key the batches can walk";
            return null;
        }

        if (ReadsTable(view, select, view.Count, targetName))
        {
            refusal = $"its SELECT reads {targetName}, the table it inserts into, so later batches would read what earlier ones inserted";
            return null;
        }

        var where = view.TopLevelIndexOf("where", source);
        var end = new[] { view.TopLevelIndexOf("order", source), OnConflict(view, source) }.Where(i => i >= 0).DefaultIfEmpty(view.Count).Min();
        return new Backfill(statement, BackfillKind.InsertSelect, table, tableName, Backfill.Quote(alias ?? tableName), key, [], s.Line, s.Column,
            Cut(view, where >= 0 && where < end ? where : -1, end));
    }

    private static int OnConflict(StatementView view, int from)
    {
        for (var i = view.TopLevelIndexOf("on", from); i >= 0; i = view.TopLevelIndexOf("on", i + 1))
        {
            if (view.Is(i + 1, "conflict"))
            {
                return i;
            }
        }

        return -1;
    }

    // The statement's text around where a batch's key range goes: after the WHERE's condition (which is parenthesized),
    // or as a new WHERE before the clause at end.
    private static (string Head, string? Predicate, string Tail) Cut(StatementView view, int where, int end) => where >= 0
        ? (view.Source(0, where + 1), view.Source(where + 1, end), view.Source(end, view.Count))
        : (view.Source(0, end), null, view.Source(end, view.Count));

    /// <summary>
    /// A table name at <paramref name="at"/> (ONLY, a trailing * and an alias skipped); <paramref name="at"/> ends after it.
    /// </summary>
    private static bool TableAt(StatementView view, ref int at, out string written, out string name, out string? alias)
    {
        written = name = string.Empty;
        alias = null;
        if (view.Is(at, "only"))
        {
            at++;
        }

        var start = at;
        // A function in FROM (generate_series(...)) is no table; INSERT INTO's column list is.
        if (view.QualifiedName(ref at) is not { } table || (view.IsPunctuation(at, '(') && !view.Is(start - 1, "into")))
        {
            return false;
        }

        written = view.Source(start, at);
        name = table;
        if (view.IsPunctuation(at, '*'))
        {
            at++;
        }

        if (view.Is(at, "as") && view.IsName(at + 1))
        {
            alias = view.Name(at + 1);
            at += 2;
        }
        else if (view.IsName(at) && !ClauseWords.Contains(view.Text(at).ToLowerInvariant()))
        {
            alias = view.Name(at);
            at++;
        }

        return true;
    }

    /// <summary>Whether [from, to) reads <paramref name="table"/> as a relation: after FROM, JOIN or USING, or in a FROM list.</summary>
    private static bool ReadsTable(StatementView view, int from, int to, string table)
    {
        for (var i = from; i < to; i++)
        {
            var listed = view.Is(i - 1, "from") || view.Is(i - 1, "join") || view.Is(i - 1, "using") || view.Is(i - 1, "only")
                || (view.IsPunctuation(i - 1, ',') && InFromList(view, i - 1));
            var at = i;
            if (listed && !view.IsPunctuation(i, '(') && view.QualifiedName(ref at) == table)
            {
                return true;
            }
        }

        return false;
    }

    // Whether the comma at index belongs to a FROM (or USING) list: the nearest clause word before it at its depth is FROM.
    private static bool InFromList(StatementView view, int comma)
    {
        for (var i = comma - 1; i >= 0; i--)
        {
            if (view.Depth(i) < view.Depth(comma))
            {
                return false;
            }

            if (view.Depth(i) == view.Depth(comma) && (view.Is(i, "from") || view.Is(i, "using")))
            {
                return true;
            }

            if (view.Depth(i) == view.Depth(comma) && (view.Is(i, "select") || view.Is(i, "where") || view.Is(i, "set") || view.Is(i, "on")))
            {
                return false;
            }
        }

        return false;
    }
}
