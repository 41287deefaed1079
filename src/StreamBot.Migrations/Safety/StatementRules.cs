using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Documentation;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Safety;

/// <summary>
/// Reads one statement's tokens once for two answers: the locks it takes on tables that existed before its migration
/// (what apply-time checks look for blockers on), and the findings of the safety rules (what the build warns about).
/// ALTER TABLE has its own reader, <see cref="AlterTableRules"/>.
/// </summary>
internal static class StatementRules
{
    public static List<TableLock> Analyze(StatementView v, SafetyScope scope)
    {
        var locks = new List<TableLock>();
        if (v.Count == 0)
        {
            return locks;
        }

        EnumLabelRules.ReportUseOfNewLabel(v, scope);
        if (v.Is(0, "create"))
        {
            Create(v, scope, locks);
        }
        else if (v.Are(0, "alter", "table"))
        {
            AlterTableRules.Analyze(v, scope, locks);
        }
        else if (v.Are(0, "alter", "type"))
        {
            EnumLabelRules.AlterType(v, scope);
        }
        else if (v.Is(0, "drop"))
        {
            Drop(v, scope, locks);
        }
        else if (v.Is(0, "truncate"))
        {
            Truncate(v, scope, locks);
        }
        else if (v.Is(0, "update") || (v.Is(0, "delete") && v.Is(1, "from")))
        {
            DataChange(v, scope, locks);
        }
        else if (v.Is(0, "vacuum") || v.Is(0, "cluster") || v.Is(0, "reindex"))
        {
            Maintenance(v, scope, locks);
        }

        else if (v.Is(0, "do"))
        {
            DoBlock(v, scope, locks);
        }

        SessionSetting(v, scope);
        return locks;
    }

    // drizzle-kit (before 0.21) wraps every foreign key in DO $$ BEGIN ALTER TABLE ... EXCEPTION WHEN duplicate_object
    // THEN null; END $$;: the ALTER TABLE runs all the same, so the statements of a plain BEGIN ... [EXCEPTION ...] END
    // body are read as if they stood in the file, their findings placed at the DO.
    private static void DoBlock(StatementView v, SafetyScope scope, List<TableLock> locks)
    {
        var bodyAt = Enumerable.Range(1, v.Count - 1).FirstOrDefault(i => v[i].Kind == SqlTokenKind.StringLiteral && v.Text(i).StartsWith('$'));
        if (bodyAt == 0)
        {
            return;
        }

        var quoted = v.Text(bodyAt);
        var tagEnd = quoted.IndexOf('$', 1);
        var tag = tagEnd < 0 ? string.Empty : quoted[..(tagEnd + 1)];
        if (tag.Length == 0 || quoted.Length < 2 * tag.Length || !quoted.EndsWith(tag, StringComparison.Ordinal))
        {
            return; // an unterminated body: the splitter reports it
        }

        var body = quoted[tag.Length..^tag.Length].Trim();
        if (!body.StartsWith("begin", StringComparison.OrdinalIgnoreCase) || body.Length < 6 || char.IsAsciiLetterOrDigit(body[5]))
        {
            return;
        }

        var exception = body.IndexOf("exception", StringComparison.OrdinalIgnoreCase);
        var statements = body[5..(exception > 0 ? exception : body.Length)];
        var inner = SqlSplitter.Split(statements);
        var (line, column) = v.Position(0);
        var findings = new SafetyScope(scope.Path, scope.PostgresVersion, scope.Risk, scope.Transactional, scope.Schema);
        findings.CreatedTables.UnionWith(scope.CreatedTables);
        foreach (var taken in inner.Statements.SelectMany(statement => Analyze(new StatementView(inner, statement), findings)))
        {
            Lock(locks, scope, taken.Table, taken.Mode);
        }

        scope.CreatedTables.UnionWith(findings.CreatedTables);
        foreach (var finding in findings.Findings)
        {
            scope.Report(finding with { Line = line, Column = column });
        }
    }

