namespace StreamBot.Migrations.Diagnostics;

/// <summary>
/// The messages of the SBM4xxx codes about a run's plan and its execution: the journal against the folder, applying,
/// resuming, rolling back and being interrupted.
/// </summary>
internal static class RunDiagnostics
{
    private const string Tool = ConnectionDiagnostics.Tool;

    public static Diagnostic InvalidFolder(string directory, int errorCount) =>
        DiagnosticCatalog.InvalidFolder.AtFile(directory,
            $"The migrations folder has {errorCount} error(s); nothing was run against the database.",
            "Fix the errors above (dotnet build reports the same ones) and run again.");

    public static Diagnostic AppliedFileMissing(string path, string name, string journal) =>
        DiagnosticCatalog.AppliedFileMissing.AtFile(path,
            $"{name} is applied (journal {journal}) but its file is missing, so the folder no longer describes the database. Nothing was changed.",
            "Restore the file from version control. If the migration was rolled back by hand, delete its journal row; if another service migrates this database too, give this folder its own journal (--journal-table).");

    public static Diagnostic RollbackOfMissingFile(string path, string name) =>
        DiagnosticCatalog.AppliedFileMissing.AtFile(path,
            $"{name} is applied but its file and README section are gone, so its rollback SQL is unknown.",
            "Restore the file and its README section from version control, or restore the database from a backup.");

    public static Diagnostic ChecksumMismatch(string path, string fileName, DateTimeOffset appliedAt, string appliedBy, string journalHash, string fileHash) =>
        DiagnosticCatalog.ChecksumMismatch.AtFile(path,
            $"{fileName} changed after it was applied on {appliedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC by {appliedBy} (journal SHA-256 {Prefix(journalHash)}, file {Prefix(fileHash)}). Nothing was changed.",
            "Revert the file to what was applied (git log -p on it) and put the change in a new migration.");

    public static Diagnostic OutOfOrder(string path, string fileName, string newerApplied) =>
        DiagnosticCatalog.OutOfOrder.AtFile(path,
            $"{fileName} is pending, but the newer {newerApplied} is already applied; applying it now would run migrations out of order. Nothing was changed.",
            "Renumber it after the last applied migration (and rename its README section).");

    public static Diagnostic ForeignJournal(string directory, string journal, int appliedCount, IReadOnlyList<string> unknown, int fileCount, string suggestedJournal)
    {
        var examples = string.Join(", ", unknown.Take(3)) + (unknown.Count > 3 ? ", ..." : string.Empty);
        return DiagnosticCatalog.ForeignJournal.AtFile(directory,
            $"The journal {journal} lists {appliedCount} applied migration(s), and {unknown.Count} of them ({examples}) are not in this folder, which has {fileCount}: it most likely belongs to another service's migrations on the same database. Nothing was changed, and none of its rows should be deleted.",
            $"Give this folder a journal of its own: --journal-table {suggestedJournal} (-p:MigrationsJournalTable={suggestedJournal}). If this folder really is the one that wrote it, restore the missing files from version control.");
    }

    public static Diagnostic JournalLacksColumns(string journal, IEnumerable<string> missing) =>
        DiagnosticCatalog.JournalUnusable.AtFile(Tool,
            $"The journal table {journal} exists but lacks the column(s) {string.Join(", ", missing)}; it was probably created by another tool (drizzle-kit's own journal has id, hash and created_at).",
            "Point MigrationsJournalTable (--journal-table) at a new table name, or add the missing columns after checking what the existing rows mean.");

    public static Diagnostic JournalUnreadable(string journal, string problem) =>
        DiagnosticCatalog.JournalUnusable.AtFile(Tool,
            $"The journal table {journal} has columns of unexpected types (reading a row failed: {problem}), so it cannot say what is applied. Nothing was changed.",
            "Check the table's definition against the README (name text, hash text, applied_at timestamptz, execution_ms integer, applied_by text).");

    public static Diagnostic JournalListsTwice(string journal, string name, IEnumerable<long> ids) =>
        DiagnosticCatalog.JournalUnusable.AtFile(Tool,
            $"The journal table {journal} lists {name} {ids.Count()} times (ids {string.Join(", ", ids)}), so it cannot say what is applied. Nothing was changed.",
            $"Delete the extra rows (keep the first), then add the constraint: ALTER TABLE {journal} ADD UNIQUE (name).");

