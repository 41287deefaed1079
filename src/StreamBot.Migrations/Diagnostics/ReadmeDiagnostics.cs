namespace StreamBot.Migrations.Diagnostics;

/// <summary>The messages of the SBM3xxx codes: migrations/README.md and the rollback documentation in it.</summary>
internal static class ReadmeDiagnostics
{
    private const string RollbackForms =
        "\"**Rollback Procedure**:\" with a ```sql block and \"**Rollback Risk**: LOW|MEDIUM|HIGH - why\", or \"**Rollback**: Not recommended - reason\"";

    public static Diagnostic ReadmeMissing(string readmePath) =>
        DiagnosticCatalog.ReadmeMissing.AtFile(readmePath,
            "The migrations directory has no README.md, so no migration has a documented rollback.",
            "Create README.md with a \"### NNNN_name.sql\" section per migration (Status, Purpose, Date, Changes and a rollback).");

    public static Diagnostic SectionMissing(string migrationPath, string fileName, string readmePath) =>
        DiagnosticCatalog.SectionMissing.AtFile(migrationPath,
            $"{fileName} has no \"### {fileName}\" section in README.md, so it has no documented rollback.",
            $"Add the section to {readmePath} with Status, Purpose, Date, Changes and a Rollback Procedure (or \"Rollback: Not recommended - reason\").");

    public static Diagnostic OrphanSection(string readmePath, int line, string title, string? fileWithSameNumber) =>
        DiagnosticCatalog.OrphanSection.At(readmePath, line, 1,
            $"README.md documents {title}, but there is no such file in the migrations directory.",
            fileWithSameNumber is null
                ? "Remove the section, or restore the migration file it documents."
                : $"The file with that number is {fileWithSameNumber}: rename the heading to match it exactly.");

    public static Diagnostic DuplicateSection(string readmePath, int line, string title, int firstLine) =>
        DiagnosticCatalog.DuplicateSection.At(readmePath, line, 1,
            $"{title} is documented twice: here and on line {firstLine}.",
            "Merge the two sections into one; the rollback runner must know which procedure is the real one.");

    public static Diagnostic FieldMissing(string readmePath, int line, string label, bool present) =>
        DiagnosticCatalog.FieldMissing.At(readmePath, line, 1,
            present ? $"The **{label}** field is empty." : $"This section has no **{label}** field.",
            $"Add \"**{label}**: ...\" under the heading; every migration section needs Status, Purpose, Date and Changes.");

    public static Diagnostic DateMissing(string readmePath, int line) =>
        DiagnosticCatalog.InvalidDate.At(readmePath, line, 1,
            "This section has no **Date** field.",
            "Add \"**Date**: YYYY-MM-DD\" with the day the migration was written.");

    public static Diagnostic InvalidDate(string readmePath, int line, string value) =>
        DiagnosticCatalog.InvalidDate.At(readmePath, line, 1,
            $"'{value}' is not an ISO date.",
            "Write the date as YYYY-MM-DD, for example 2025-11-15.");

    public static Diagnostic RollbackMissing(string readmePath, int line, string title) =>
        DiagnosticCatalog.RollbackMissing.At(readmePath, line, 1, $"{title} documents no rollback.", $"Add {RollbackForms}.");

    public static Diagnostic RollbackBlockMissing(string readmePath, int line, string title, string? blockInfo) =>
        DiagnosticCatalog.RollbackBlockMissing.At(readmePath, line, 1,
            blockInfo is null
                ? $"The Rollback Procedure of {title} has no code block."
                : $"The Rollback Procedure's code block is marked '{blockInfo}', not sql.",
            "Put the rollback SQL in a fenced block that opens with ```sql, right under \"**Rollback Procedure**:\".");

    public static Diagnostic RollbackBlockEmpty(string readmePath, int line, string title) =>
        DiagnosticCatalog.RollbackBlockEmpty.At(readmePath, line, 1,
            $"The rollback SQL block of {title} holds no statement.",
            "Write the SQL that undoes the migration, followed by verify queries such as \"SELECT ... ; -- Should return 0 rows\".");

