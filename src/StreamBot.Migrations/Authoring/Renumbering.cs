using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Discovery;

namespace StreamBot.Migrations.Authoring;

/// <summary>A migration renumber moves: from its file to its new name (without .sql).</summary>
/// <param name="From">The file as it is.</param>
/// <param name="NewName">Its new name, the next free number and the same description.</param>
public sealed record RenumberMove(MigrationFile From, string NewName);

/// <summary>
/// Plans the fix for two branches that each added "the next" migration: of the files sharing a number, the one applied
/// (in the configured database's journal) stays, or else the oldest by when it was added; each other moves to the next
/// free number. A number shared by two applied migrations cannot be fixed by renaming files: that is refused.
/// </summary>
public static class Renumbering
{
    /// <summary>The moves, in order, or the problems that forbid them.</summary>
    /// <param name="migrations">The folder's migrations.</param>
    /// <param name="applied">Names the configured database's journal lists (empty without a database).</param>
    /// <param name="addedAt">When a file was added (git history, else its modification time).</param>
    public static (IReadOnlyList<RenumberMove> Moves, IReadOnlyList<Diagnostic> Problems) Plan(
        IReadOnlyList<MigrationFile> migrations, IReadOnlySet<string> applied, Func<MigrationFile, DateTimeOffset> addedAt)
    {
        var moves = new List<RenumberMove>();
        var problems = new List<Diagnostic>();
        var next = MigrationDiscovery.NextNumber(migrations);
        foreach (var group in migrations.GroupBy(m => m.Number).Where(g => g.Count() > 1).OrderBy(g => g.Key))
        {
            var files = group.ToList();
            var appliedHere = files.Where(f => applied.Contains(f.Name)).ToList();
            if (appliedHere.Count > 1)
            {
                problems.Add(ToolDiagnostics.AuthoringRefused(appliedHere[1].FullPath,
                    $"{string.Join(" and ", appliedHere.Select(f => f.FileName))} share the number {group.Key:D4} and are both applied, so renaming either would make the journal name a file that no longer exists.",
                    "Leave both files as they are; fix the numbering by hand together with the journal rows, or restore from a backup."));
                continue;
            }

            var keep = appliedHere.SingleOrDefault() ?? files.OrderBy(addedAt).ThenBy(f => f.FileName, StringComparer.Ordinal).First();
            foreach (var file in files.Where(f => f != keep).OrderBy(addedAt).ThenBy(f => f.FileName, StringComparer.Ordinal))
            {
                var description = file.Name[5..];
                moves.Add(new RenumberMove(file, $"{next++:D4}_{description}"));
            }
        }

        return (moves, problems);
    }

    /// <summary>
    /// The files, README sections and drizzle-kit journal entries the moves rename, with a line per move; with
    /// <paramref name="dryRun"/> the lines only (nothing to apply).
    /// </summary>
    public static FolderChanges Changes(string directory, IReadOnlyList<RenumberMove> moves, bool dryRun)
    {
        var changes = new FolderChanges();
        if (moves.Count == 0)
        {
            return changes.Say("No two migrations share a number: nothing to renumber.");
        }

        var readmePath = Path.Combine(directory, MigrationDiscovery.ReadmeFileName);
        var journalPath = Path.Combine(directory, DrizzleJournalEdit.RelativePath);
        var readme = File.Exists(readmePath) ? File.ReadAllText(readmePath) : null;
        var journal = File.Exists(journalPath) ? File.ReadAllText(journalPath) : null;
        foreach (var move in moves)
        {
            readme = readme is null ? null : ReadmeEdit.RenameSection(readme, move.From.FileName, move.NewName + ".sql") ?? readme;
            journal = journal is null ? null : DrizzleJournalEdit.Move(journal, move.From.Name, MigrationDiscovery.NumberOf(move.NewName), move.NewName);
            changes.Say($"{(dryRun ? "Would move" : "Moved")} {move.From.FileName} to {move.NewName}.sql (with its README section{(journal is null ? string.Empty : " and journal entry")}).");
            if (!dryRun)
            {
                changes.Move(move.From.FullPath, Path.Combine(directory, move.NewName + ".sql"));
            }
        }

        if (!dryRun && readme is not null)
        {
            changes.Write(readmePath, readme);
        }

        if (!dryRun && journal is not null)
        {
            changes.Write(journalPath, journal);
        }

        return changes;
    }
}
