namespace StreamBot.Migrations.Diagnostics;

/// <summary>The messages of the SBM0xxx and SBM9xxx codes: the command line and the tool itself.</summary>
internal static class ToolDiagnostics
{
    public static Diagnostic BadCommandLine(string problem) =>
        DiagnosticCatalog.BadCommandLine.AtFile(ConnectionDiagnostics.Tool, problem, "Run 'streambot-migrate --help' for usage.");

    public static Diagnostic FileNotFound(string path) =>
        DiagnosticCatalog.FileUnreadable.AtFile(path, "The file does not exist.", "Check the path.");

    /// <summary>A migration file that vanished or became unreadable between validation and use.</summary>
    public static Diagnostic FileVanished(string directory, string command, string reason, string outcome) =>
        DiagnosticCatalog.FileUnreadable.AtFile(directory,
            $"{command} stopped: a migration file cannot be read ({reason}). {outcome}",
            "Check the migrations directory and run again.");

    public static Diagnostic UnexpectedError(string command, string errorType, string message, string outcome, bool withStackTrace) =>
        DiagnosticCatalog.UnexpectedError.AtFile(ConnectionDiagnostics.Tool,
            $"{command} stopped on an unexpected {errorType}: {message}. {outcome}",
            withStackTrace
                ? "Please report this line, the stack trace below and the command you ran."
                : "Please report this line and the command you ran (with --verbose for the stack trace).");

    public static Diagnostic AuthoringRefused(string file, string problem, string hint) =>
        DiagnosticCatalog.AuthoringRefused.AtFile(file, problem, hint);
}
