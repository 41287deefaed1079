namespace StreamBot.Migrations.Diagnostics;

/// <summary>
/// The messages of the SBM7xxx codes: a rehearsal on a scratch database (apply, roll back, compare, apply again), and
/// SBM4035 and SBM4036, the schema drift that status reports and up and down refuse, against the fingerprint the last run recorded.
/// </summary>
internal static class RehearsalDiagnostics
{
    public static Diagnostic RollbackLeavesDifference(string readme, int line, string name, IReadOnlyList<string> differences) =>
        DiagnosticCatalog.RollbackLeavesDifference.At(readme, line, 1,
            $"The rollback of {name} does not return the schema to where it was before {name}: {string.Join("; ", differences)}.",
            "Complete the README's Rollback Procedure (drop what the migration created, restore what it dropped or changed), then rehearse again.");

    public static Diagnostic ReapplyDiffers(string path, string fileName, IReadOnlyList<string> differences) =>
        DiagnosticCatalog.ReapplyDiffers.At(path, 1, 1,
            $"{fileName}, applied again after its rollback, leaves a different schema than the first time: {string.Join("; ", differences)}.",
            "The rollback left something the migration then skipped or changed (IF NOT EXISTS on a leftover object, a renamed name): make the rollback undo all of it.");

    public static Diagnostic ApplyFailed(string path, int line, int column, string fileName, string error) =>
        DiagnosticCatalog.RehearsalApplyFailed.At(path, line, column,
            $"{fileName} failed on the scratch database: {error}. The rehearsal stopped here; later migrations were not rehearsed.",
            "Fix the migration; the same failure would stop up in production.");

    public static Diagnostic RollbackFailed(string readme, int line, int column, string name, string error) =>
        DiagnosticCatalog.RehearsalRollbackFailed.At(readme, line, column,
            $"The rollback of {name} failed on the scratch database: {error}.",
            "Fix the README's Rollback Procedure: the same failure would stop a rollback in production, when it is needed most.");

    // linted: whether the safety lint checked this migration at all (MigrationsLintFrom may start after it).
    public static Diagnostic TracedStrongLock(string path, int line, int column, string fileName, string table, string mode, double heldMs, string? lint, bool whileReadingWhole, bool linted = true) =>
        DiagnosticCatalog.TracedStrongLock.At(path, line, column,
            $"{fileName} line {line}: {mode} on {table}, held {heldMs:0} ms on the scratch database (on the live table: until the migration commits, however long the statement runs on real data){(!linted ? "; the safety lint does not check this migration (MigrationsLintFrom starts after it), so this is not compared with it" : lint is not null ? "; the safety lint says the same: " + lint : whileReadingWhole ? "; the safety lint has no rule for this statement, yet it read the whole table under that lock" : "; the safety lint does not warn: the statement neither scans nor rewrites the table, so the lock is brief once granted, and lock_timeout bounds the wait for it")}.",
            "See the safety lint's hint for the form that does not block (docs/diagnostics.md, SBM6xxx); rehearse --from-backup to see real durations.");

    public static Diagnostic TracedRewrite(string path, int line, int column, string fileName, string relation) =>
        DiagnosticCatalog.TracedRewrite.At(path, line, column,
            $"{fileName} line {line} rewrote {relation}: its storage file changed, so every row was copied while the table was locked.",
            "See SBM6005 and SBM6007 for the forms that do not rewrite.");

    public static Diagnostic ScratchUnavailable(string problem) =>
        DiagnosticCatalog.ScratchUnavailable.AtFile(ConnectionDiagnostics.Tool,
            $"No scratch database for the rehearsal: {problem}",
            "Give the configured role CREATEDB (the rehearsal creates streambot_rehearsal_<random> and drops it at the end), or run rehearse without a connection on a machine with the PostgreSQL server binaries (initdb, pg_ctl).");

    public static Diagnostic Interrupted(string stage) =>
        DiagnosticCatalog.Cancelled.AtFile(ConnectionDiagnostics.Tool,
            $"rehearse was interrupted (Ctrl-C or SIGTERM) {stage}; its scratch database was dropped, and nothing else was changed.",
            "Run rehearse again when ready.");

    public static Diagnostic SchemaDrift(string journal, string migration, IReadOnlyList<string> differences) =>
        DiagnosticCatalog.SchemaDrift.AtFile(ConnectionDiagnostics.Tool,
            $"The schema changed outside the migrations since {migration} was applied (fingerprint in {journal}_schema): {string.Join("; ", differences)}.",
            "Put the change in a migration (or undo it by hand); a schema the migrations do not describe makes every later rehearsal and rollback wrong. "
            + "If it must stay as it is, the next up or down records it as accepted with --accept-drift.");

    public static Diagnostic DriftRefused(string journal, string migration, string command, IReadOnlyList<string> differences) =>
        DiagnosticCatalog.DriftRefused.AtFile(ConnectionDiagnostics.Tool,
            $"{command} did not start: the schema changed outside the migrations since {migration} was applied (fingerprint in {journal}_schema): {string.Join("; ", differences)}. Nothing was changed.",
            $"Put the change in a migration or undo it by hand, then run {command} again; or, when the schema must stay as it is, run {command} --accept-drift to record the drift as accepted (who, when, what) and go on.");
}
