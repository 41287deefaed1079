using StreamBot.Migrations.Validation;
using System.Text;
using StreamBot.Migrations.Documentation;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Authoring;

/// <summary>A rollback derived from a migration's SQL, for its README section.</summary>
/// <param name="Sql">The rollback statements, newest first, each followed by a verify query expecting 0 rows.</param>
/// <param name="Risk">What running it loses: HIGH when it drops a table or a column (their rows and values).</param>
/// <param name="RiskReason">The risk's explanation, for the README's Rollback Risk line.</param>
/// <param name="Undecided">Statements it could not invert: each is a TODO(streambot) line that fails the build.</param>
public sealed record DraftedRollback(string Sql, RollbackRisk Risk, string RiskReason, int Undecided);

/// <summary>
/// Derives a rollback from a migration's tokens, statement by statement in reverse order: what the migration creates is
/// dropped (IF EXISTS, so a half-done migration rolls back too), a rename is renamed back, SET NOT NULL is dropped. What
/// cannot be inverted from the SQL alone (data changes, type changes, drops, replaced definitions) becomes a
/// TODO(streambot) line that keeps the build failing until a person decides.
/// </summary>
public static class RollbackDraft
{
    /// <summary>Drafts the rollback of <paramref name="script"/>.</summary>
    /// <param name="script">The migration.</param>
    /// <param name="earlier">Objects earlier migrations create: an OR REPLACE of one of them cannot simply be dropped.</param>
    public static DraftedRollback Draft(SqlScript script, IReadOnlyCollection<SchemaObject>? earlier = null)
    {
        var steps = new List<string>();
        var droppedTables = new List<string>();
        var droppedColumns = new List<string>();
        var undecided = 0;
        foreach (var statement in script.Statements.Reverse())
        {
            var v = new StatementView(script, statement);
            var drafted = Invert(v, earlier ?? [], droppedTables, droppedColumns);
            if (drafted.Count == 0)
            {
                var firstLine = script.GetText(statement).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("--", StringComparison.Ordinal)) ?? string.Empty;
                steps.Add($"-- {Placeholder.Text($"undo line {statement.Line} by hand or say why it needs no undoing: {Shorten(firstLine)}")}");
            }
            else
            {
                steps.AddRange(drafted);
            }
        }

        undecided = steps.Count(s => s.Contains(Placeholder.Marker, StringComparison.Ordinal));
        var risk = droppedTables.Count + droppedColumns.Count > 0 ? RollbackRisk.High : RollbackRisk.Low;
        var reason = new StringBuilder(risk == RollbackRisk.High
            ? "drops " + string.Join(" and ", new[]
            {
                droppedTables.Count > 0 ? $"table(s) {string.Join(", ", droppedTables)} with every row written to them since" : null,
                droppedColumns.Count > 0 ? $"column(s) {string.Join(", ", droppedColumns)} with their values" : null,
            }.OfType<string>())
            : "drops only what the migration created; no data is lost");
        if (undecided > 0)
        {
            reason.Append($"; {undecided} step(s) still to decide");
        }

        return new DraftedRollback(string.Join("\n\n", steps), risk, reason.ToString(), undecided);
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    private static List<string> Invert(StatementView v, IReadOnlyCollection<SchemaObject> earlier, List<string> droppedTables, List<string> droppedColumns)
    {
        if (v.Is(0, "create"))
        {
            return Create(v, earlier, droppedTables);
        }

        if (v.Are(0, "alter", "table"))
        {
            return AlterTable(v, droppedColumns);
        }

        return [];
    }

