using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Safety;

/// <summary>
/// Which locks each statement of a migration takes on tables that existed before it: the same reading of the SQL as
/// the safety lint, for the runner to look for sessions that would block those locks.
/// </summary>
public static class LockClassifier
{
    /// <summary>For each statement of <paramref name="script"/>, in order, its locks on pre-existing tables.</summary>
    public static IReadOnlyList<IReadOnlyList<TableLock>> Of(SqlScript script)
    {
        var scope = new SafetyScope(string.Empty, LintOptions.DefaultPostgresVersion, risk: null,
            script.Statements.All(s => s.IsTransactional), new FolderSchema());
        var locks = new IReadOnlyList<TableLock>[script.Statements.Count];
        for (var i = 0; i < locks.Length; i++)
        {
            locks[i] = StatementRules.Analyze(new StatementView(script, script.Statements[i]), scope);
        }

        return locks;
    }
}