    // SET (not LOCAL), RESET, or set_config(..., false): a setting that outlives the migration's transaction. A
    // migration without a transaction has no other way (SET maintenance_work_mem before CREATE INDEX CONCURRENTLY),
    // and the runner resets the session after it, so it is not warned about.
    private static void SessionSetting(StatementView v, SafetyScope scope)
    {
        if (!scope.Transactional)
        {
            return;
        }

        string? setting = null;
        if (v.Is(0, "set") && !v.Is(1, "local") && !v.Is(1, "constraints") && !v.Is(1, "transaction") && !(v.Is(1, "session") && v.Is(2, "characteristics")))
        {
            var at = v.Is(1, "session") && !v.Is(2, "authorization") ? 2 : 1;
            setting = v.Is(at, "role") || v.Is(at, "authorization") || v.Is(at, "session") ? "ROLE" : v.IsName(at) ? v.Text(at) : null;
        }
        else if (v.Is(0, "reset"))
        {
            setting = v.IsName(1) ? v.Text(1) : null;
        }
        else if (v.Is(0, "select"))
        {
            for (var i = 1; i + 1 < v.Count; i++)
            {
                if (v.Is(i, "set_config") && v.IsPunctuation(i + 1, '(') && v.Closing(i + 1) is var close and > 0
                    && v.Split(i + 2, close, v.Depth(i + 2)) is { Count: 3 } arguments && v.Is(arguments[2].Start, "false"))
                {
                    setting = v.Compact(arguments[0].Start, arguments[0].End).Trim('\'');
                    break;
                }
            }
        }

        if (setting is not null)
        {
            var (line, column) = v.Position(0);
            scope.Report(SafetyDiagnostics.SessionSetting(scope.Path, line, column, setting));
        }
    }

    /// <summary>Adds a lock on <paramref name="table"/> when it existed before the migration, keeping the strongest mode.</summary>
    public static void Lock(List<TableLock> locks, SafetyScope scope, string? table, LockMode mode)
    {
        if (table is null || !scope.IsExisting(table))
        {
            return;
        }

        var index = locks.FindIndex(l => l.Table == table);
        if (index < 0)
        {
            locks.Add(new TableLock(table, mode));
        }
        else if (locks[index].Mode < mode)
        {
            locks[index] = new TableLock(table, mode);
        }
    }

    /// <summary>Every REFERENCES other_table in [from, to): a foreign key takes SHARE ROW EXCLUSIVE on the table it references.</summary>
    public static void LockReferenced(StatementView v, SafetyScope scope, List<TableLock> locks, int from, int to)
    {
        for (var i = v.IndexOf("references", from, to); i >= 0; i = v.IndexOf("references", i + 1, to))
        {
            var at = i + 1;
            Lock(locks, scope, v.QualifiedName(ref at), LockMode.ShareRowExclusive);
        }
    }

    private static void Create(StatementView v, SafetyScope scope, List<TableLock> locks)
    {
        var i = 1;
        if (v.Are(i, "or", "replace"))
        {
            i += 2;
        }

        var unique = v.Is(i, "unique");
        if (unique)
        {
            i++;
        }

        if (v.Is(i, "index"))
        {
            CreateIndex(v, scope, locks, i + 1, unique);
            return;
        }

        while (v.Is(i, "temporary") || v.Is(i, "temp") || v.Is(i, "unlogged") || v.Is(i, "global") || v.Is(i, "local"))
        {
            i++;
        }

        if (v.Is(i, "table"))
        {
            CreateTable(v, scope, locks, i + 1);
        }
        else if (v.Is(i, "trigger") || v.Are(i, "constraint", "trigger"))
        {
            var on = v.TopLevelIndexOf("on", i);
            var at = on + 1;
            Lock(locks, scope, on < 0 ? null : v.QualifiedName(ref at), LockMode.ShareRowExclusive);
        }
    }

