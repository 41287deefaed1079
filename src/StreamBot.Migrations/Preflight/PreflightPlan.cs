using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Preflight;

/// <summary>A data check, or why the live database cannot answer it.</summary>
/// <param name="Check">The question.</param>
/// <param name="LeftToRehearsal">
/// Set when an earlier pending statement changes a table the check reads (its rows or its columns): the live rows
/// are not the ones the statement will meet, so the rehearsal decides.
/// </param>
public sealed record PlannedCheck(DataCheck Check, string? LeftToRehearsal);

/// <summary>The data checks of a run's pending migrations, in the order they would be applied.</summary>
public static class PreflightPlan
{
    /// <param name="pending">The migrations up would apply, in order.</param>
    /// <param name="resumeAt">The 0-based statement the first of them resumes at, when it stopped half-way.</param>
    public static IReadOnlyList<PlannedCheck> For(IReadOnlyList<ValidatedMigration> pending, int resumeAt = 0)
    {
        var planned = new List<PlannedCheck>();
        // Table -> the first pending statement that changes its rows or columns.
        var changedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var m = 0; m < pending.Count; m++)
        {
            var migration = pending[m];
            var from = m == 0 ? resumeAt : 0;
            var checks = DataCheckFinder.Find(migration, from).ToLookup(c => c.Statement);
            for (var s = from; s < migration.Script.Statements.Count; s++)
            {
                foreach (var check in checks[s])
                {
                    var changed = check.Reads.FirstOrDefault(changedBy.ContainsKey);
                    planned.Add(new PlannedCheck(check, changed is null ? null : $"{changed} is changed before it by {changedBy[changed]}"));
                }

                foreach (var taken in migration.Locks[s].Where(l => Changes(l.Mode, migration, s)))
                {
                    changedBy.TryAdd(taken.Table, $"{migration.File.FileName} line {migration.Script.Statements[s].Line}");
                }
            }
        }

        return planned;
    }

    // Writing rows (ROW EXCLUSIVE), TRUNCATE, DROP and the like change what a later check would read. Building an index,
    // validating, adding a trigger or a constraint do not, and neither does an ALTER TABLE that converts no column's type
    // (an added, dropped or renamed column makes the later check fail on the live schema, which says so itself).
    private static bool Changes(LockMode mode, ValidatedMigration migration, int statement)
    {
        if (mode == LockMode.RowExclusive)
        {
            return true;
        }

        if (mode is not (LockMode.Exclusive or LockMode.AccessExclusive))
        {
            return false;
        }

        var v = new Sql.StatementView(migration.Script, migration.Script.Statements[statement]);
        return !v.Are(0, "alter", "table") || v.TopLevelIndexOf("type") >= 0;
    }
}