    private static List<string> Create(StatementView v, IReadOnlyCollection<SchemaObject> earlier, List<string> droppedTables)
    {
        var at = 1;
        var replace = v.Are(at, "or", "replace");
        at += replace ? 2 : 0;
        var unique = v.Is(at, "unique");
        at += unique ? 1 : 0;
        while (v.Is(at, "temporary") || v.Is(at, "temp") || v.Is(at, "unlogged"))
        {
            at++;
        }

        var materialized = v.Is(at, "materialized");
        at += materialized ? 1 : 0;
        var kind = v.IsName(at) ? v.Text(at).ToLowerInvariant() : string.Empty;
        at++;
        if (kind == "constraint" && v.Is(at, "trigger"))
        {
            kind = "trigger";
            at++;
        }

        var concurrently = kind == "index" && v.Is(at, "concurrently");
        at += concurrently ? 1 : 0;
        at += v.Are(at, "if", "not", "exists") ? 3 : 0;
        if (kind == "index" && v.Is(at, "on"))
        {
            return [$"-- {Placeholder.Text("the index has no name (PostgreSQL chose one): name it in the migration, then drop it here")}"];
        }

        var name = Name(v, ref at);
        if (name is null)
        {
            return [];
        }

        var bare = name.Split('.')[^1].Trim('"');
        if (replace && earlier.Any(o => o.Name == bare && o.Kind is SchemaObjectKind.Function or SchemaObjectKind.View))
        {
            return [$"-- {Placeholder.Text($"{name} existed before this migration replaced it: put its previous definition back here")}"];
        }

        switch (kind)
        {
            case "table":
                droppedTables.Add(name);
                return [$"DROP TABLE IF EXISTS {name};\n\n{Verify($"SELECT 1 FROM pg_tables WHERE tablename = {Literal(bare)}")}"];
            case "index":
                // A rollback runs in one transaction (SBM3013), where DROP INDEX CONCURRENTLY is refused.
                return [$"{(concurrently ? "-- Built CONCURRENTLY; a rollback runs in one transaction, so it drops it plainly (a brief ACCESS EXCLUSIVE lock).\n" : string.Empty)}DROP INDEX IF EXISTS {name};\n\n{Verify($"SELECT 1 FROM pg_indexes WHERE indexname = {Literal(bare)}")}"];
            case "view":
                return materialized
                    ? [$"DROP MATERIALIZED VIEW IF EXISTS {name};\n\n{Verify($"SELECT 1 FROM pg_matviews WHERE matviewname = {Literal(bare)}")}"]
                    : [$"DROP VIEW IF EXISTS {name};\n\n{Verify($"SELECT 1 FROM pg_views WHERE viewname = {Literal(bare)}")}"];
            case "sequence":
                return [$"DROP SEQUENCE IF EXISTS {name};\n\n{Verify($"SELECT 1 FROM pg_class WHERE relkind = 'S' AND relname = {Literal(bare)}")}"];
            case "type" or "domain":
                return [$"DROP {(kind == "domain" ? "DOMAIN" : "TYPE")} IF EXISTS {name};\n\n{Verify($"SELECT 1 FROM pg_type WHERE typname = {Literal(bare)}")}"];
            case "function" or "procedure":
                return v.IsPunctuation(at, '(')
                    ? [$"DROP {kind.ToUpperInvariant()} IF EXISTS {name}({Arguments(v, at)});\n\n{Verify($"SELECT 1 FROM pg_proc WHERE proname = {Literal(bare)}")}"]
                    : [];
            case "trigger":
                var on = v.TopLevelIndexOf("on", at);
                var tableAt = on + 1;
                return on > 0 && Name(v, ref tableAt) is { } table
                    ? [$"DROP TRIGGER IF EXISTS {name} ON {table};\n\n{Verify($"SELECT 1 FROM pg_trigger WHERE NOT tgisinternal AND tgname = {Literal(bare)}")}"]
                    : [];
            default:
                return [];
        }
    }

    private static List<string> AlterTable(StatementView v, List<string> droppedColumns)
    {
        var at = 2;
        at += v.Are(at, "if", "exists") ? 2 : 0;
        at += v.Is(at, "only") ? 1 : 0;
        var table = Name(v, ref at);
        if (table is null)
        {
            return [];
        }

        var bareTable = table.Split('.')[^1].Trim('"');
        var steps = new List<string>();
        foreach (var (start, end) in v.Split(at, v.Count, 0).AsEnumerable().Reverse())
        {
            var step = Action(v, table, bareTable, start, end, droppedColumns);
            if (step is null)
            {
                return [];
            }

            steps.Add(step);
        }

        return steps;
    }