    private static void CreateIndex(StatementView v, SafetyScope scope, List<TableLock> locks, int i, bool unique)
    {
        var concurrently = v.Is(i, "concurrently");
        var on = v.TopLevelIndexOf("on", i);
        if (on < 0)
        {
            return;
        }

        var nameAt = concurrently ? i + 1 : i;
        nameAt = v.Are(nameAt, "if", "not", "exists") ? nameAt + 3 : nameAt;
        if (nameAt < on && v.QualifiedName(ref nameAt) is { } index)
        {
            scope.CreatedIndexes.Add(index);
        }

        var at = v.Is(on + 1, "only") ? on + 2 : on + 1;
        var table = v.QualifiedName(ref at);
        if (table is null)
        {
            return;
        }

        Lock(locks, scope, table, concurrently ? LockMode.ShareUpdateExclusive : LockMode.Share);
        if (!concurrently && scope.IsExisting(table))
        {
            var (line, column) = v.Position(0);
            scope.Report(SafetyDiagnostics.IndexNotConcurrent(scope.Path, line, column, table, unique));
        }
    }

    private static void CreateTable(StatementView v, SafetyScope scope, List<TableLock> locks, int i)
    {
        if (v.Are(i, "if", "not", "exists"))
        {
            i += 3;
        }

        var table = v.QualifiedName(ref i);
        if (table is null)
        {
            return;
        }

        scope.CreatedTables.Add(table);
        LockReferenced(v, scope, locks, i, v.Count);
        if (!v.IsPunctuation(i, '('))
        {
            return;
        }

        var close = v.Closing(i);
        foreach (var (start, end) in v.Split(i + 1, close, 1))
        {
            if (v.Is(start, "constraint") && v.IsName(start + 1) && v.Is(start + 2, "check"))
            {
                scope.Schema.Checks[(table, v.Name(start + 1))] = (NotNullColumn(v, start + 3), !v.Are(end - 2, "not", "valid"));
            }
            else if (!v.Is(start, "constraint") && !v.Is(start, "primary") && !v.Is(start, "unique") && !v.Is(start, "check")
                && !v.Is(start, "foreign") && !v.Is(start, "exclude") && !v.Is(start, "like")
                && ColumnDefinition.Parse(v, start, end) is { } column)
            {
                scope.Schema.ColumnTypes[(table, column.Name)] = column.Type;
                scope.Schema.WrittenTypes[(table, column.Name)] = column.WrittenType;
            }
        }
    }

    /// <summary>The column of a CHECK whose expression, in parentheses at <paramref name="open"/>, is exactly "column IS NOT NULL".</summary>
    public static string? NotNullColumn(StatementView v, int open)
    {
        if (!v.IsPunctuation(open, '('))
        {
            return null;
        }

        var close = v.Closing(open);
        var at = open + 1;
        return close == open + 5 && v.IsName(at) && v.Are(at + 1, "is", "not", "null") ? v.Name(at) : null;
    }

    private static void Drop(StatementView v, SafetyScope scope, List<TableLock> locks)
    {
        var cascade = v.Is(v.Count - 1, "cascade");
        if (v.Is(1, "table"))
        {
            var at = v.Are(2, "if", "exists") ? 4 : 2;
            foreach (var table in Names(v, at))
            {
                Lock(locks, scope, table, LockMode.AccessExclusive);
                if (scope.IsExisting(table))
                {
                    ReportDestructive(v, scope, 0, $"DROP TABLE {table}");
                    if (!scope.IsContract)
                    {
                        var (line, column) = v.Position(0);
                        scope.Report(SafetyDiagnostics.DropOutsideContract(scope.Path, line, column, $"DROP TABLE {table}"));
                    }
                }
            }
        }
        else if (cascade)
        {
            ReportDestructive(v, scope, 0, $"DROP {v.Text(1).ToUpperInvariant()} ... CASCADE (which drops whatever depends on it)");
        }

        // DROP INDEX takes ACCESS EXCLUSIVE on the index's table; which table is not written here, so every index of
        // the folder's earlier migrations counts (an index this migration created is its own business).
        if (v.Is(1, "index") && !v.Is(2, "concurrently"))
        {
            var at = v.Are(2, "if", "exists") ? 4 : 2;
            var indexes = Names(v, at).Where(i => !scope.CreatedIndexes.Contains(i)).ToList();
            if (indexes.Count > 0)
            {
                var (line, column) = v.Position(0);
                scope.Report(SafetyDiagnostics.DropIndexNotConcurrent(scope.Path, line, column, string.Join(", ", indexes)));
            }
        }
    }

