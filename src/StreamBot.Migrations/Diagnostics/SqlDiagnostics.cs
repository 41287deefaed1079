namespace StreamBot.Migrations.Diagnostics;

/// <summary>
/// The messages of the SBM2xxx codes: the SQL inside a migration file. The lexer's problems are built before the file
/// is known (the same script may be a README block), so those take only a position; the file is set when reported.
/// </summary>
internal static class SqlDiagnostics
{
    public static Diagnostic UnterminatedBlockComment(int line, int column) =>
        DiagnosticCatalog.UnterminatedBlockComment.At(string.Empty, line, column,
            "This /* comment is never closed, so everything after it is part of the comment.",
            "Close it with */ (comments nest: every /* needs its own */).");

    public static Diagnostic UnterminatedString(int line, int column, bool backslashEscapes) =>
        DiagnosticCatalog.UnterminatedString.At(string.Empty, line, column,
            "This string literal is never closed, so the rest of the file is inside it.",
            backslashEscapes
                ? "Close it with a quote; in E'' strings (or with standard_conforming_strings off) \\' is an escaped quote, not the end."
                : "Close it with a quote; write a quote inside a string as ''.");

    public static Diagnostic UnterminatedQuotedIdentifier(int line, int column) =>
        DiagnosticCatalog.UnterminatedQuotedIdentifier.At(string.Empty, line, column,
            "This quoted identifier is never closed.",
            "Close it with a double quote; write a double quote inside an identifier as \"\".");

    public static Diagnostic UnterminatedDollarQuote(int line, int column, string delimiter) =>
        DiagnosticCatalog.UnterminatedDollarQuote.At(string.Empty, line, column,
            $"This dollar-quoted string opened with {delimiter} is never closed.",
            $"Close it with the same delimiter, {delimiter}; the tag must match exactly, case included.");

    public static Diagnostic PsqlMetaCommand(int line, int column, string command) =>
        DiagnosticCatalog.PsqlMetaCommand.At(string.Empty, line, column,
            $"'{command}' is a psql meta-command; the migration runner sends SQL to the server, which would reject it.",
            "Remove it and write the equivalent SQL (a backslash is only valid inside a string or a dollar-quoted body).");

    public static Diagnostic ByteOrderMark(string path) =>
        DiagnosticCatalog.ByteOrderMark.At(path, 1, 1,
            "The file starts with a UTF-8 byte order mark. This tool skips it, but psql sends it to the server, which rejects the first statement.",
            "Save the file as UTF-8 without BOM.");

    public static Diagnostic EmptyMigration(string path, bool fileIsEmpty) =>
        DiagnosticCatalog.EmptyMigration.AtFile(path,
            fileIsEmpty ? "The migration file is empty." : "The migration file holds only comments and whitespace.",
            "Write the migration's SQL, or delete the file and renumber (with its README section) if it is not needed.");

    public static Diagnostic TransactionControl(string path, int line, int column) =>
        DiagnosticCatalog.TransactionControl.At(path, line, column,
            "Transaction control statements (BEGIN, COMMIT, ROLLBACK, ...) break the runner's guarantee that each migration is applied wholly or not at all.",
            "Remove them: every migration already runs in its own transaction.");

    public static Diagnostic NonTransactional(string path, int line, int column, string statementKind) =>
        DiagnosticCatalog.NonTransactional.At(path, line, column,
            $"{statementKind} cannot run inside a transaction block, so this migration will run statement by statement without one: a failure half-way leaves it partly applied.",
            "Keep such statements in a migration of their own, and make them idempotent (e.g. IF NOT EXISTS) so a re-run can finish the job.");

    public static Diagnostic MissingFinalSemicolon(string path, int line, int column) =>
        DiagnosticCatalog.MissingFinalSemicolon.At(path, line, column,
            "The last statement has no terminating semicolon.",
            "End it with ';' so that appending a statement later cannot merge the two.");

    public static Diagnostic InvalidUtf8(string path, int line, int column, byte value, int offset) =>
        DiagnosticCatalog.InvalidUtf8.At(path, line, column,
            $"The file is not valid UTF-8: byte 0x{value:X2} at offset {offset} does not start a UTF-8 character.",
            "Re-save the file as UTF-8 (PostgreSQL and psql read migrations as UTF-8).");

    public static Diagnostic NulCharacter(string path, int line, int column, int offset) =>
        DiagnosticCatalog.NulCharacter.At(path, line, column,
            $"The file holds a NUL character (byte 0x00 at offset {offset}); PostgreSQL refuses it in SQL text.",
            "Remove it; write binary data as a bytea literal such as '\\x00'::bytea or with decode().");

    public static Diagnostic Placeholder(string path, int line, int column, string text) =>
        DiagnosticCatalog.SqlPlaceholder.At(path, line, column,
            $"This migration is not finished: '{text}'.",
            "Write what the placeholder asks for and remove the marker; the build fails until every TODO(streambot) is gone.");
}