    public static Diagnostic ProgressTableUnusable(string table, string problem) =>
        DiagnosticCatalog.JournalUnusable.AtFile(Tool,
            $"The progress table {table} has an unexpected shape ({problem}), so it cannot say how far an interrupted migration got. Nothing was changed.",
            $"If no migration is half-way, drop it (DROP TABLE {table}); it is recreated when needed.");

    public static Diagnostic Interrupted(string path, int line, int column, string fileName, DateTimeOffset stoppedAt, string by, string ran, int uncertain, int uncertainLine, string changed) =>
        DiagnosticCatalog.Interrupted.At(path, line, column,
            $"{fileName} runs without a transaction and stopped half-way (last progress {stoppedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, {by}). {ran} Statement {uncertain} (line {uncertainLine}) was next or running when it stopped and may or may not have taken effect; statements after it did not run. Nothing was applied.{changed}",
            $"Check statement {uncertain}'s effect in the database, then run up --resume-from {uncertain} (-p:MigrationsResumeFrom={uncertain}); if it did take effect, --resume-from {uncertain + 1}. An INVALID index it left is dropped and rebuilt on resume.");

    public static Diagnostic NothingToResume(int resumeFrom) =>
        DiagnosticCatalog.NothingToResume.AtFile(Tool,
            $"--resume-from {resumeFrom} was given, but no pending migration was interrupted half-way. Nothing was applied.",
            "Run up without --resume-from (-p:MigrationsResumeFrom).");

    public static Diagnostic ResumeOutOfRange(string path, string fileName, int? resumeFrom, int statementCount, int nextRecorded) =>
        DiagnosticCatalog.NothingToResume.AtFile(path,
            $"--resume-from {resumeFrom} is outside {fileName}, which has {statementCount} statement(s). Nothing was applied.",
            $"Use a statement number from 1 to {statementCount + 1} ({statementCount + 1} only journals it); {nextRecorded} follows the last recorded one.");

    public static Diagnostic NotApplied(string name, IReadOnlyList<string> applied) =>
        DiagnosticCatalog.NotApplied.AtFile(Tool,
            $"{name} is not applied, so it cannot be rolled back. Applied: {(applied.Count == 0 ? "none" : string.Join(", ", applied))}.",
            "Name an applied migration exactly as in the journal (e.g. 0004_add_giveaway_concurrency_improvements), or run status.");

    public static Diagnostic RollbackNotRecommended(string readmePath, int line, string name, string? reason) =>
        DiagnosticCatalog.RollbackNotRecommended.At(readmePath, line, 1,
            $"Rolling back {name} is not recommended: {reason}. Nothing was rolled back.",
            "Restore a backup instead (psql \"$DATABASE_URL\" < backups/streambot_....sql). --force (-p:MigrationsForce=true) only removes the journal row.");

    public static Diagnostic InvalidIndexes(IReadOnlyList<string> indexes) =>
        DiagnosticCatalog.InvalidIndex.AtFile(Tool,
            $"INVALID index(es) in the database, left by a failed or interrupted CREATE INDEX CONCURRENTLY: {string.Join(", ", indexes)}. Queries do not use them; writes still maintain them.",
            $"Drop and recreate each (DROP INDEX CONCURRENTLY {indexes[0]}; then its CREATE INDEX CONCURRENTLY).");

    public static Diagnostic RunsWithoutTransaction(string path, string fileName, IEnumerable<string> statementKinds, string progressTable) =>
        DiagnosticCatalog.RunsWithoutTransaction.At(path, 1, 1,
            $"{fileName} holds statements PostgreSQL refuses in a transaction ({string.Join(", ", statementKinds)}); it runs statement by statement without one.",
            $"Its progress is recorded in {progressTable}; if it stops half-way, the next up says which statements ran and how to resume.");

    /// <summary>A statement of a migration failed; <paramref name="partly"/> when statements before it stay applied.</summary>
    public static Diagnostic MigrationFailed(string path, int line, int column, string fileName, string serverMessage, string outcome, bool partly, string? hint) =>
        (partly ? DiagnosticCatalog.PartiallyApplied : DiagnosticCatalog.MigrationFailed).At(path, line, column,
            $"{fileName} failed: {serverMessage}. {outcome}",
            hint ?? "Fix the statement (or the data it trips over) and run up again.");

