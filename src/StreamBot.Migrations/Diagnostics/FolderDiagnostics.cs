namespace StreamBot.Migrations.Diagnostics;

/// <summary>The messages of the SBM1xxx codes: the migrations folder and its file names.</summary>
internal static class FolderDiagnostics
{
    public static Diagnostic DirectoryNotFound(string directory) =>
        DiagnosticCatalog.DirectoryNotFound.AtFile(directory,
            $"The migrations directory '{directory}' does not exist.",
            "Create it, or point MigrationsDirectory (streambot-migrate: --dir) at the folder that holds the NNNN_name.sql files.");

    public static Diagnostic InvalidFileName(string path, string suggestion) =>
        DiagnosticCatalog.InvalidFileName.AtFile(path,
            $"'{Path.GetFileName(path)}' is not a valid migration file name: names are four digits, an underscore and a lower-case snake_case description, ending in .sql.",
            suggestion);

    public static Diagnostic DirectoryNamedLikeMigration(string path) =>
        DiagnosticCatalog.FileUnreadable.AtFile(path,
            $"'{Path.GetFileName(path)}' is a directory, not a migration file.",
            "Move what it holds out of the migrations folder, or rename it so it does not end in .sql.");

    public static Diagnostic FileUnreadable(string path, Exception error) =>
        DiagnosticCatalog.FileUnreadable.AtFile(path,
            $"The file cannot be read ({error.Message.TrimEnd('.')}).",
            "Check that it exists, is a regular file and is readable by the user running the build.");

    public static Diagnostic NoMigrations(string directory) =>
        DiagnosticCatalog.NoMigrations.AtFile(directory,
            $"The migrations directory '{directory}' holds no NNNN_name.sql files.",
            "Add 0000_initial_schema.sql, or check that MigrationsDirectory points at the right folder.");

    public static Diagnostic FirstNumberNotZero(string path, string fileName) =>
        DiagnosticCatalog.FirstNumberNotZero.AtFile(path,
            $"The first migration is {fileName}, but numbering starts at 0000.",
            $"Renumber the migrations from 0000, or restore the missing files before {fileName}.");

    public static Diagnostic DuplicateNumber(string path, string fileName, string otherFileName, int number) =>
        DiagnosticCatalog.DuplicateNumber.AtFile(path,
            $"{fileName} and {otherFileName} share the number {number:D4}.",
            "Give the newer migration the next free number (and rename its README section); two files must never share one.");

    public static Diagnostic NumberingGap(string path, string previousFileName, int previousNumber, string fileName, int number)
    {
        var missing = number - previousNumber == 2 ? $"{previousNumber + 1:D4} is" : $"{previousNumber + 1:D4} to {number - 1:D4} are";
        return DiagnosticCatalog.NumberingGap.AtFile(path,
            $"Numbering has a gap: {missing} missing between {previousFileName} and {fileName}.",
            $"Renumber {fileName} (and the files after it) to close the gap, or restore the missing migration.");
    }

    private const string RenumberHint =
        "After a merge of two branches that each generated a migration: give the newer one the next free number (file, README section and tag), then its entry the next idx and a \"when\" later than the entry before it.";

    public static Diagnostic DrizzleJournalMalformed(string path, int line, int column, string problem) =>
        DiagnosticCatalog.DrizzleJournalMalformed.At(path, line, column,
            $"meta/_journal.json cannot be read as drizzle-kit's journal: {problem}. drizzle-orm's migrator would fail on it too.",
            "Fix the JSON (a merge conflict left in it is the usual cause), or regenerate it with drizzle-kit.");

    public static Diagnostic DrizzleFileWithoutEntry(string migrationPath, string fileName, string journalPath) =>
        DiagnosticCatalog.DrizzleFileWithoutEntry.AtFile(migrationPath,
            $"{fileName} has no entry in {journalPath}, so drizzle-orm's migrator never applies it.",
            "Add an entry with its tag, the next idx and a \"when\" later than the last one (drizzle-kit generate writes it).");

    public static Diagnostic DrizzleEntryWithoutFile(string journalPath, int line, string tag) =>
        DiagnosticCatalog.DrizzleEntryWithoutFile.At(journalPath, line, 1,
            $"The journal lists {tag}, but there is no {tag}.sql in the migrations folder; drizzle-orm's migrator stops on it.",
            "Restore the file, or remove the entry (and renumber the idx of the entries after it).");

    public static Diagnostic DrizzleEntryDuplicated(string journalPath, int line, string tag, int firstLine) =>
        DiagnosticCatalog.DrizzleJournalOutOfSequence.At(journalPath, line, 1,
            $"The journal lists {tag} twice: here and on line {firstLine}.",
            "Remove one of the two entries. " + RenumberHint);

    public static Diagnostic DrizzleIndexOutOfSequence(string journalPath, int line, string tag, int index, int expected) =>
        DiagnosticCatalog.DrizzleJournalOutOfSequence.At(journalPath, line, 1,
            $"The entry of {tag} has idx {index} where {expected} comes next: entries must run 0, 1, 2, ... in file order.",
            RenumberHint);

    public static Diagnostic DrizzleWhenNotIncreasing(string journalPath, int line, string tag, long when, string previousTag, long previousWhen) =>
        DiagnosticCatalog.DrizzleWhenNotIncreasing.At(journalPath, line, 1,
            $"The entry of {tag} has \"when\" {when}, not later than {previousWhen} of {previousTag} before it. drizzle-orm applies a file only when its \"when\" is newer than the newest applied one, so on a database that has {previousTag} it would skip {tag} silently.",
            RenumberHint);
}
