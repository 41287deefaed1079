using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// Whether the journal and the folder describe the same database, as every problem at once: applied migrations whose
/// files are gone, files changed since they were applied, pending files older than an applied one. When most of the
/// journal is unknown to the folder, the journal is most likely another service's (two services, one database): then
/// the one problem is that, and nothing suggests deleting rows that are not this folder's to delete.
/// </summary>
internal static class JournalCheck
{
    public static List<Diagnostic> Problems(string directory, IReadOnlyList<LoadedMigration> migrations, IReadOnlyList<AppliedMigration> applied, QualifiedName journal)
    {
        var files = migrations.ToDictionary(m => m.Name, StringComparer.Ordinal);
        if (Foreign(directory, files.Keys.ToHashSet(StringComparer.Ordinal), applied, journal) is { } foreign)
        {
            return [foreign];
        }

        var missing = applied.Where(a => !files.ContainsKey(a.Name)).ToList();
        var problems = missing.Select(row => DiagnosticCatalog.AppliedFileMissing.AtFile(Path.Combine(directory, row.Name + ".sql"),
            $"{row.Name} is applied (journal {journal}) but its file is missing, so the folder no longer describes the database. Nothing was changed.",
            "Restore the file from version control. If the migration was rolled back by hand, delete its journal row; if another service migrates this database too, give this folder its own journal (--journal-table).")).ToList();
        var byName = applied.ToDictionary(a => a.Name, StringComparer.Ordinal);
        foreach (var migration in migrations)
        {
            if (byName.TryGetValue(migration.Name, out var row))
            {
                if (row.Hash != migration.Hash)
                {
                    problems.Add(DiagnosticCatalog.ChecksumMismatch.AtFile(migration.File.FullPath,
                        $"{migration.File.FileName} changed after it was applied on {row.AppliedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC by {row.AppliedBy} (journal SHA-256 {Prefix(row.Hash)}, file {Prefix(migration.Hash)}). Nothing was changed.",
                        "Revert the file to what was applied (git log -p on it) and put the change in a new migration."));
                }

                continue;
            }

            var newerApplied = applied.Where(a => files.ContainsKey(a.Name) && string.CompareOrdinal(a.Name, migration.Name) > 0).Select(a => a.Name).FirstOrDefault();
            if (newerApplied is not null)
            {
                problems.Add(DiagnosticCatalog.OutOfOrder.AtFile(migration.File.FullPath,
                    $"{migration.File.FileName} is pending, but the newer {newerApplied} is already applied; applying it now would run migrations out of order. Nothing was changed.",
                    "Renumber it after the last applied migration (and rename its README section)."));
            }
        }

        return problems;
    }

    /// <summary>The problem when most of the journal is unknown to the folder (another service's journal), else null.</summary>
    public static Diagnostic? Foreign(string directory, IReadOnlySet<string> fileNames, IReadOnlyList<AppliedMigration> applied, QualifiedName journal)
    {
        var fileCount = fileNames.Count;
        var missing = applied.Where(a => !fileNames.Contains(a.Name)).ToList();
        if (!IsForeign(applied.Count, missing.Count))
        {
            return null;
        }

        var examples = string.Join(", ", missing.Take(3).Select(m => m.Name)) + (missing.Count > 3 ? ", ..." : string.Empty);
        var suggestion = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(directory).TrimEnd('/', '\\'))) is { Length: > 0 } parent
            ? new string(parent.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray()) + "_migrations"
            : "my_service_migrations";
        return DiagnosticCatalog.ForeignJournal.AtFile(directory,
            $"The journal {journal} lists {applied.Count} applied migration(s), and {missing.Count} of them ({examples}) are not in this folder, which has {fileCount}: it most likely belongs to another service's migrations on the same database. Nothing was changed, and none of its rows should be deleted.",
            $"Give this folder a journal of its own: --journal-table {suggestion} (-p:MigrationsJournalTable={suggestion}). If this folder really is the one that wrote it, restore the missing files from version control.");
    }

    // Most of the journal unknown to the folder: one or two missing files is a local mistake, most of them is a
    // different folder.
    private static bool IsForeign(int appliedCount, int missingCount) => missingCount > 0 && missingCount * 2 > appliedCount;

    // The journal's hash is whatever someone wrote there: it may be shorter than a prefix.
    private static string Prefix(string hash) => hash.Length > 12 ? hash[..12] + "..." : hash;
}
