namespace StreamBot.Migrations.Preflight;

/// <summary>
/// The SQL of each data check, built in one place: a count the preflight runs (rows, and keys for duplicates) and a
/// listing the operator runs. Table names, columns and expressions are the migration's own text, so the server
/// resolves them exactly as the migration will.
/// </summary>
public static class DataCheckSql
{
    /// <summary>Rows sharing a key; NULLs never conflict unless <paramref name="nullsNotDistinct"/>.</summary>
    public static (string Count, string List) Duplicates(string table, IReadOnlyList<string> keys, string? predicate, bool nullsNotDistinct)
    {
        var filters = new List<string>();
        if (predicate is not null)
        {
            filters.Add($"({predicate})");
        }

        if (!nullsNotDistinct)
        {
            filters.AddRange(keys.Select(k => $"({k}) IS NOT NULL"));
        }

        var where = filters.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", filters);
        var groupBy = string.Join(", ", keys.Select(k => $"({k})"));
        return (
            $"SELECT coalesce(sum(d.n), 0)::bigint, count(*)::bigint FROM (SELECT count(*) AS n FROM {table}{where} GROUP BY {groupBy} HAVING count(*) > 1) AS d",
            $"SELECT {string.Join(", ", keys)}, count(*) AS rows FROM {table}{where} GROUP BY {groupBy} HAVING count(*) > 1 ORDER BY count(*) DESC;");
    }

    /// <summary>Rows where any of <paramref name="columns"/> is NULL.</summary>
    public static (string Count, string List) Nulls(string table, IReadOnlyList<string> columns)
    {
        var where = string.Join(" OR ", columns.Select(c => $"{c} IS NULL"));
        return ($"SELECT count(*)::bigint, NULL::bigint FROM {table} WHERE {where}", $"SELECT * FROM {table} WHERE {where};");
    }

    /// <summary>Every row: what a NOT NULL column without a DEFAULT cannot be added to.</summary>
    public static (string Count, string List) Rows(string table) =>
        ($"SELECT count(*)::bigint, NULL::bigint FROM {table}", $"SELECT count(*) FROM {table};");

    /// <summary>Rows for which the expression is false (a CHECK passes on NULL, as the server does).</summary>
    public static (string Count, string List) CheckViolations(string table, string expression) =>
        ($"SELECT count(*)::bigint, NULL::bigint FROM {table} WHERE NOT ({expression})", $"SELECT * FROM {table} WHERE NOT ({expression});");

    /// <summary>
    /// Rows whose key matches no row of the referenced table. MATCH SIMPLE (the default) exempts a row with any key
    /// column NULL; MATCH FULL only one with all of them NULL, and rejects a partly NULL key.
    /// </summary>
    public static (string Count, string List) Orphans(string table, IReadOnlyList<string> columns, string referenced, IReadOnlyList<string> referencedColumns, bool matchFull)
    {
        var joined = string.Join(" AND ", columns.Zip(referencedColumns, (c, r) => $"p.{r} = c.{c}"));
        var missing = $"NOT EXISTS (SELECT 1 FROM {referenced} AS p WHERE {joined})";
        var where = matchFull
            ? $"NOT ({string.Join(" AND ", columns.Select(c => $"c.{c} IS NULL"))}) AND ({string.Join(" OR ", columns.Select(c => $"c.{c} IS NULL"))} OR {missing})"
            : $"{string.Join(" AND ", columns.Select(c => $"c.{c} IS NOT NULL"))} AND {missing}";
        return ($"SELECT count(*)::bigint, NULL::bigint FROM {table} AS c WHERE {where}", $"SELECT c.* FROM {table} AS c WHERE {where};");
    }

    /// <summary>
    /// The conversion evaluated for every row without writing: count() of the converted value makes the server compute
    /// it. It fails on the first value it refuses, so the count is "at least one" (the server's reason says which kind).
    /// </summary>
    public static (string Count, string List) Conversion(string table, string converted) =>
        ($"SELECT count({converted})::bigint * 0, NULL::bigint FROM {table}",
         $"SELECT count({converted}) FROM {table}; (it stops at the first value it cannot convert)");

    /// <summary>A string literal of <paramref name="text"/>.</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