    private static string? Action(StatementView v, string table, string bareTable, int start, int end, List<string> droppedColumns)
    {
        if (v.Is(start, "add"))
        {
            var at = start + 1;
            if (v.Is(at, "constraint") && v.IsName(at + 1))
            {
                var constraint = v.Name(at + 1);
                return $"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {Identifier(constraint)};\n\n{Verify($"SELECT 1 FROM pg_constraint WHERE conname = {Literal(constraint)}")}";
            }

            if (v.Is(at, "check") || v.Is(at, "unique") || v.Is(at, "primary") || v.Is(at, "foreign") || v.Is(at, "exclude"))
            {
                return $"-- {Placeholder.Text($"the constraint added to {table} has no name (PostgreSQL chose one): name it in the migration, then drop it here")}";
            }

            at += v.Is(at, "column") ? 1 : 0;
            at += v.Are(at, "if", "not", "exists") ? 3 : 0;
            if (!v.IsName(at))
            {
                return null;
            }

            var column = v.Name(at);
            droppedColumns.Add($"{bareTable}.{column}");
            return $"ALTER TABLE {table} DROP COLUMN IF EXISTS {Identifier(column)};\n\n{Verify($"SELECT 1 FROM information_schema.columns WHERE table_name = {Literal(bareTable)} AND column_name = {Literal(column)}")}";
        }

        if (v.Is(start, "rename"))
        {
            if (v.Is(start + 1, "to") && v.IsName(start + 2))
            {
                var renamed = v.Name(start + 2);
                return $"ALTER TABLE {Identifier(renamed)} RENAME TO {Identifier(bareTable)};\n\n{Verify($"SELECT 1 FROM pg_tables WHERE tablename = {Literal(renamed)}")}";
            }

            var at = v.Is(start + 1, "column") ? start + 2 : start + 1;
            if (v.IsName(at) && v.Is(at + 1, "to") && v.IsName(at + 2) && !v.Is(start + 1, "constraint"))
            {
                return $"ALTER TABLE {table} RENAME COLUMN {Identifier(v.Name(at + 2))} TO {Identifier(v.Name(at))};\n\n{Verify($"SELECT 1 FROM information_schema.columns WHERE table_name = {Literal(bareTable)} AND column_name = {Literal(v.Name(at + 2))}")}";
            }

            return null;
        }

        if (v.Is(start, "alter"))
        {
            var at = v.Is(start + 1, "column") ? start + 2 : start + 1;
            if (v.IsName(at) && v.Are(at + 1, "set", "not", "null"))
            {
                return $"ALTER TABLE {table} ALTER COLUMN {Identifier(v.Name(at))} DROP NOT NULL;\n\n{Verify($"SELECT 1 FROM information_schema.columns WHERE table_name = {Literal(bareTable)} AND column_name = {Literal(v.Name(at))} AND is_nullable = 'NO'")}";
            }

            return null;
        }

        if (v.Are(start, "validate", "constraint"))
        {
            return $"-- VALIDATE CONSTRAINT on {table} changes no schema: nothing to undo.";
        }

        return null;
    }

    /// <summary>A possibly qualified name at <paramref name="at"/> as written (quoted parts kept), or null.</summary>
    private static string? Name(StatementView v, ref int at)
    {
        if (!v.IsName(at))
        {
            return null;
        }

        var parts = new List<string> { Identifier(v.Name(at++)) };
        while (v.IsPunctuation(at, '.') && v.IsName(at + 1))
        {
            parts.Add(Identifier(v.Name(at + 1)));
            at += 2;
        }

        return string.Join(".", parts);
    }

    /// <summary>A function's argument list without DEFAULT clauses, as DROP FUNCTION takes it.</summary>
    private static string Arguments(StatementView v, int open)
    {
        var close = v.Closing(open);
        var arguments = new List<string>();
        foreach (var (start, end) in v.Split(open + 1, close, v.Depth(open) + 1))
        {
            var stop = start;
            while (stop < end && !v.Is(stop, "default") && !(v[stop].Kind == SqlTokenKind.Operator && v.Text(stop) == "="))
            {
                stop++;
            }

            arguments.Add(string.Join(" ", Enumerable.Range(start, stop - start).Select(v.Text)));
        }

        return string.Join(", ", arguments).Replace(" (", "(", StringComparison.Ordinal).Replace("( ", "(", StringComparison.Ordinal).Replace(" )", ")", StringComparison.Ordinal).Replace(" ,", ",", StringComparison.Ordinal);
    }

    private static string Verify(string query) => $"{query};\n-- Should return 0 rows";

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A name as SQL needs it written: plain when lower-case letters, digits and underscores, else quoted.</summary>
    private static string Identifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetterLower(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            ? name
            : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
