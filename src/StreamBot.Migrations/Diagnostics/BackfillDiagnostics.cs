namespace StreamBot.Migrations.Diagnostics;

/// <summary>
/// The messages of backfills (statements run in batches: SBM2014, SBM2015, SBM4042) and of waiting for standbys
/// (SBM4043). Like every run message they name tables, columns, counts and durations, never a row's value: a key's
/// value stays in the progress table.
/// </summary>
internal static class BackfillDiagnostics
{
    public static Diagnostic NotBatchable(string path, int line, int column, string reason) =>
        DiagnosticCatalog.BackfillNotBatchable.At(path, line, column,
            $"This statement is marked -- streambot:backfill but cannot run in batches without changing what it does: {reason}.",
            "Rewrite it so that each row's change depends only on that row (and on tables it does not change), or remove the mark and run it in the migration's transaction.");

    public static Diagnostic KeyUnusable(string path, int line, int column, string table, string reason, string outcome = "") =>
        DiagnosticCatalog.BackfillKeyUnusable.At(path, line, column,
            $"The backfill over {table} has no key its batches can walk: {reason}.{(outcome.Length == 0 ? string.Empty : " " + outcome)}",
            "Give the table a primary key, or name a NOT NULL key with a btree index on its columns: -- streambot:backfill key (column, ...).");

    public static Diagnostic OutOfTime(string path, int line, int column, string migration, string table, TimeSpan budget, string done) =>
        DiagnosticCatalog.BackfillOutOfTime.At(path, line, column,
            $"The backfill over {table} in {migration} used its time budget ({DeployDiagnostics.Duration(budget)}) and stopped after a committed batch: {done}. The statements before it stay applied; the migration is not in the journal.",
            "Run up again to continue from the saved cursor (no row is changed twice); raise --backfill-budget (MigrationsBackfillBudget) or run it at a quieter time.");

    public static Diagnostic StandbysBehind(string path, string migration, TimeSpan bound, IReadOnlyList<string> standbys) =>
        DiagnosticCatalog.StandbysBehind.At(path, 1, 1,
            $"{migration} is applied, but after {DeployDiagnostics.Duration(bound)} these standbys had not replayed it: {string.Join("; ", standbys)}. The migrations after it were not applied.",
            "Find why replay is behind (pg_stat_replication on the primary, pg_is_wal_replay_paused() on the standby), then run up again; --replica-wait waits longer.");
}
