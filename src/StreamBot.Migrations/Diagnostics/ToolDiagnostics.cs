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

    /// <summary>A report file (SARIF, HTML) a build or command was asked to write and could not.</summary>
    public static Diagnostic ReportNotWritten(string path, string kind, string reason, string setting) =>
        DiagnosticCatalog.ReportNotWritten.AtFile(path, $"The {kind} cannot be written: {reason}", $"Point {setting} at a writable path.");

    public static Diagnostic DocsUrlInvalid(string value, string setting) =>
        DiagnosticCatalog.BadCommandLine.AtFile(ConnectionDiagnostics.Tool,
            $"{setting} '{value}' is not an absolute http(s) or file URL", "Set it to where docs/diagnostics.md is published, or leave it out.");
}
