using StreamBot.Migrations.Validation;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Planning;

/// <summary>
/// Every decision of a status, up or down run, made from the validated folder and the journal's rows without any
/// I/O: what is pending, whether the journal and the files agree, where an interrupted migration resumes, what a
/// rollback targets. The database side reads the rows, asks for a plan and executes it.
/// </summary>
public static class RunPlanner
{
    /// <summary>Every migration's state.</summary>
    public static StatusPlan Status(MigrationFolder folder, IReadOnlyList<JournalRow> applied, IReadOnlyList<ProgressRow> progress,
        (string Table, IReadOnlyList<DrizzleRow> Rows)? drizzle = null)
    {
        // Before adoption, what drizzle-orm applied is not pending: a deploy script reading the state must not run it.
        var byDrizzle = Drizzle(folder, drizzle)?.Files.Where(f => f.State is DrizzleFileState.Applied or DrizzleFileState.Edited)
            .Select(f => f.Migration.Name).ToHashSet(StringComparer.Ordinal) ?? [];
        var byName = applied.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var stopped = progress.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var read = folder.Migrations.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var entries = new List<StatusEntry>();
        foreach (var name in folder.FileNames)
        {
            if (byName.TryGetValue(name, out var row))
            {
                var state = !read.TryGetValue(name, out var migration) ? MigrationState.Unreadable
                    : migration.Hash == row.Hash ? MigrationState.Applied : MigrationState.Changed;
                entries.Add(new StatusEntry(name, state, row.AppliedAt, row.ExecutionMs, row.AppliedBy));
            }
            else if (stopped.TryGetValue(name, out var run))
            {
                var phased = read.TryGetValue(name, out var migration) && migration.Backfills.Count > 0 ? migration : null;
                entries.Add(new StatusEntry(name, MigrationState.Interrupted, run.UpdatedAt, null, run.By)
                {
                    Progress = (run.Done, run.Total),
                    Phase = phased is null ? null : MigrationPhases.Describe(phased, run.Done),
                    Backfill = run.Backfill,
                    ResumesByItself = phased is not null && ResumesByItself(phased, run),
                });
            }
            else
            {
                var state = !read.ContainsKey(name) ? MigrationState.Unreadable : byDrizzle.Contains(name) ? MigrationState.AppliedByDrizzle : MigrationState.Pending;
                entries.Add(new StatusEntry(name, state, null, null, null));
            }
        }

        entries.AddRange(applied.Where(a => !folder.Contains(a.Name))
            .Select(a => new StatusEntry(a.Name, MigrationState.FileMissing, a.AppliedAt, a.ExecutionMs, a.AppliedBy)));
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new StatusPlan(entries, JournalCheck.Foreign(folder, applied));
    }

