namespace StreamBot.Migrations.Diagnostics;

/// <summary>
/// The messages of the SBM6xxx codes: statements that lock or rewrite a table the running bot uses, the
/// <c>-- streambot:</c> comments that tune or silence them, and the lint's own settings.
/// </summary>
internal static class SafetyDiagnostics
{
    private static string Allow(DiagnosticDescriptor rule) =>
        $"If it is safe here (an empty table, a maintenance window), say so on the statement: -- streambot:allow {rule.Code} because <reason>.";

    public static Diagnostic IndexNotConcurrent(string path, int line, int column, string table, bool unique) =>
        DiagnosticCatalog.IndexNotConcurrent.At(path, line, column,
            $"CREATE {(unique ? "UNIQUE " : string.Empty)}INDEX on the existing table {table} takes a SHARE lock: every INSERT, UPDATE and DELETE on {table} waits until the index is built.",
            $"Build it with CREATE {(unique ? "UNIQUE " : string.Empty)}INDEX CONCURRENTLY ... IF NOT EXISTS in a migration of its own (it cannot run in a transaction). {Allow(DiagnosticCatalog.IndexNotConcurrent)}");

    public static Diagnostic ConstraintNotValidMissing(string path, int line, int column, string table, string kind, string constraint) =>
        DiagnosticCatalog.ConstraintNotValidMissing.At(path, line, column,
            $"Adding {kind} {constraint} to the existing table {table} checks every row while holding {(kind == "FOREIGN KEY" ? "a SHARE ROW EXCLUSIVE lock on both tables (writes wait)" : "an ACCESS EXCLUSIVE lock (reads and writes wait)")}.",
            $"Add it with NOT VALID (a brief lock, new rows are checked at once), then ALTER TABLE {table} VALIDATE CONSTRAINT ... in a later migration: validation takes a lock that lets reads and writes go on. {Allow(DiagnosticCatalog.ConstraintNotValidMissing)}");

    public static Diagnostic ValidatedInSameTransaction(string path, int line, int column, string table, string constraint) =>
        DiagnosticCatalog.ValidatedInSameTransaction.At(path, line, column,
            $"{constraint} is added NOT VALID and validated in the same migration, whose one transaction keeps the ADD's ACCESS EXCLUSIVE lock on {table} while the validation scans it: NOT VALID gains nothing.",
            $"Move ALTER TABLE {table} VALIDATE CONSTRAINT {constraint} to the next migration. {Allow(DiagnosticCatalog.ValidatedInSameTransaction)}");

    public static Diagnostic UniqueWithoutIndex(string path, int line, int column, string table, string kind) =>
        DiagnosticCatalog.UniqueWithoutIndex.At(path, line, column,
            $"ADD {kind} on the existing table {table} builds its index under an ACCESS EXCLUSIVE lock: the table can be neither read nor written until it is built.",
            $"Build a unique index first with CREATE UNIQUE INDEX CONCURRENTLY (its own migration), then ADD CONSTRAINT ... {kind} USING INDEX that_index, which only renames it. {Allow(DiagnosticCatalog.UniqueWithoutIndex)}");

    public static Diagnostic ColumnTypeRewrite(string path, int line, int column, string table, string columnName, string? from, string to, bool hasUsing) =>
        DiagnosticCatalog.ColumnTypeRewrite.At(path, line, column,
            hasUsing
                ? $"ALTER COLUMN {columnName} TYPE {to} USING ... rewrites every row of {table} and its indexes under an ACCESS EXCLUSIVE lock."
                : from is null
                    ? $"ALTER COLUMN {columnName} TYPE {to} on {table}: the column's current type is not created by this folder, so whether this rewrites the table (under an ACCESS EXCLUSIVE lock) cannot be told; most type changes do."
                    : $"ALTER COLUMN {columnName} TYPE {to} on {table} (now {from}) rewrites every row and its indexes under an ACCESS EXCLUSIVE lock.",
            $"Add a new column of the new type, backfill it in batches, switch the application over, then drop the old column. Widening varchar(n) to a larger n, to varchar or to text, and raising numeric's precision, do not rewrite. {Allow(DiagnosticCatalog.ColumnTypeRewrite)}");