    public static Diagnostic ConnectionLost(string path, string fileName, string reason, string outcome) =>
        DiagnosticCatalog.ConnectionLost.AtFile(path,
            $"The connection to the server was lost while {fileName} was being applied ({reason}). {outcome}",
            "Find out why (the server log: a restart, a crash, a failover, pg_terminate_backend), then run status and up again.");

    public static Diagnostic UpCancelled(string path, string outcome, string? hint) =>
        DiagnosticCatalog.Cancelled.AtFile(path,
            $"up was interrupted (Ctrl-C or SIGTERM): {outcome} The migration lock was released.",
            hint ?? "Run up again when ready: it goes on with what is pending.");

    public static Diagnostic RollbackCancelled(string readmePath, int line, int column, string name) =>
        DiagnosticCatalog.Cancelled.At(readmePath, line, column,
            $"down was interrupted (Ctrl-C or SIGTERM) during the rollback of {name}; its transaction was rolled back, so {name} is still applied. The migration lock was released.",
            "Run down again when ready.");

    public static Diagnostic RunCancelled(string command, string stage, string outcome) =>
        DiagnosticCatalog.Cancelled.AtFile(Tool,
            $"{command} was interrupted (Ctrl-C or SIGTERM) {stage}; {outcome}, and the migration lock was released.",
            $"Run {command} again when ready; status shows where the database stands.");

    public static Diagnostic ForcedRollback(string readmePath, int line, string name, string? backup) =>
        DiagnosticCatalog.ForcedRollback.At(readmePath, line, 1,
            $"{name}: only its journal row was removed (forced); its schema changes are still in the database.",
            backup is null ? "Restore a backup to undo the schema itself." : $"To undo the schema, restore the backup: psql \"$DATABASE_URL\" < {backup}");

    public static Diagnostic VerifyFailed(string readmePath, int line, int column, string name, long rows, int? expected) =>
        DiagnosticCatalog.VerifyFailed.At(readmePath, line, column,
            $"Rollback of {name} did not verify: this query returned {rows} row(s), the README expects {expected}. Everything was rolled back; the database is as it was.",
            "Fix the rollback SQL (or the verify query) in README.md and run again.");

    public static Diagnostic RollbackFailed(string readmePath, int line, int column, string name, string serverMessage, string sqlState) =>
        DiagnosticCatalog.RollbackFailed.At(readmePath, line, column,
            $"Rollback of {name} failed: {serverMessage} (SQLSTATE {sqlState}). Everything was rolled back; the database is as it was.",
            "Fix the rollback SQL in README.md and run again.");

    private const string KeepDrizzle =
        "Run adopt first (streambot-migrate adopt, dotnet build -t:AdoptMigrations; --dry-run shows what it records): it records them in this tool's journal without running them, and up then applies only newer files. Do not point --journal-table at a new table to get past this: up would run every migration again.";

    public static Diagnostic NotADrizzleKitFolder(string directory) =>
        DiagnosticCatalog.AdoptionRefused.AtFile(directory,
            "adopt takes over what drizzle-orm's migrator applied, and drizzle-orm reads meta/_journal.json, which this folder does not have. Nothing was changed.",
            "Point --dir (MigrationsDirectory) at the drizzle-kit folder the database was migrated from.");

    public static Diagnostic NoDrizzleJournal(string server, string journal) =>
        DiagnosticCatalog.AdoptionRefused.AtFile(Tool,
            $"{server} has no drizzle-orm journal: neither {journal} nor drizzle.__drizzle_migrations has drizzle-orm's shape (id, hash, created_at). Nothing was changed.",
            "Check the connection (the right database?) and, if drizzle-orm was configured with another migrationsTable, pass it as --journal-table.");

    public static Diagnostic AdoptionRefused(string directory, string drizzleTable, IReadOnlyList<string> problems) =>
        DiagnosticCatalog.AdoptionRefused.AtFile(directory,
            $"drizzle-orm's journal {drizzleTable} does not match this folder, so nothing was adopted: {string.Join("; ", problems)}.",
            "Restore an edited file to what drizzle-orm applied (git log -p), apply a skipped one with drizzle-orm or by hand first, and make sure the folder and the database belong together; then adopt again.");