    private static void Truncate(StatementView v, SafetyScope scope, List<TableLock> locks)
    {
        var at = v.Is(1, "table") ? 2 : 1;
        at = v.Is(at, "only") ? at + 1 : at;
        var tables = Names(v, at);
        foreach (var table in tables)
        {
            Lock(locks, scope, table, LockMode.AccessExclusive);
        }

        ReportDestructive(v, scope, 0, $"TRUNCATE {string.Join(", ", tables)}");
    }

    public static void ReportDestructive(StatementView v, SafetyScope scope, int at, string what)
    {
        if (scope.Risk is null or RollbackRisk.High)
        {
            return;
        }

        var (line, column) = v.Position(at);
        scope.Report(SafetyDiagnostics.DestructiveWithoutHighRisk(scope.Path, line, column, what, scope.Risk.Value == RollbackRisk.None ? "\"Not recommended\" without a level" : scope.Risk.Value.ToString().ToUpperInvariant()));
    }

    private static List<string> Names(StatementView v, int at)
    {
        var names = new List<string>();
        while (v.QualifiedName(ref at) is { } name)
        {
            names.Add(name);
            if (!v.IsPunctuation(at, ','))
            {
                break;
            }

            at++;
        }

        return names;
    }

    private static void DataChange(StatementView v, SafetyScope scope, List<TableLock> locks)
    {
        var at = v.Is(0, "update") ? 1 : 2;
        at = v.Is(at, "only") ? at + 1 : at;
        var table = v.QualifiedName(ref at);
        Lock(locks, scope, table, LockMode.RowExclusive);
        if (table is not null && scope.IsExisting(table) && v.TopLevelIndexOf("where", at) < 0)
        {
            var (line, column) = v.Position(0);
            scope.Report(SafetyDiagnostics.UnboundedDataChange(scope.Path, line, column, v.Is(0, "update") ? "UPDATE" : "DELETE", table));
        }
    }

    private static void Maintenance(StatementView v, SafetyScope scope, List<TableLock> locks)
    {
        var (line, column) = v.Position(0);
        var at = 1;
        var options = v.IsPunctuation(1, '(') ? v.Closing(1) : 0;
        if (options > 0)
        {
            at = options + 1;
        }

        if (v.Is(0, "vacuum"))
        {
            var full = v.Is(at, "full") || (options > 0 && v.IndexOf("full", 2, options) >= 0 && !v.Are(v.IndexOf("full", 2, options) + 1, "false"));
            if (!full)
            {
                return;
            }

            at = v.Is(at, "full") ? at + 1 : at;
            foreach (var table in Names(v, v.Is(at, "verbose") ? at + 1 : at))
            {
                Lock(locks, scope, table, LockMode.AccessExclusive);
            }

            scope.Report(SafetyDiagnostics.TableRewriteCommand(scope.Path, line, column, "VACUUM FULL", "Use pg_repack (online) outside the migration, or plain VACUUM, which takes no blocking lock."));
            return;
        }

        if (v.Is(0, "cluster"))
        {
            at = v.Is(at, "verbose") ? at + 1 : at;
            Lock(locks, scope, v.QualifiedName(ref at), LockMode.AccessExclusive);
            scope.Report(SafetyDiagnostics.TableRewriteCommand(scope.Path, line, column, "CLUSTER", "Use pg_repack (online) outside the migration."));
            return;
        }

        var kind = v.Is(at, "table") ? "TABLE" : v.Is(at, "index") ? "INDEX" : null;
        if (v.Is(at + 1, "concurrently"))
        {
            return;
        }

        if (kind == "TABLE")
        {
            var table = at + 1;
            Lock(locks, scope, v.QualifiedName(ref table), LockMode.Share);
        }

        scope.Report(SafetyDiagnostics.TableRewriteCommand(scope.Path, line, column, "REINDEX",
            scope.PostgresVersion >= 12
                ? "Use REINDEX ... CONCURRENTLY in a migration of its own (it cannot run in a transaction)."
                : "Before PostgreSQL 12, build a new index CONCURRENTLY and drop the old one instead."));
    }
}
