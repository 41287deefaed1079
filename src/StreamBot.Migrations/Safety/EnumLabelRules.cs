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

    /// <summary>The finding at the first use of a label added earlier in the same transaction.</summary>
    public static void ReportUseOfNewLabel(StatementView v, SafetyScope scope)
    {
        if (scope.NewEnumLabels.Count == 0 || v.Are(0, "alter", "type"))
        {
            return;
        }

        for (var i = 0; i < v.Count; i++)
        {
            if (v[i].Kind == SqlTokenKind.StringLiteral && Literal(v, i) is { } text && scope.NewEnumLabels.TryGetValue(text, out var type))
            {
                var (line, column) = v.Position(i);
                scope.Report(SafetyDiagnostics.EnumValueUsedTooSoon(scope.Path, line, column, text, type));
                return;
            }
        }
    }

    /// <summary>The value of a plain '...' literal, or null for the other forms (E'', dollar quotes, ...).</summary>
    private static string? Literal(StatementView v, int index)
    {
        var text = v.Text(index);
        return text.Length >= 2 && text[0] == '\'' && text[^1] == '\'' ? text[1..^1].Replace("''", "'", StringComparison.Ordinal) : null;
    }
}