    public static Diagnostic SetNotNullScans(string path, int line, int column, string table, string columnName, bool serverUsesCheck) =>
        DiagnosticCatalog.SetNotNullScans.At(path, line, column,
            $"SET NOT NULL on {table}.{columnName} scans the whole table under an ACCESS EXCLUSIVE lock{(serverUsesCheck ? ", because no validated CHECK (" + columnName + " IS NOT NULL) is there first" : string.Empty)}.",
            serverUsesCheck
                ? $"First ADD CONSTRAINT ... CHECK ({columnName} IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT NULL (PostgreSQL 12+ skips the scan) and drop the CHECK. {Allow(DiagnosticCatalog.SetNotNullScans)}"
                : $"Before PostgreSQL 12 nothing avoids the scan: keep the CHECK (... IS NOT NULL) constraint instead of SET NOT NULL. {Allow(DiagnosticCatalog.SetNotNullScans)}");

    public static Diagnostic VolatileDefault(string path, int line, int column, string table, string columnName, string what) =>
        DiagnosticCatalog.VolatileDefault.At(path, line, column,
            $"ADD COLUMN {columnName} to the existing table {table} with {what} rewrites every row under an ACCESS EXCLUSIVE lock.",
            $"Add the column without it (or with a constant default), then backfill in batches and set the default afterwards. {Allow(DiagnosticCatalog.VolatileDefault)}");

    public static Diagnostic Rename(string path, int line, int column, string what) =>
        DiagnosticCatalog.Rename.At(path, line, column,
            $"Renaming {what} breaks the running bot: its queries use the old name until the new version is deployed everywhere.",
            $"Add the new name beside the old one (a new column kept in step, or a view), move the application over, then drop the old name in a later migration. {Allow(DiagnosticCatalog.Rename)}");

    public static Diagnostic DropOutsideContract(string path, int line, int column, string what) =>
        DiagnosticCatalog.DropOutsideContract.At(path, line, column,
            $"{what} removes what the running version of the bot may still read or write: during a rolling update its requests fail until the last old instance is gone.",
            $"Stop using it in the app first, deploy that version, then drop it in a migration marked -- streambot:contract after <app>/<version> (up holds it until older versions have disconnected). {Allow(DiagnosticCatalog.DropOutsideContract)}");

    public static Diagnostic SetNotNullOutsideContract(string path, int line, int column, string table, string columnName) =>
        DiagnosticCatalog.SetNotNullOutsideContract.At(path, line, column,
            $"SET NOT NULL on {table}.{columnName}: the running version of the bot may still insert rows without it, and those inserts fail until the last old instance is gone.",
            $"Deploy the version that always writes {columnName} first, then add the constraint in a migration marked -- streambot:contract after <app>/<version>. {Allow(DiagnosticCatalog.SetNotNullOutsideContract)}");

    public static Diagnostic DestructiveWithoutHighRisk(string path, int line, int column, string what, string risk) =>
        DiagnosticCatalog.DestructiveWithoutHighRisk.At(path, line, column,
            $"{what} destroys data that no rollback can bring back, but the README gives this migration's Rollback Risk as {risk}.",
            $"Set its Rollback Risk to HIGH and say in the rollback procedure that the data comes back only from the backup. {Allow(DiagnosticCatalog.DestructiveWithoutHighRisk)}");

    public static Diagnostic TableRewriteCommand(string path, int line, int column, string command, string? alternative) =>
        DiagnosticCatalog.TableRewriteCommand.At(path, line, column,
            $"{command} holds an ACCESS EXCLUSIVE lock (or, for REINDEX, blocks every write) for as long as it rewrites or rebuilds: the bot stops on that table.",
            $"{alternative ?? "Run it by hand in a maintenance window, not in a migration."} {Allow(DiagnosticCatalog.TableRewriteCommand)}");

    public static Diagnostic NotNullWithoutDefault(string path, int line, int column, string table, string columnName) =>
        DiagnosticCatalog.NotNullWithoutDefault.At(path, line, column,
            $"ADD COLUMN {columnName} ... NOT NULL without a DEFAULT fails on the existing table {table} as soon as it has a row (the rehearsal's empty scratch database does not show it).",
            $"Add the column nullable, fill it in batches, add CHECK ({columnName} IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL; or give it a constant DEFAULT. {Allow(DiagnosticCatalog.NotNullWithoutDefault)}");

