using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Preflight;

/// <summary>What a statement does to a whole table while it blocks the table's writes.</summary>
public enum LockedWork
{
    /// <summary>Reads every row (validating a constraint, SET NOT NULL).</summary>
    Scan,

    /// <summary>Sorts every row into a new index.</summary>
    IndexBuild,

    /// <summary>Copies every row into new storage and rebuilds every index.</summary>
    Rewrite,
}

/// <summary>A safety finding whose cost depends on its table's size, and that table.</summary>
/// <param name="Finding">The lint's finding (SBM6001, SBM6005, ...).</param>
/// <param name="Table">The table as the statement writes it.</param>
/// <param name="Work">What the statement does to it.</param>
/// <param name="Operation">The work in a few words: "CREATE INDEX", "the type change's rewrite".</param>
/// <param name="StatementLine">The line its statement starts on (where a rehearsal's lock trace times it).</param>
public sealed record SizingTarget(Diagnostic Finding, string Table, LockedWork Work, string Operation, int StatementLine);

/// <summary>
/// Which of a run's lint findings can be sized by the live tables: the ones whose lock lasts as long as a scan, an
/// index build or a rewrite of their table (not a rename or a dropped column: those are instant once granted).
/// </summary>
public static class SizingTargets
{
    private static readonly Dictionary<string, (LockedWork Work, string Operation)> Sizable = new(StringComparer.Ordinal)
    {
        [DiagnosticCatalog.IndexNotConcurrent.Code] = (LockedWork.IndexBuild, "CREATE INDEX"),
        [DiagnosticCatalog.UniqueWithoutIndex.Code] = (LockedWork.IndexBuild, "building the constraint's index"),
        [DiagnosticCatalog.ConstraintNotValidMissing.Code] = (LockedWork.Scan, "validating the constraint"),
        [DiagnosticCatalog.SetNotNullScans.Code] = (LockedWork.Scan, "SET NOT NULL's scan"),
        [DiagnosticCatalog.ColumnTypeRewrite.Code] = (LockedWork.Rewrite, "the type change's rewrite"),
        [DiagnosticCatalog.VolatileDefault.Code] = (LockedWork.Rewrite, "filling the new column's default"),
        [DiagnosticCatalog.TableRewriteCommand.Code] = (LockedWork.Rewrite, "the table's rewrite"),
        [DiagnosticCatalog.StorageRewrite.Code] = (LockedWork.Rewrite, "the storage rewrite"),
    };

    /// <summary>
    /// The sizable findings of the safety lint, run with <paramref name="lint"/> over the folder as validation read it
    /// (no second read of a file), in <paramref name="pending"/>'s files, each with its table.
    /// </summary>
    public static IReadOnlyList<SizingTarget> For(Planning.MigrationFolder folder, IReadOnlyList<ValidatedMigration> pending, LintOptions lint)
    {
        var findings = new List<Diagnostic>();
        SafetyLint.Run(Path.Combine(folder.Directory, Discovery.MigrationDiscovery.ReadmeFileName), folder.Migrations.Select(m => m.File).ToList(),
            folder.Migrations.Select(m => (SqlScript?)m.Script).ToList(), folder.Migrations.Select(m => (MigrationDirectives?)MigrationDirectives.Read(m.Script, m.File.FullPath)).ToList(),
            folder.Migrations.Where(m => m.Doc is not null).ToDictionary(m => m.Name, m => m.Doc!), lint, findings, []);
        return For(pending, findings);
    }

    /// <summary>The sizable findings among <paramref name="findings"/> in <paramref name="pending"/>'s files, each with its table.</summary>
    public static IReadOnlyList<SizingTarget> For(IReadOnlyList<ValidatedMigration> pending, IEnumerable<Diagnostic> findings)
    {
        var byFile = pending.ToDictionary(m => m.File.FullPath, StringComparer.Ordinal);
        var targets = new List<SizingTarget>();
        foreach (var finding in findings)
        {
            if (!Sizable.TryGetValue(finding.Code, out var sized) || !byFile.TryGetValue(finding.File, out var migration)
                || migration.Script.Statements.LastOrDefault(s => s.Line <= finding.Line) is not { Length: > 0 } statement)
            {
                continue;
            }

            if (TableOf(new StatementView(migration.Script, statement)) is { } table)
            {
                targets.Add(new SizingTarget(finding, table, sized.Work, sized.Operation, statement.Line));
            }
        }

        return targets;
    }

    // The table a CREATE INDEX, ALTER TABLE, VACUUM, CLUSTER or REINDEX works on, as written.
    private static string? TableOf(StatementView v)
    {
        var at = v.Is(0, "create") ? v.TopLevelIndexOf("on") + 1 : v.Are(0, "alter", "table") ? 2 : 1;
        if (at <= 0)
        {
            return null;
        }

        while (at < v.Count && (v.IsPunctuation(at, '(') || v.Is(at, "if") || v.Is(at, "exists") || v.Is(at, "only") || v.Is(at, "full") || v.Is(at, "verbose")
            || v.Is(at, "analyze") || v.Is(at, "freeze") || v.Is(at, "table") || v.Is(at, "concurrently")))
        {
            at = v.IsPunctuation(at, '(') ? v.Closing(at) + 1 : at + 1;
        }

        var start = at;
        return v.QualifiedName(ref at) is null ? null : v.Source(start, at);
    }
}