    public static Diagnostic RollbackRiskInvalid(string readmePath, int line, string? value) =>
        DiagnosticCatalog.RollbackRiskInvalid.At(readmePath, line, 1,
            value is null ? "The Rollback Procedure has no **Rollback Risk**." : $"Rollback Risk '{value}' does not start with LOW, MEDIUM or HIGH.",
            "Add \"**Rollback Risk**: LOW|MEDIUM|HIGH - what the rollback loses\".");

    public static Diagnostic NotRecommendedWithoutReason(string readmePath, int line) =>
        DiagnosticCatalog.NotRecommendedWithoutReason.At(readmePath, line, 1,
            "The rollback is \"Not recommended\" but no reason is given.",
            "Say why after a dash, e.g. \"Not recommended - this is the foundation schema\".");

    public static Diagnostic RollbackConflict(string readmePath, int line, string title, int procedureLine) =>
        DiagnosticCatalog.RollbackConflict.At(readmePath, line, 1,
            $"{title} has both a Rollback Procedure (line {procedureLine}) and a Rollback field.",
            "Keep one: a Rollback Procedure with its SQL, or \"**Rollback**: Not recommended - reason\".");

    public static Diagnostic RollbackTransactionControl(string readmePath, int line, int column) =>
        DiagnosticCatalog.RollbackNotTransactional.At(readmePath, line, column,
            "Rollback SQL must not control transactions: the rollback runs in one transaction of its own.",
            "Remove the BEGIN/COMMIT/ROLLBACK statements.");

    public static Diagnostic RollbackNotTransactional(string readmePath, int line, int column, string statementKind) =>
        DiagnosticCatalog.RollbackNotTransactional.At(readmePath, line, column,
            $"{statementKind} cannot run inside a transaction block, but a rollback runs in one transaction so that a failed verify undoes it.",
            "Use the non-concurrent form in the rollback (e.g. DROP INDEX without CONCURRENTLY).");

    public static Diagnostic NoVerifyQuery(string readmePath, int line, string title) =>
        DiagnosticCatalog.NoVerifyQuery.At(readmePath, line, 1,
            $"The rollback of {title} has no verify query, so nothing checks that it worked.",
            "Follow a query with its expected row count, e.g. \"SELECT indexname FROM pg_indexes WHERE indexname = '...';\" then \"-- Should return 0 rows\".");

    public static Diagnostic VerifyCommentWithoutCount(string readmePath, int line, string comment) =>
        DiagnosticCatalog.VerifyCommentWithoutCount.At(readmePath, line, 1,
            $"'-- {comment}' looks like a verify comment but gives no row count, so the query is not checked.",
            "Write the expected count, e.g. \"-- Should return 0 rows\".");

    public static Diagnostic FenceNotClosedBeforeSection(string readmePath, int openLine, int sectionLine, string marker) =>
        DiagnosticCatalog.UnterminatedFence.At(readmePath, openLine, 1,
            $"The code fence opened on line {openLine} is not closed before the section heading on line {sectionLine}.",
            $"Close it with a line holding only {marker} before the next section.");

    public static Diagnostic FenceNeverClosed(string readmePath, int openLine, string marker) =>
        DiagnosticCatalog.UnterminatedFence.At(readmePath, openLine, 1,
            $"The code fence opened on line {openLine} is never closed, so the rest of README.md is read as code.",
            $"Close it with a line holding only {marker}.");

    public static Diagnostic RollbackUnrecognized(string readmePath, int line, string value) =>
        DiagnosticCatalog.RollbackUnrecognized.At(readmePath, line, 1,
            $"\"**Rollback**: {value}\" is neither \"Not recommended\" with a reason nor a procedure.",
            "Write \"**Rollback**: Not recommended - reason\", or document \"**Rollback Procedure**:\" with a ```sql block.");

    public static Diagnostic Placeholder(string readmePath, int line, int column, string section, string text) =>
        DiagnosticCatalog.ReadmePlaceholder.At(readmePath, line, column,
            $"The README section of {section} is not finished: '{text}'.",
            "Write what the placeholder asks for (for a rollback step that cannot be derived, decide it and write the SQL, or say the rollback is \"Not recommended\" with why), and remove the marker.");
}
