using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Preflight;

/// <summary>
/// Finds the statements of a migration that production's rows can refuse: CREATE UNIQUE INDEX, and the ALTER TABLE
/// actions ADD UNIQUE / PRIMARY KEY / CHECK / FOREIGN KEY (unless NOT VALID), VALIDATE CONSTRAINT, SET NOT NULL, ADD
/// COLUMN ... NOT NULL without a DEFAULT, and ALTER COLUMN ... TYPE. Each becomes a <see cref="DataCheck"/>.
/// </summary>
internal static class DataCheckFinder
{
    // Types whose column fills itself from a sequence, like a DEFAULT.
    private static readonly HashSet<string> SerialTypes = new(StringComparer.Ordinal) { "serial", "bigserial", "smallserial", "serial2", "serial4", "serial8" };

    public static List<DataCheck> Find(ValidatedMigration migration, int fromStatement = 0)
    {
        var checks = new List<DataCheck>();
        var script = migration.Script;
        for (var i = fromStatement; i < script.Statements.Count; i++)
        {
            var v = new StatementView(script, script.Statements[i]);
            var found = new StatementChecks(migration, i, v, checks);
            if (v.Is(0, "create") && v.Are(1, "unique", "index"))
            {
                found.UniqueIndex();
            }
            else if (v.Are(0, "alter", "table"))
            {
                found.AlterTable();
            }
        }

        return checks;
    }