    /// <summary>
    /// The migrations up applies. Refused when the journal and the folder disagree (every disagreement at once),
    /// when a migration stopped half-way and <paramref name="resumeFrom"/> does not say where to go on, or when
    /// <paramref name="resumeFrom"/> is given with nothing to resume.
    /// </summary>
    /// <param name="folder">The validated folder.</param>
    /// <param name="applied">The journal's rows.</param>
    /// <param name="progress">The progress rows of migrations that stopped half-way.</param>
    /// <param name="resumeFrom">The user's 1-based statement to resume at, if given.</param>
    /// <param name="drizzle">drizzle-orm's journal table and rows, when the database has one.</param>
    public static ApplyPlan Apply(MigrationFolder folder, IReadOnlyList<JournalRow> applied, IReadOnlyList<ProgressRow> progress, int? resumeFrom,
        (string Table, IReadOnlyList<DrizzleRow> Rows)? drizzle = null)
    {
        var problems = JournalCheck.Problems(folder, applied);
        if (problems.Count > 0)
        {
            return ApplyPlan.Refused(problems);
        }

        if (Drizzle(folder, drizzle) is { } match)
        {
            var known = applied.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
            var byDrizzle = match.Files.Where(f => f.State is DrizzleFileState.Applied or DrizzleFileState.Edited && !known.Contains(f.Migration.Name))
                .Select(f => f.Migration.Name).ToList();
            if (byDrizzle.Count > 0)
            {
                return ApplyPlan.Refused([RunDiagnostics.AppliedByDrizzle(folder.Directory, drizzle!.Value.Table, folder.Journal, byDrizzle)]);
            }
        }

        var done = applied.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var pending = folder.Migrations.Where(m => !done.Contains(m.Name)).ToList();
        var stopped = progress.FirstOrDefault(p => pending.Any(m => m.Name == p.Name));
        if (stopped is null)
        {
            return resumeFrom is { } n ? ApplyPlan.Refused([RunDiagnostics.NothingToResume(n)]) : new ApplyPlan(pending, null, []);
        }

        var migration = pending.First(m => m.Name == stopped.Name);
        var statements = migration.Script.Statements;
        var changed = stopped.Hash == migration.Hash ? string.Empty
            : $" The file changed since (it has {statements.Count} statement(s) now, {stopped.Total} then); statement numbers below are the current file's.";
        var ran = stopped.Done switch
        {
            0 => "No statement is recorded as done.",
            1 => $"Statement 1 (line {statements[0].Line}) ran.",
            _ => $"Statements 1 to {stopped.Done} (lines {Lines(statements.Take(Math.Min(stopped.Done, statements.Count)).Select(s => s.Line))}) ran.",
        };
        if (resumeFrom is null && migration == pending[0] && ResumesByItself(migration, stopped))
        {
            var where = stopped.Done >= statements.Count ? "only its journal row is left to write"
                : stopped.Backfill is { } backfill && backfill.Statement == stopped.Done ? $"the backfill at statement {stopped.Done + 1} continues from its saved cursor ({backfill})"
                : $"it goes on at statement {stopped.Done + 1} (line {statements[stopped.Done].Line})";
            return new ApplyPlan(pending, new ResumePoint(migration, stopped.Done,
                $"Resuming {migration.File.FileName}, stopped at {MigrationPhases.Describe(migration, stopped.Done)} by {stopped.By} at {stopped.UpdatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC: every phase before it committed with its position, so {where}."), []);
        }

        if (resumeFrom is null)
        {
            var uncertain = Math.Min(stopped.Done, statements.Count - 1);
            var at = statements[uncertain];
            return ApplyPlan.Refused([RunDiagnostics.Interrupted(migration.File.FullPath, at.Line, at.Column, migration.File.FileName,
                stopped.UpdatedAt, stopped.By, ran, uncertain + 1, at.Line, changed)]);
        }

        if (resumeFrom is not { } from || from < 1 || from > statements.Count + 1 || migration != pending[0])
        {
            return ApplyPlan.Refused([RunDiagnostics.ResumeOutOfRange(migration.File.FullPath, migration.File.FileName, resumeFrom, statements.Count, stopped.Done + 1)]);
        }

        return new ApplyPlan(pending, new ResumePoint(migration, from - 1, $"Resuming {migration.File.FileName} at statement {from} of {statements.Count}; {ran}{changed}"), []);
    }

    /// <summary>
    /// The migrations down rolls back: the last applied one, or <paramref name="target"/> and every applied migration
    /// after it, newest first. Refused when the journal is another folder's, the target is not applied, a target's
    /// file is gone, or a target's rollback is "Not recommended" and <paramref name="force"/> is off.
    /// </summary>
    public static RollbackPlan Rollback(MigrationFolder folder, IReadOnlyList<JournalRow> applied, string? target, bool force)
    {
        if (JournalCheck.Foreign(folder, applied) is { } foreign)
        {
            return new RollbackPlan([], [foreign]);
        }

        var newestFirst = applied.Select(a => a.Name).OrderDescending(StringComparer.Ordinal).ToList();
        var name = target is null ? null : MigrationReference.Resolve(target, newestFirst);
        if (target is not null && name is null)
        {
            return new RollbackPlan([], [RunDiagnostics.NotApplied(target, newestFirst)]);
        }

        var names = name is null ? newestFirst.Take(1) : newestFirst.TakeWhile(n => string.CompareOrdinal(n, name) >= 0);
        var files = folder.Migrations.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var targets = new List<ValidatedMigration>();
        foreach (var victim in names)
        {
            if (!files.TryGetValue(victim, out var migration) || migration.Doc is null)
            {
                return new RollbackPlan([], [RunDiagnostics.RollbackOfMissingFile(folder.PathOf(victim), victim)]);
            }

            if (migration.Doc.IsRollbackNotRecommended && !force)
            {
                return new RollbackPlan([], [RunDiagnostics.RollbackNotRecommended(folder.ReadmePath, migration.Doc.HeadingLine, victim, migration.Doc.NotRecommendedReason)]);
            }

            targets.Add(migration);
        }

        return new RollbackPlan(targets, []);
    }

