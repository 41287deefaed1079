using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Safety;

/// <summary>
/// A label that ALTER TYPE ... ADD VALUE adds inside a transaction cannot be used before that transaction commits
/// (PostgreSQL refuses "unsafe use of new value"): the labels added so far in the migration, and the first use of one.
/// </summary>
internal static class EnumLabelRules
{
    /// <summary>ALTER TYPE ... ADD VALUE: the label is new until the migration's transaction commits.</summary>
    public static void AlterType(StatementView v, SafetyScope scope)
    {
        var at = 2;
        var type = v.QualifiedName(ref at);
        if (type is null || !v.Are(at, "add", "value"))
        {
            return;
        }

        at += v.Are(at + 2, "if", "not", "exists") ? 5 : 2;
        if (at < v.Count && v[at].Kind == SqlTokenKind.StringLiteral && scope.Transactional && Literal(v, at) is { } label)
        {
            scope.NewEnumLabels[label] = type;
        }
    }

    /// <summary>
    /// The finding at the first use of a label added earlier in the same transaction, as the enum's value: cast to
    /// the type (<c>'kick'::platform</c>), assigned or compared to a column of that type (or of a type the folder does
    /// not say), or anywhere in a DO block or a function body, which the server parses in the same transaction. A
    /// string that only happens to read like the label (<c>SELECT 'kick' AS label</c>) is not a use.
    /// </summary>
    public static void ReportUseOfNewLabel(StatementView v, SafetyScope scope)
    {
        if (scope.NewEnumLabels.Count == 0 || v.Are(0, "alter", "type"))
        {
            return;
        }

        for (var i = 0; i < v.Count; i++)
        {
            if (v[i].Kind != SqlTokenKind.StringLiteral)
            {
                continue;
            }

            if (Literal(v, i) is { } text && scope.NewEnumLabels.TryGetValue(text, out var type) && IsEnumValueUse(v, scope, i, type))
            {
                Report(v, scope, i, text, type);
                return;
            }

            // A dollar-quoted body: DO $$ ... $$ or CREATE FUNCTION ... AS $$ ... $$.
            var body = v.Text(i);
            if (body.StartsWith('$') && scope.NewEnumLabels.FirstOrDefault(l => body.Contains($"'{l.Key.Replace("'", "''", StringComparison.Ordinal)}'", StringComparison.Ordinal)) is { Key: { } label } found)
            {
                Report(v, scope, i, label, found.Value);
                return;
            }
        }
    }

    private static void Report(StatementView v, SafetyScope scope, int index, string label, string type)
    {
        var (line, column) = v.Position(index);
        scope.Report(SafetyDiagnostics.EnumValueUsedTooSoon(scope.Path, line, column, label, type));
    }

    private static bool IsEnumValueUse(StatementView v, SafetyScope scope, int i, string type)
    {
        var typeName = type[(type.LastIndexOf('.') + 1)..];
        string Text(int index) => index >= 0 && index < v.Count ? v.Text(index) : string.Empty;
        // 'kick'::platform
        if (Text(i + 1) == "::" || (v.IsPunctuation(i + 1, ':') && v.IsPunctuation(i + 2, ':')))
        {
            var at = Text(i + 1) == "::" ? i + 2 : i + 3;
            return v.IsName(at) && v.QualifiedName(ref at) == typeName;
        }

        // column = 'kick', column <> 'kick', column IN ('kick', ...): a column of the enum's type, or of a type unknown here.
        var before = i - 1;
        while (before > 0 && (v.IsPunctuation(before, ',') || v.IsPunctuation(before, '(') || v[before].Kind == SqlTokenKind.StringLiteral))
        {
            before--;
        }

        if (v.Is(before, "in") || Text(before) is "=" or "<>" or "!=")
        {
            var columnAt = v.Is(before, "in") && v.Is(before - 1, "not") ? before - 2 : before - 1;
            if (v.IsName(columnAt))
            {
                var column = v.Name(columnAt);
                var types = scope.Schema.ColumnTypes.Where(c => c.Key.Column == column).Select(c => c.Value).ToList();
                return types.Count == 0 || types.Any(t => t == typeName || t.EndsWith("." + typeName, StringComparison.Ordinal));
            }
        }

        // INSERT INTO t ... VALUES (..., 'kick', ...): a table with a column of the enum's type.
        if (v.Is(0, "insert") && v.IndexOf("values", 0, i) >= 0)
        {
            var at = v.Is(1, "into") ? 2 : 1;
            var table = v.QualifiedName(ref at);
            return scope.Schema.ColumnTypes.Any(c => c.Key.Table == table && (c.Value == typeName || c.Value.EndsWith("." + typeName, StringComparison.Ordinal)));
        }

        return false;
    }

    /// <summary>The value of a plain '...' literal, or null for the other forms (E'', dollar quotes, ...).</summary>
    private static string? Literal(StatementView v, int index)
    {
        var text = v.Text(index);
        return text.Length >= 2 && text[0] == '\'' && text[^1] == '\'' ? text[1..^1].Replace("''", "'", StringComparison.Ordinal) : null;
    }
}