    public static Diagnostic DropIndexNotConcurrent(string path, int line, int column, string indexes) =>
        DiagnosticCatalog.DropIndexNotConcurrent.At(path, line, column,
            $"DROP INDEX {indexes} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table: every query on it waits behind the drop.",
            $"DROP INDEX CONCURRENTLY (in a migration of its own: it cannot run in a transaction). {Allow(DiagnosticCatalog.DropIndexNotConcurrent)}");

    public static Diagnostic StorageRewrite(string path, int line, int column, string table, string what) =>
        DiagnosticCatalog.StorageRewrite.At(path, line, column,
            $"ALTER TABLE {table} {what} rewrites the whole table under an ACCESS EXCLUSIVE lock (SET UNLOGGED also makes a crash empty it).",
            $"Do it in a maintenance window, or build the new table beside the old one and switch. {Allow(DiagnosticCatalog.StorageRewrite)}");

    public static Diagnostic SessionSetting(string path, int line, int column, string setting) =>
        DiagnosticCatalog.SessionSetting.At(path, line, column,
            $"This sets {setting} for the session, not for the migration: it would outlive the migration's transaction. The runner resets the session before each migration and before its own bookkeeping, so a later statement that relies on it elsewhere behaves differently in a rehearsal, in one run and in two.",
            $"Use SET LOCAL (or set_config(..., true)), which ends with the migration's transaction. {Allow(DiagnosticCatalog.SessionSetting)}");

    public static Diagnostic UnboundedDataChange(string path, int line, int column, string command, string table) =>
        DiagnosticCatalog.UnboundedDataChange.At(path, line, column,
            $"{command} without WHERE changes every row of the existing table {table} in one transaction: it locks them all until the migration commits.",
            $"Add the WHERE you mean; to change every row of a big table, do it in batches outside the migration. {Allow(DiagnosticCatalog.UnboundedDataChange)}");

    public static Diagnostic ConcurrentlyMixed(string path, int line, int column, string command) =>
        DiagnosticCatalog.ConcurrentlyMixed.At(path, line, column,
            $"{command} cannot run in a transaction, so this whole migration runs statement by statement without one; its other statements lose their all-or-nothing guarantee.",
            $"Put {command} in a migration of its own. {Allow(DiagnosticCatalog.ConcurrentlyMixed)}");

    public static Diagnostic EnumValueUsedTooSoon(string path, int line, int column, string label, string type) =>
        DiagnosticCatalog.EnumValueUsedTooSoon.At(path, line, column,
            $"'{label}' is added to the enum {type} by ALTER TYPE ... ADD VALUE in this migration's transaction; PostgreSQL refuses to use a new enum value before that transaction commits (\"unsafe use of new value\").",
            $"Use the new value in the next migration. {Allow(DiagnosticCatalog.EnumValueUsedTooSoon)}");

    public static Diagnostic SuppressionWithoutReason(string path, int line, int column, string codes) =>
        DiagnosticCatalog.SuppressionWithoutReason.At(path, line, column,
            $"streambot:allow {codes} gives no reason, so it silences nothing.",
            $"Say why the statement is safe: -- streambot:allow {codes} because <reason>.");

    public static Diagnostic SuppressionUnused(string path, int line, int column, string code) =>
        DiagnosticCatalog.SuppressionUnused.At(path, line, column,
            $"streambot:allow {code} silences nothing: the statement it belongs to raises no {code}.",
            "Remove it (or move it onto the statement it was meant for: the next statement, or the one it trails on the same line).");

    public static Diagnostic DirectiveInvalid(string path, int line, int column, string problem) =>
        DiagnosticCatalog.DirectiveInvalid.At(path, line, column,
            $"This -- streambot: comment is not understood: {problem}",
            "Write one of: -- streambot:allow SBM6xxx because <reason>; and, before the first statement, -- streambot:lock-timeout 5s, -- streambot:statement-timeout 10min, -- streambot:concurrent-lock-timeout 30min (ms, s, min or h; 0 for no limit).");

    public static Diagnostic LintSettingInvalid(string file, string problem) =>
        DiagnosticCatalog.LintSettingInvalid.AtFile(file,
            $"The safety lint's settings are wrong: {problem}",
            "MigrationsLintFrom (--lint-from) takes a migration number such as 0005 or a file name without .sql; MigrationsPostgresVersion (--postgres-version) the server's major version, 10 or later.");
}
