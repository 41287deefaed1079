namespace StreamBot.Migrations.Diagnostics;

/// <summary>The messages of the watch after a deploy (SBM4045-SBM4047): query ids, normalized texts, tables and counts, never data.</summary>
internal static class WatchDiagnostics
{
    public static Diagnostic SlowerQuery(string finding, string? migration) =>
        DiagnosticCatalog.QueryRegressed.AtFile(ConnectionDiagnostics.Tool,
            $"A query of the app became slower after the deploy: {finding}.",
            migration is null
                ? "Compare its plan before and after (EXPLAIN): an index the deploy dropped or replaced, a new trigger or constraint on its tables."
                : $"Look at what {migration} did to its table (an index dropped or replaced, a trigger or a constraint added); EXPLAIN the query to see its plan now.");

    /// <param name="finding">What was seen.</param>
    /// <param name="signal">deadlocks, rollbacks, sequential scans or conflicts.</param>
    public static Diagnostic DatabaseTrouble(string finding, string signal) =>
        DiagnosticCatalog.DatabaseRegressed.AtFile(ConnectionDiagnostics.Tool,
            $"After the deploy, {finding}.",
            signal switch
            {
                "deadlocks" => "The server log names the deadlocked statements; a new trigger or a changed lock order is the usual cause.",
                "rollbacks" => "The app's log shows the errors; a new constraint rejecting its writes is the usual cause.",
                "sequential scans" => "An index its queries used is gone or no longer chosen: EXPLAIN them.",
                _ => "A standby cancelled queries that replay conflicted with: long queries there, or the deploy's locks.",
            });

    public static Diagnostic Regressed(int findings, TimeSpan watched) =>
        DiagnosticCatalog.WatchFailed.AtFile(ConnectionDiagnostics.Tool,
            $"The watch saw {findings} regression(s) in {DeployDiagnostics.Duration(watched)} after the deploy (each reported above). The migrations stay applied.",
            "Fix forward or roll back (down) after looking at each; --watch-warn-only (MigrationsWatchWarnOnly) reports them without failing the run.");
}
