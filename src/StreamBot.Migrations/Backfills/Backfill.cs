using System.Globalization;
using System.Text;

namespace StreamBot.Migrations.Backfills;

/// <summary>What a backfill statement does to its table's rows.</summary>
public enum BackfillKind
{
    /// <summary><c>UPDATE table SET ... [WHERE ...]</c>.</summary>
    Update,

    /// <summary><c>DELETE FROM table [WHERE ...]</c>.</summary>
    Delete,

    /// <summary><c>INSERT INTO other (...) SELECT ... FROM table [WHERE ...]</c>: batched over the table it reads.</summary>
    InsertSelect,
}

/// <summary>
/// A statement marked <c>-- streambot:backfill</c>, read once at validation: which table's key its batches walk, and
/// its text cut where a batch's key range goes, so each batch runs the migration's own statement restricted to
/// <c>(last key done, batch end]</c>.
/// </summary>
public sealed class Backfill
{
    private readonly string _head;
    private readonly string? _predicate;
    private readonly string _tail;
    private readonly string _qualifier;

    internal Backfill(int statement, BackfillKind kind, string table, string tableName, string qualifier, IReadOnlyList<string>? key,
        IReadOnlyList<string> setColumns, int line, int column, (string Head, string? Predicate, string Tail) text)
    {
        Statement = statement;
        Kind = kind;
        Table = table;
        TableName = tableName;
        _qualifier = qualifier;
        Key = key;
        SetColumns = setColumns;
        Line = line;
        Column = column;
        (_head, _predicate, _tail) = text;
    }

    /// <summary>The statement's 0-based index in its migration.</summary>
    public int Statement { get; }

    /// <summary>UPDATE, DELETE or INSERT ... SELECT.</summary>
    public BackfillKind Kind { get; }

    /// <summary>The table the batches walk, as the statement writes it (possibly schema-qualified), for the server to resolve.</summary>
    public string Table { get; }

    /// <summary>The table's own name, for messages.</summary>
    public string TableName { get; }

    /// <summary>The key named by <c>-- streambot:backfill key (...)</c>; null means the table's primary key.</summary>
    public IReadOnlyList<string>? Key { get; }

    /// <summary>For an UPDATE, the columns it sets (a batch must not move a row across the key range).</summary>
    public IReadOnlyList<string> SetColumns { get; }

    /// <summary>The statement's line in the file.</summary>
    public int Line { get; }

    /// <summary>The statement's column in the file.</summary>
    public int Column { get; }

    /// <summary>
    /// The statement restricted to one batch: key columns <paramref name="keyColumns"/> (with their SQL types
    /// <paramref name="keyTypes"/>) above parameters <c>$1..$k</c> (left out for the first batch, which has no lower
    /// bound) and at most the parameters after them. Parameters are text, cast to the key's types.
    /// </summary>
    internal string BatchSql(IReadOnlyList<string> keyColumns, IReadOnlyList<string> keyTypes, bool hasLowerBound)
    {
        var range = KeyRange(_qualifier + ".", keyColumns, keyTypes, hasLowerBound);
        var text = new StringBuilder(_head.Length + _tail.Length + range.Length + 16).Append(_head);
        text.Append(_predicate is null ? "\nWHERE " : $"\n({_predicate}\n) AND ").Append(range);
        return _tail.Length == 0 ? text.ToString() : text.Append('\n').Append(_tail).ToString();
    }

    /// <summary>
    /// <c>(key) &gt; ($1, ...) AND (key) &lt;= ($k+1, ...)</c> over <paramref name="qualifier"/>'s columns: the one place a
    /// batch's range is written, for the statement and for the query that finds the batch's end.
    /// </summary>
    internal static string KeyRange(string qualifier, IReadOnlyList<string> keyColumns, IReadOnlyList<string> keyTypes, bool hasLowerBound)
    {
        var columns = Row(keyColumns.Select(c => qualifier + Quote(c)));
        var upperFrom = hasLowerBound ? keyColumns.Count + 1 : 1;
        var upper = $"{columns} <= {Row(keyTypes.Select((t, i) => Parameter(upperFrom + i, t)))}";
        return hasLowerBound ? $"{columns} > {Row(keyTypes.Select((t, i) => Parameter(1 + i, t)))} AND {upper}" : upper;
    }

    /// <summary>A name quoted for SQL text.</summary>
    internal static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Parameter(int number, string type) => string.Create(CultureInfo.InvariantCulture, $"${number}::{type}");

    private static string Row(IEnumerable<string> parts)
    {
        var list = parts.ToList();
        return list.Count == 1 ? list[0] : "(" + string.Join(", ", list) + ")";
    }
}
