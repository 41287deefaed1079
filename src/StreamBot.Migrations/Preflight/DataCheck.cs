namespace StreamBot.Migrations.Preflight;

/// <summary>What a constraint-adding statement would reject among the rows a table already has.</summary>
public enum DataCheckKind
{
    /// <summary>UNIQUE, PRIMARY KEY, CREATE UNIQUE INDEX: rows sharing a key.</summary>
    Duplicates,

    /// <summary>SET NOT NULL, PRIMARY KEY: rows with the column NULL.</summary>
    Nulls,

    /// <summary>ADD COLUMN ... NOT NULL without a DEFAULT: any row at all.</summary>
    RowsPresent,

    /// <summary>ADD CHECK, VALIDATE CONSTRAINT of a CHECK: rows for which the expression is false.</summary>
    CheckViolations,

    /// <summary>ADD FOREIGN KEY, VALIDATE CONSTRAINT of a foreign key: rows referencing nothing.</summary>
    Orphans,

    /// <summary>ALTER COLUMN ... TYPE: values the conversion refuses.</summary>
    Conversion,
}

/// <summary>
/// One read-only question a pending statement asks of the live rows, as SQL the preflight runs and the operator can
/// run again: never the rows' values, only how many.
/// </summary>
/// <param name="Migration">The migration's name.</param>
/// <param name="File">Its file.</param>
/// <param name="Statement">The statement's 0-based index in the migration.</param>
/// <param name="Line">Where the constraint is written (the action inside an ALTER TABLE).</param>
/// <param name="Column">Its column.</param>
/// <param name="Kind">What is counted.</param>
/// <param name="Table">The table as the statement writes it (the server resolves it as the migration would).</param>
/// <param name="What">The constraint in a few words, for messages: <c>UNIQUE ("platform", "platform_user_id")</c>.</param>
/// <param name="CountSql">One row: the rows that conflict, and for duplicates how many keys they share (else NULL).</param>
/// <param name="ListSql">The query that lists the conflicting rows, for the operator (never run by the tool).</param>
/// <param name="Reads">The tables it reads, as PostgreSQL stores their names (without schema).</param>
public sealed record DataCheck(string Migration, string File, int Statement, int Line, int Column, DataCheckKind Kind, string Table, string What,
    string CountSql, string ListSql, IReadOnlyList<string> Reads)
{
    /// <summary>
    /// A query returning true when the statement will do nothing (<c>IF NOT EXISTS</c> on something that exists), so
    /// there is nothing to check; null when it always acts.
    /// </summary>
    public string? NoOpSql { get; init; }

    /// <summary>
    /// Set when what to count depends on the catalog: a foreign key naming no referenced columns (its primary key) or
    /// VALIDATE CONSTRAINT (the constraint's definition). The preflight reads it, then builds the count with
    /// <see cref="DataCheckSql"/>.
    /// </summary>
    public ConstraintLookup? Lookup { get; init; }
}

/// <summary>What a check must first read from the catalog.</summary>
/// <param name="Constraint">VALIDATE CONSTRAINT's constraint name, as stored.</param>
/// <param name="ReferencedTable">A foreign key's referenced table, as written, when it names no columns.</param>
/// <param name="Columns">That foreign key's own columns, as written.</param>
/// <param name="MatchFull">Whether the foreign key is MATCH FULL.</param>
public sealed record ConstraintLookup(string? Constraint, string? ReferencedTable, IReadOnlyList<string> Columns, bool MatchFull);
