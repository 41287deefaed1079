using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Safety;

/// <summary>
/// ALTER TABLE, action by action: the lock each action takes (most take ACCESS EXCLUSIVE; VALIDATE CONSTRAINT and
/// a few settings take SHARE UPDATE EXCLUSIVE; a foreign key SHARE ROW EXCLUSIVE on both tables) and what it costs
/// while held: a scan, a rewrite, or a name the running application still uses.
/// </summary>
internal static class AlterTableRules
{
    public static void Analyze(StatementView v, SafetyScope scope, List<TableLock> locks)
    {
        var at = 2;
        if (v.Are(at, "if", "exists"))
        {
            at += 2;
        }

        if (v.Is(at, "only"))
        {
            at++;
        }

        var table = v.QualifiedName(ref at);
        if (table is null)
        {
            return;
        }

        var existing = scope.IsExisting(table);
        var mode = LockMode.ShareUpdateExclusive;
        foreach (var (start, end) in v.Split(at, v.Count, 0))
        {
            var action = new Action(v, scope, table, existing, start, end);
            mode = (LockMode)Math.Max((int)mode, (int)action.Analyze(locks));
        }

        StatementRules.Lock(locks, scope, table, mode);
    }

    private readonly struct Action(StatementView v, SafetyScope scope, string table, bool existing, int start, int end)
    {
        private (int Line, int Column) Where => v.Position(start);

        /// <summary>Reports what the action costs and returns the lock mode it takes on the table.</summary>
        public LockMode Analyze(List<TableLock> locks)
        {
            if (v.Is(start, "add"))
            {
                return Add(locks);
            }

            if (v.Are(start, "validate", "constraint"))
            {
                Validate(v.IsName(start + 2) ? v.Name(start + 2) : null);
                return LockMode.ShareUpdateExclusive;
            }

            if (v.Is(start, "alter"))
            {
                return AlterColumn(v.Is(start + 1, "column") ? start + 2 : start + 1);
            }

            if (v.Is(start, "rename"))
            {
                Rename();
                return LockMode.AccessExclusive;
            }

            if (v.Is(start, "drop"))
            {
                Drop();
                return LockMode.AccessExclusive;
            }

            if (existing && (v.Are(start, "set", "unlogged") || v.Are(start, "set", "logged") || v.Are(start, "set", "tablespace")))
            {
                scope.Report(SafetyDiagnostics.StorageRewrite(scope.Path, Where.Line, Where.Column, table, $"SET {v.Text(start + 1).ToUpperInvariant()}"));
            }

            return v.Is(start, "set") && (v.IsPunctuation(start + 1, '(') || v.Is(start + 1, "statistics")) || v.Is(start, "cluster")
                ? LockMode.ShareUpdateExclusive
                : LockMode.AccessExclusive;
        }

        private LockMode Add(List<TableLock> locks)
        {
            var at = start + 1;
            var constraint = "(unnamed)";
            if (v.Is(at, "constraint") && v.IsName(at + 1))
            {
                constraint = v.Name(at + 1);
                at += 2;
            }

            var notValid = v.Are(end - 2, "not", "valid");
            if (v.Is(at, "check"))
            {
                scope.Schema.Checks[(table, constraint)] = (StatementRules.NotNullColumn(v, at + 1), !notValid);
                NotValidAdded(constraint, notValid, "CHECK");
                return LockMode.AccessExclusive;
            }

            if (v.Are(at, "foreign", "key"))
            {
                StatementRules.LockReferenced(v, scope, locks, at, end);
                NotValidAdded(constraint, notValid, "FOREIGN KEY");
                return LockMode.ShareRowExclusive;
            }

            if (v.Is(at, "unique") || v.Are(at, "primary", "key") || v.Is(at, "exclude"))
            {
                if (existing && v.IndexOf("using", at, end) is var usingAt && !(usingAt >= 0 && v.Is(usingAt + 1, "index")))
                {
                    var kind = v.Is(at, "unique") ? "UNIQUE" : v.Is(at, "exclude") ? "EXCLUDE" : "PRIMARY KEY";
                    scope.Report(SafetyDiagnostics.UniqueWithoutIndex(scope.Path, Where.Line, Where.Column, table, kind));
                }

                return LockMode.AccessExclusive;
            }

            at = v.Is(at, "column") ? at + 1 : at;
            at = v.Are(at, "if", "not", "exists") ? at + 3 : at;
            if (ColumnDefinition.Parse(v, at, end) is { } column)
            {
                scope.Schema.ColumnTypes[(table, column.Name)] = column.Type;
                scope.Schema.WrittenTypes[(table, column.Name)] = column.WrittenType;
                StatementRules.LockReferenced(v, scope, locks, at, end);
                if (existing && column.RewriteReason(v, scope.PostgresVersion) is { } reason)
                {
                    scope.Report(SafetyDiagnostics.VolatileDefault(scope.Path, Where.Line, Where.Column, table, column.Name, reason));
                }

                // NOT NULL with nothing to fill existing rows with: fine on the empty scratch database, an error on a
                // table with rows.
                if (existing && column.DefaultStart < 0 && column.Generated is null && v.IndexOf("not", at, end) is var not and >= 0 && v.Is(not + 1, "null"))
                {
                    scope.Report(SafetyDiagnostics.NotNullWithoutDefault(scope.Path, Where.Line, Where.Column, table, column.Name));
                }
            }

            return LockMode.AccessExclusive;
        }

        private void NotValidAdded(string constraint, bool notValid, string kind)
        {
            if (notValid)
            {
                scope.AddedNotValid.Add((table, constraint));
            }
            else if (existing)
            {
                scope.Report(SafetyDiagnostics.ConstraintNotValidMissing(scope.Path, Where.Line, Where.Column, table, kind, constraint));
            }
        }

        private void Validate(string? constraint)
        {
            if (constraint is null)
            {
                return;
            }

            if (scope.Transactional && scope.AddedNotValid.Contains((table, constraint)))
            {
                scope.Report(SafetyDiagnostics.ValidatedInSameTransaction(scope.Path, Where.Line, Where.Column, table, constraint));
            }

            if (scope.Schema.Checks.TryGetValue((table, constraint), out var check))
            {
                scope.Schema.Checks[(table, constraint)] = (check.NotNullColumn, true);
            }
        }

        private LockMode AlterColumn(int at)
        {
            if (!v.IsName(at))
            {
                return LockMode.AccessExclusive;
            }

            var column = v.Name(at++);
            if (v.Are(at, "set", "data", "type") || v.Is(at, "type"))
            {
                at += v.Is(at, "type") ? 1 : 3;
                var typeEnd = at;
                while (typeEnd < end && !v.Is(typeEnd, "collate") && !v.Is(typeEnd, "using"))
                {
                    typeEnd++;
                }

                var to = ColumnDefinition.Normalize(v.Compact(at, typeEnd));
                var hasUsing = v.IndexOf("using", typeEnd, end) >= 0;
                var from = scope.Schema.ColumnTypes.GetValueOrDefault((table, column));
                // A collation change (same type) rebuilds the column's indexes under the same lock.
                var collate = v.IndexOf("collate", at, end) >= 0;
                if (existing && (hasUsing || collate || from is null || !ColumnDefinition.IsBinaryCompatible(from, to)))
                {
                    scope.Report(SafetyDiagnostics.ColumnTypeRewrite(scope.Path, Where.Line, Where.Column, table, column,
                        from is null ? null : scope.Schema.WrittenTypes.GetValueOrDefault((table, column), from), v.Written(at, collate ? end : typeEnd), hasUsing));
                }

                scope.Schema.ColumnTypes[(table, column)] = to;
                scope.Schema.WrittenTypes[(table, column)] = v.Written(at, typeEnd);
            }
            else if (v.Are(at, "set", "not", "null"))
            {
                var serverUsesCheck = scope.PostgresVersion >= 12;
                if (existing && !(serverUsesCheck && scope.Schema.HasValidatedNotNullCheck(table, column)))
                {
                    scope.Report(SafetyDiagnostics.SetNotNullScans(scope.Path, Where.Line, Where.Column, table, column, serverUsesCheck));
                }

                if (existing && !scope.IsContract)
                {
                    scope.Report(SafetyDiagnostics.SetNotNullOutsideContract(scope.Path, Where.Line, Where.Column, table, column));
                }
            }
            else if (v.Are(at, "set", "statistics") || (v.Is(at, "set") && v.IsPunctuation(at + 1, '(')))
            {
                return LockMode.ShareUpdateExclusive;
            }

            return LockMode.AccessExclusive;
        }

        private void Rename()
        {
            if (v.Are(start + 1, "constraint"))
            {
                return;
            }

            if (!existing)
            {
                Follow();
                return;
            }

            var what = v.Is(start + 1, "to") && v.IsName(start + 2)
                ? $"the table {table} to {v.Name(start + 2)}"
                : RenamedColumn();
            scope.Report(SafetyDiagnostics.Rename(scope.Path, Where.Line, Where.Column, what));
            Follow();
        }

        // Later statements name the column or table by its new name; what the rules know follows it.
        private void Follow()
        {
            if (v.Is(start + 1, "to") && v.IsName(start + 2))
            {
                scope.Schema.RenameTable(table, v.Name(start + 2));
                if (scope.CreatedTables.Remove(table))
                {
                    scope.CreatedTables.Add(v.Name(start + 2));
                }

                return;
            }

            var at = v.Is(start + 1, "column") ? start + 2 : start + 1;
            if (v.IsName(at) && v.Is(at + 1, "to") && v.IsName(at + 2))
            {
                scope.Schema.RenameColumn(table, v.Name(at), v.Name(at + 2));
            }
        }

        private string RenamedColumn()
        {
            var at = v.Is(start + 1, "column") ? start + 2 : start + 1;
            return v.IsName(at) && v.Is(at + 1, "to") && v.IsName(at + 2) ? $"the column {table}.{v.Name(at)} to {v.Name(at + 2)}" : $"a column of {table}";
        }

        private void Drop()
        {
            var at = start + 1;
            var constraint = v.Is(at, "constraint");
            at = constraint || v.Is(at, "column") ? at + 1 : at;
            at = v.Are(at, "if", "exists") ? at + 2 : at;
            var name = v.IsName(at) ? v.Name(at) : "?";
            if (!constraint && existing)
            {
                StatementRules.ReportDestructive(v, scope, start, $"DROP COLUMN {table}.{name}");
                if (!scope.IsContract)
                {
                    scope.Report(SafetyDiagnostics.DropOutsideContract(scope.Path, Where.Line, Where.Column, $"DROP COLUMN {table}.{name}"));
                }
            }
            else if (v.Is(end - 1, "cascade"))
            {
                StatementRules.ReportDestructive(v, scope, start, $"DROP CONSTRAINT {name} ... CASCADE");
            }
        }
    }
}