    public static Diagnostic AppliedByDrizzle(string directory, string drizzleTable, string journal, IReadOnlyList<string> names) =>
        DiagnosticCatalog.AppliedByDrizzle.AtFile(directory,
            $"{names.Count} migration(s) of this folder were applied by drizzle-orm (journal {drizzleTable}) and are not in this tool's journal {journal}: {string.Join(", ", names.Take(5))}{(names.Count > 5 ? ", ..." : string.Empty)}. Applying them again would run their SQL twice. Nothing was changed.",
            KeepDrizzle);

    public static Diagnostic DrizzleJournalInTheWay(string table) =>
        DiagnosticCatalog.AppliedByDrizzle.AtFile(Tool,
            $"The journal table {table} is drizzle-orm's (id, hash, created_at), not this tool's, so this tool neither writes to it nor creates its own there. Nothing was changed.",
            KeepDrizzle);

    public static Diagnostic BaselineObjectMissing(string path, int line, int column, string fileName, string what, string? schema, IReadOnlyList<string> foundIn, bool forced) =>
        (forced ? DiagnosticCatalog.BaselineObjectMissing with { Severity = DiagnosticSeverity.Warning } : DiagnosticCatalog.BaselineObjectMissing).At(path, line, column,
            $"{fileName} creates {what}{(schema is null ? ", which is not in the database" : $" in schema {schema}, which does not have it")}"
            + (foundIn.Count > 0 ? $" (schema {string.Join(", ", foundIn.Distinct(StringComparer.Ordinal))} has one: not where this migration puts it, so up would run the next migrations against the wrong tables)" : string.Empty)
            + $"{(forced ? "; recorded as applied anyway (--force)" : ", so this migration cannot be trusted to have run. Nothing was recorded")}.",
            forced
                ? "Create the object, or roll the baseline back (delete its journal rows) and baseline to an earlier migration."
                : "Baseline only up to the last migration whose objects are all there (--to), apply the rest with up, or create the object by hand; --force records it anyway.");

    public static Diagnostic BaselineTargetUnknown(string directory, string target, string first, string last) =>
        DiagnosticCatalog.BaselineRefused.AtFile(directory,
            $"--to {target} names no migration of this folder. Nothing was recorded.",
            $"Name a migration from {first} to {last} (its number or its name, e.g. --to 0004).");

    public static Diagnostic BaselineOnJournal(string journal, int rows) =>
        DiagnosticCatalog.BaselineRefused.AtFile(Tool,
            $"The journal {journal} already lists {rows} applied migration(s): a baseline is for a database this tool has never migrated. Nothing was recorded.",
            "Run status to see where it stands; up applies what is pending.");

    // The journal's hash is whatever someone wrote there: it may be shorter than a prefix.
    private static string Prefix(string hash) => hash.Length > 12 ? hash[..12] + "..." : hash;

    public static Diagnostic BlockedByLocks(string path, int line, int column, string notDone, int attempts, TimeSpan spent, string lockTimeout, string waitedFor, IReadOnlyList<string> blockers) =>
        DiagnosticCatalog.BlockedByLocks.At(path, line, column,
            $"{notDone}: for {spent.TotalSeconds:0} s it waited for {waitedFor}, holding nothing while a session that would block it was there and queueing for the locks only with a lock_timeout (at most {lockTimeout}, {attempts} attempt(s)), so the bot's queries never waited behind it for longer. Nothing of it took effect. {(blockers.Count == 0 ? "No session holds a conflicting lock on those tables now (the blocker has ended)." : "Blocked by: " + string.Join("; ", blockers) + ".")}",
            "End or wait out the blocking session (an idle-in-transaction worker: fix the code that leaves its transaction open; as a last resort SELECT pg_terminate_backend(pid)), then run the command again. More patience: --lock-retry-budget (-p:MigrationsLockRetryBudget) and --lock-retries; a longer lock_timeout for this migration alone: -- streambot:lock-timeout 10s in its header.");

    public static Diagnostic BlockersPresent(string path, string fileName, string tables, IReadOnlyList<string> blockers) =>
        DiagnosticCatalog.BlockersPresent.AtFile(path,
            $"{fileName} needs strong locks on {tables}, and {blockers.Count} session(s) hold locks there in a long or idle transaction: {string.Join("; ", blockers)}. It will wait at most lock_timeout per attempt and retry.",
            "If the migration keeps failing with SBM4032, end those sessions first (their transactions have been open too long for a live service).");
}
