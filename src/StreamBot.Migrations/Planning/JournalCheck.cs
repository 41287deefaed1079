using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Planning;

/// <summary>
/// Whether the journal and the folder describe the same database, as every problem at once: applied migrations whose
/// files are gone, files changed since they were applied, pending files older than an applied one. When most of the
/// journal is unknown to the folder, the journal is most likely another service's (two services, one database): then
/// the one problem is that, and nothing suggests deleting rows that are not this folder's to delete.
/// </summary>
internal static class JournalCheck
{
    public static List<Diagnostic> Problems(MigrationFolder folder, IReadOnlyList<JournalRow> applied)
    {
        if (Foreign(folder, applied) is { } foreign)
        {
            return [foreign];
        }

        var problems = applied.Where(row => !folder.Contains(row.Name))
            .Select(row => RunDiagnostics.AppliedFileMissing(folder.PathOf(row.Name), row.Name, folder.Journal)).ToList();
        var byName = applied.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var newestApplied = applied.Where(a => folder.Contains(a.Name)).Select(a => a.Name).DefaultIfEmpty(string.Empty).Max(StringComparer.Ordinal)!;
        foreach (var migration in folder.Migrations)
        {
            if (byName.TryGetValue(migration.Name, out var row))
            {
                if (row.Hash != migration.Hash)
                {
                    problems.Add(RunDiagnostics.ChecksumMismatch(migration.File.FullPath, migration.File.FileName, row.AppliedAt, row.AppliedBy, row.Hash, migration.Hash));
                }
            }
            else if (string.CompareOrdinal(newestApplied, migration.Name) > 0)
            {
                var newer = applied.Where(a => folder.Contains(a.Name) && string.CompareOrdinal(a.Name, migration.Name) > 0).Select(a => a.Name).First();
                problems.Add(RunDiagnostics.OutOfOrder(migration.File.FullPath, migration.File.FileName, newer));
            }
        }

        return problems;
    }

    /// <summary>The problem when most of the journal is unknown to the folder (another service's journal), else null.</summary>
    public static Diagnostic? Foreign(MigrationFolder folder, IReadOnlyList<JournalRow> applied)
    {
        var unknown = applied.Where(a => !folder.Contains(a.Name)).Select(a => a.Name).ToList();
        // One or two missing files is a local mistake; most of the journal unknown is a different folder.
        if (unknown.Count == 0 || unknown.Count * 2 <= applied.Count)
        {
            return null;
        }

        var parent = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(folder.Directory).TrimEnd('/', '\\')));
        var suggestion = parent is { Length: > 0 }
            ? new string(parent.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray()) + "_migrations"
            : "my_service_migrations";
        return RunDiagnostics.ForeignJournal(folder.Directory, folder.Journal, applied.Count, unknown, folder.FileCount, suggestion);
    }
}