    /// <summary>
    /// What adopt records: every file drizzle-orm applied (matched by hash) that this tool's journal lacks. Refused,
    /// with every reason in one diagnostic, when a file is edited or skipped, a row matches no file, or no file
    /// matches at all (the wrong folder or the wrong database), or when this tool's journal disagrees with the folder.
    /// </summary>
    public static AdoptPlan Adopt(MigrationFolder folder, IReadOnlyList<JournalRow> applied, (string Table, IReadOnlyList<DrizzleRow> Rows) drizzle)
    {
        var problems = JournalCheck.Problems(folder, applied);
        if (problems.Count > 0)
        {
            return new AdoptPlan([], problems);
        }

        if (folder.DrizzleKit is null)
        {
            return new AdoptPlan([], [RunDiagnostics.NotADrizzleKitFolder(folder.Directory)]);
        }

        var match = DrizzleMatch.Of(folder.Migrations, folder.DrizzleKit, drizzle.Rows, drizzle.Table);
        var reasons = match.RowProblems.Where(p => p.StopsAdoption).Select(p => $"{p.What} (fix: {p.Fix})").ToList();
        Name(DrizzleFileState.Edited, "edited after drizzle-orm applied it");
        Name(DrizzleFileState.Skipped, "skipped by drizzle-orm (older than its newest row, never applied)");
        if (match.UnknownRows.Count > 0)
        {
            reasons.Add($"{match.UnknownRows.Count} row(s) match no file (ids {string.Join(", ", match.UnknownRows.Select(r => r.Id).Take(10))})");
        }

        if (!match.Files.Any(f => f.State == DrizzleFileState.Applied))
        {
            reasons.Add("no file of this folder is applied there");
        }

        if (reasons.Count > 0)
        {
            return new AdoptPlan([], [RunDiagnostics.AdoptionRefused(folder.Directory, drizzle.Table, reasons)]);
        }

        var known = applied.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        return new AdoptPlan(match.Files.Where(f => f.State == DrizzleFileState.Applied && !known.Contains(f.Migration.Name)).ToList(), []);

        void Name(DrizzleFileState state, string what)
        {
            var files = match.Files.Where(f => f.State == state).Select(f => f.Migration.File.FileName).ToList();
            if (files.Count > 0)
            {
                reasons.Add($"{string.Join(", ", files)} {(files.Count == 1 ? "is" : "are")} {what}");
            }
        }
    }

    /// <summary>
    /// What baseline records: 0000 to <paramref name="to"/>, and every object they create (minus what a later one in
    /// the range drops), each with the migration that creates it, for the catalog check. Refused when
    /// <paramref name="to"/> names no migration or the journal already lists one.
    /// </summary>
    public static BaselinePlan Baseline(MigrationFolder folder, IReadOnlyList<JournalRow> applied, string to)
    {
        var migrations = folder.Migrations;
        if (MigrationReference.Resolve(to, migrations.Select(m => m.Name)) is not { } target)
        {
            return BaselinePlan.Refused(RunDiagnostics.BaselineTargetUnknown(folder.Directory, to,
                migrations.Count == 0 ? "none" : migrations[0].Name, migrations.Count == 0 ? "none" : migrations[^1].Name));
        }

        if (applied.Count > 0)
        {
            return BaselinePlan.Refused(RunDiagnostics.BaselineOnJournal(folder.Journal, applied.Count));
        }

        var range = migrations.TakeWhile(m => string.CompareOrdinal(m.Name, target) <= 0).ToList();
        var objects = new List<SchemaObject>();
        var creators = new Dictionary<SchemaObject, ValidatedMigration>(ReferenceEqualityComparer.Instance);
        foreach (var migration in range)
        {
            foreach (var created in CreatedObjects.Apply(objects, migration.Script).Where(o => !creators.ContainsKey(o)))
            {
                creators[created] = migration;
            }
        }

        return new BaselinePlan(range, objects.Select(o => (o, creators[o])).ToList(), []);
    }

    /// <summary>The folder against drizzle-orm's journal, when the database has one and the folder is drizzle-kit's.</summary>
    public static DrizzleMatch? Drizzle(MigrationFolder folder, (string Table, IReadOnlyList<DrizzleRow> Rows)? drizzle) =>
        drizzle is { } table && folder.DrizzleKit is { } journal ? DrizzleMatch.Of(folder.Migrations, journal, table.Rows, table.Table) : null;

    // A migration applied in phases records its position in the same transaction as each phase's work, so a stop
    // there is exact and up goes on by itself; only inside a non-transactional statement is the position uncertain.
    private static bool ResumesByItself(ValidatedMigration migration, ProgressRow stopped) =>
        migration.Backfills.Count > 0 && stopped.Hash == migration.Hash && MigrationPhases.IsExact(migration, stopped.Done);

    /// <summary>Statement line numbers for a message, shortened when there are many.</summary>
    public static string Lines(IEnumerable<int> lines)
    {
        var list = lines.ToList();
        return list.Count <= 8 ? string.Join(", ", list) : $"{string.Join(", ", list.Take(6))}, ..., {list[^1]}";
    }
}
