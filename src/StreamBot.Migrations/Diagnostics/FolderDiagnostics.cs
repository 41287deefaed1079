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
}
