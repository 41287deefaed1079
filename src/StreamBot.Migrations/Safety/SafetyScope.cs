using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Documentation;

namespace StreamBot.Migrations.Safety;

/// <summary>
/// What the folder's migrations, read in order, say about the schema: the type each column was given and the CHECK
/// constraints that prove a column holds no NULL. It lets a rule tell a widening from a rewrite.
/// </summary>
internal sealed class FolderSchema
{
    public Dictionary<(string Table, string Column), string> ColumnTypes { get; } = [];

    /// <summary>The same types as the migrations wrote them ("timestamp with time zone"), for messages.</summary>
    public Dictionary<(string Table, string Column), string> WrittenTypes { get; } = [];

    /// <summary>A column renamed: what the rules know of it follows it to its new name.</summary>
    public void RenameColumn(string table, string from, string to)
    {
        Move(ColumnTypes, (table, from), (table, to));
        Move(WrittenTypes, (table, from), (table, to));
    }

    /// <summary>A table renamed: what the rules know of its columns and constraints follows it.</summary>
    public void RenameTable(string from, string to)
    {
        foreach (var key in ColumnTypes.Keys.Where(k => k.Table == from).ToList())
        {
            Move(ColumnTypes, key, (to, key.Column));
            Move(WrittenTypes, key, (to, key.Column));
        }

        foreach (var key in Checks.Keys.Where(k => k.Table == from).ToList())
        {
            Checks[(to, key.Constraint)] = Checks[key];
            Checks.Remove(key);
        }
    }

    private static void Move(Dictionary<(string Table, string Column), string> map, (string, string) from, (string, string) to)
    {
        if (map.Remove(from, out var value))
        {
            map[to] = value;
        }
    }

    /// <summary>CHECK constraints by (table, name): the column when it reads "column IS NOT NULL", and whether it is validated.</summary>
    public Dictionary<(string Table, string Constraint), (string? NotNullColumn, bool Validated)> Checks { get; } = [];

    public bool HasValidatedNotNullCheck(string table, string column) =>
        Checks.Any(c => c.Key.Table == table && c.Value.NotNullColumn == column && c.Value.Validated);
}

/// <summary>
/// One migration as the rules see it: which tables it creates (those are exempt: nothing uses them yet), what it
/// added in its own transaction, the server version and README risk the rules depend on, and the findings so far.
/// </summary>
internal sealed class SafetyScope(string path, int postgresVersion, RollbackRisk? risk, bool transactional, FolderSchema schema)
{
    public string Path { get; } = path;

    public int PostgresVersion { get; } = postgresVersion;

    /// <summary>The README's Rollback Risk, or null when the section did not parse (the README's own errors say why).</summary>
    public RollbackRisk? Risk { get; } = risk;

    /// <summary>Whether the whole migration runs in one transaction.</summary>
    public bool Transactional { get; } = transactional;

    public FolderSchema Schema { get; } = schema;

    /// <summary>
    /// Marked <c>-- streambot:contract after ...</c>: up applies it only once older versions of the app are gone, so
    /// removing what they used is its purpose, not a hazard.
    /// </summary>
    public bool IsContract { get; init; }

    public HashSet<string> CreatedTables { get; } = new(StringComparer.Ordinal);

    /// <summary>Indexes this migration creates (dropping one of them again touches no live table).</summary>
    public HashSet<string> CreatedIndexes { get; } = new(StringComparer.Ordinal);

    /// <summary>Enum labels added by ALTER TYPE ... ADD VALUE in this migration's transaction, with their type.</summary>
    public Dictionary<string, string> NewEnumLabels { get; } = new(StringComparer.Ordinal);

    /// <summary>Constraints this migration added NOT VALID, by (table, name).</summary>
    public HashSet<(string Table, string Constraint)> AddedNotValid { get; } = [];

    public List<Diagnostic> Findings { get; } = [];

    /// <summary>Whether the table existed before this migration: created by an earlier one, or not by this folder at all.</summary>
    public bool IsExisting(string table) => !CreatedTables.Contains(table);

    public void Report(Diagnostic finding) => Findings.Add(finding);
}
