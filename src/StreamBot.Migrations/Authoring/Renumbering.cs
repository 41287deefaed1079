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
        var next = migrations.Count == 0 ? 0 : migrations.Max(m => m.Number) + 1;
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
}