    // The checks of one statement, added to the migration's list as they are read.
    private readonly struct StatementChecks(ValidatedMigration migration, int statement, StatementView v, List<DataCheck> checks)
    {
        public void UniqueIndex()
        {
            var at = 3;
            at = v.Is(at, "concurrently") ? at + 1 : at;
            var ifNotExists = v.Are(at, "if", "not", "exists");
            at = ifNotExists ? at + 3 : at;
            string? index = null;
            if (!v.Is(at, "on"))
            {
                var nameStart = at;
                if (v.QualifiedName(ref at) is null)
                {
                    return;
                }

                index = v.Source(nameStart, at);
            }

            if (!v.Is(at++, "on"))
            {
                return;
            }

            at = v.Is(at, "only") ? at + 1 : at;
            var tableStart = at;
            if (v.QualifiedName(ref at) is not { } stored)
            {
                return;
            }

            var table = v.Source(tableStart, at);
            // An index lives in its table's schema: "archive"."users" and the index by_email give "archive".by_email.
            var schema = at - tableStart >= 3 ? v.Source(tableStart, at - 2) + "." : string.Empty;
            if (v.Is(at, "using"))
            {
                at += 2;
            }

            if (!v.IsPunctuation(at, '('))
            {
                return;
            }

            var close = v.Closing(at);
            var keys = Keys(at + 1, close);
            var rest = close + 1;
            var nullsNotDistinct = v.TopLevelIndexOf("nulls", rest) is var nulls and >= 0 && v.Are(nulls + 1, "not", "distinct");
            var whereAt = v.TopLevelIndexOf("where", rest);
            var predicate = whereAt >= 0 ? v.Source(whereAt + 1, v.Count) : null;
            var (count, list) = DataCheckSql.Duplicates(table, keys, predicate, nullsNotDistinct);
            Add(0, DataCheckKind.Duplicates, table, stored, $"UNIQUE ({string.Join(", ", keys)})", count, list, [stored],
                ifNotExists && index is not null ? $"SELECT to_regclass({DataCheckSql.Literal(index.Contains('.', StringComparison.Ordinal) ? index : schema + index)}) IS NOT NULL" : null);
        }

        public void AlterTable()
        {
            var at = 2;
            at = v.Are(at, "if", "exists") ? at + 2 : at;
            at = v.Is(at, "only") ? at + 1 : at;
            var tableStart = at;
            if (v.QualifiedName(ref at) is not { } stored)
            {
                return;
            }

            var table = v.Source(tableStart, at);
            foreach (var (start, end) in v.Split(at, v.Count, 0))
            {
                if (v.Is(start, "add"))
                {
                    Add(table, stored, start, end);
                }
                else if (v.Are(start, "validate", "constraint") && v.IsName(start + 2))
                {
                    Add(start, DataCheckKind.CheckViolations, table, stored, $"VALIDATE CONSTRAINT {v.Source(start + 2, start + 3)}", string.Empty, string.Empty, [stored], null,
                        new ConstraintLookup(v.Name(start + 2), null, [], false));
                }
                else if (v.Is(start, "alter"))
                {
                    AlterColumn(table, stored, start, end);
                }
            }
        }

        private void Add(string table, string stored, int start, int end)
        {
            var at = start + 1;
            if (v.Is(at, "constraint") && v.IsName(at + 1))
            {
                at += 2;
            }

            var notValid = v.Are(end - 2, "not", "valid");
            if (v.Is(at, "check") && v.IsPunctuation(at + 1, '(') && !notValid)
            {
                var expression = v.Source(at + 2, v.Closing(at + 1));
                var (count, list) = DataCheckSql.CheckViolations(table, expression);
                Add(start, DataCheckKind.CheckViolations, table, stored, $"CHECK ({Shortened(expression)})", count, list, [stored]);
            }
            else if (v.Are(at, "foreign", "key") && v.IsPunctuation(at + 2, '(') && !notValid)
            {
                ForeignKey(table, stored, start, at + 2, end);
            }
            else if ((v.Is(at, "unique") || v.Are(at, "primary", "key")) && !v.Are(at + (v.Is(at, "unique") ? 1 : 2), "using", "index"))
            {
                var primary = v.Is(at, "primary");
                var open = at + (primary ? 2 : 1);
                var nullsNotDistinct = v.Are(open, "nulls", "not", "distinct");
                open = nullsNotDistinct ? open + 3 : v.Are(open, "nulls", "distinct") ? open + 2 : open;
                if (!v.IsPunctuation(open, '('))
                {
                    return;
                }

                var keys = Keys(open + 1, v.Closing(open));
                var kind = primary ? "PRIMARY KEY" : "UNIQUE";
                var (count, list) = DataCheckSql.Duplicates(table, keys, null, nullsNotDistinct);
                Add(start, DataCheckKind.Duplicates, table, stored, $"{kind} ({string.Join(", ", keys)})", count, list, [stored]);
                if (primary)
                {
                    (count, list) = DataCheckSql.Nulls(table, keys);
                    Add(start, DataCheckKind.Nulls, table, stored, $"PRIMARY KEY ({string.Join(", ", keys)})", count, list, [stored]);
                }
            }
            else
            {
                NewColumn(table, stored, start, at, end);
            }
        }

        // ADD COLUMN c type NOT NULL (or PRIMARY KEY) with nothing to fill the existing rows: any row refuses it.
        private void NewColumn(string table, string stored, int start, int at, int end)
        {
            at = v.Is(at, "column") ? at + 1 : at;
            var ifNotExists = v.Are(at, "if", "not", "exists");
            at = ifNotExists ? at + 3 : at;
            if (ColumnDefinition.Parse(v, at, end) is not { } column || column.DefaultStart >= 0 || column.Generated is not null || SerialTypes.Contains(column.Type))
            {
                return;
            }

            var notNull = false;
            for (var i = at + 1; i < end; i++)
            {
                notNull |= v.Depth(i) == v.Depth(at) && (v.Are(i, "not", "null") || v.Are(i, "primary", "key"));
            }

            if (!notNull)
            {
                return;
            }

            var (count, list) = DataCheckSql.Rows(table);
            var columnText = v.Source(at, at + 1);
            Add(start, DataCheckKind.RowsPresent, table, stored, $"ADD COLUMN {columnText} NOT NULL without a DEFAULT", count, list, [stored],
                ifNotExists ? $"SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass({DataCheckSql.Literal(table)}) AND attname = {DataCheckSql.Literal(column.Name)} AND NOT attisdropped)" : null);
        }

        private void ForeignKey(string table, string stored, int start, int open, int end)
        {
            var columns = Keys(open + 1, v.Closing(open));
            var at = v.Closing(open) + 1;
            if (!v.Is(at++, "references"))
            {
                return;
            }

            var referencedStart = at;
            if (v.QualifiedName(ref at) is not { } referencedStored)
            {
                return;
            }

            var referenced = v.Source(referencedStart, at);
            var matchFull = v.IndexOf("match", at, end) is var match and >= 0 && v.Is(match + 1, "full");
            var what = $"FOREIGN KEY ({string.Join(", ", columns)}) REFERENCES {referenced}";
            if (!v.IsPunctuation(at, '('))
            {
                Add(start, DataCheckKind.Orphans, table, stored, what, string.Empty, string.Empty, [stored, referencedStored], null,
                    new ConstraintLookup(null, referenced, columns, matchFull));
                return;
            }

            var referencedColumns = Keys(at + 1, v.Closing(at));
            var (count, list) = DataCheckSql.Orphans(table, columns, referenced, referencedColumns, matchFull);
            Add(start, DataCheckKind.Orphans, table, stored, what, count, list, [stored, referencedStored]);
        }

        private void AlterColumn(string table, string stored, int start, int end)
        {
            var at = v.Is(start + 1, "column") ? start + 2 : start + 1;
            if (!v.IsName(at))
            {
                return;
            }

            var column = v.Source(at, at + 1);
            at++;
            if (v.Are(at, "set", "not", "null"))
            {
                var (count, list) = DataCheckSql.Nulls(table, [column]);
                Add(start, DataCheckKind.Nulls, table, stored, $"SET NOT NULL of {column}", count, list, [stored]);
                return;
            }

            if (!(v.Are(at, "set", "data", "type") || v.Is(at, "type")))
            {
                return;
            }

            at += v.Is(at, "type") ? 1 : 3;
            var usingAt = v.IndexOf("using", at, end);
            var typeEnd = at;
            while (typeEnd < end && typeEnd != usingAt && !v.Is(typeEnd, "collate"))
            {
                typeEnd++;
            }

            var type = v.Source(at, typeEnd);
            var converted = usingAt >= 0 ? $"({v.Source(usingAt + 1, end)})::{type}" : $"{column}::{type}";
            var (countSql, listSql) = DataCheckSql.Conversion(table, converted);
            Add(start, DataCheckKind.Conversion, table, stored, $"TYPE {type} of {column}", countSql, listSql, [stored]);
        }

        // The key parts of an index or constraint column list: a column, (expression) or function(...), with its
        // COLLATE; operator classes, ASC/DESC and NULLS FIRST/LAST do not change which rows are equal.
        private List<string> Keys(int from, int to)
        {
            var keys = new List<string>();
            foreach (var (start, end) in v.Split(from, to, v.Depth(from)))
            {
                var at = start;
                if (v.IsPunctuation(at, '('))
                {
                    at = v.Closing(at) + 1;
                }
                else if (v.IsName(at))
                {
                    at++;
                    while (v.IsPunctuation(at, '.') && v.IsName(at + 1))
                    {
                        at += 2;
                    }

                    if (v.IsPunctuation(at, '('))
                    {
                        at = v.Closing(at) + 1;
                    }
                }

                if (v.Is(at, "collate") && at + 1 < end)
                {
                    var collation = at + 1;
                    v.QualifiedName(ref collation);
                    at = collation;
                }

                keys.Add(v.Source(start, Math.Min(at, end)));
            }

            return keys;
        }

        private void Add(int at, DataCheckKind kind, string table, string stored, string what, string count, string list, IReadOnlyList<string> reads,
            string? noOp = null, ConstraintLookup? lookup = null)
        {
            var (line, column) = v.Position(at);
            checks.Add(new DataCheck(migration.Name, migration.File.FullPath, statement, line, column, kind, table, what, count, list, reads)
            {
                NoOpSql = noOp,
                Lookup = lookup,
            });
        }
    }

    private static string Shortened(string expression)
    {
        var oneLine = string.Join(' ', expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= 80 ? oneLine : oneLine[..77] + "...";
    }
}
