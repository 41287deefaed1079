using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Schema;

namespace StreamBot.Migrations.Postgres.Rehearsal;

/// <summary>How one migration's rehearsal ended.</summary>
public enum RehearsalOutcome
{
    /// <summary>Applied, rolled back to the schema before it, applied again to the same schema.</summary>
    Passed,

    /// <summary>Something differed or failed (see the diagnostics).</summary>
    Failed,

    /// <summary>Its README says not to roll it back: applied and traced only.</summary>
    RollbackSkipped,

    /// <summary>Already applied in the restored backup.</summary>
    AlreadyApplied,

    /// <summary>Not reached: an earlier migration failed to apply.</summary>
    NotReached,
}

/// <summary>One migration's rehearsal.</summary>
/// <param name="Name">The migration.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="ApplyMs">The first apply, on the scratch database.</param>
/// <param name="RollbackMs">The rollback, with its verify queries.</param>
/// <param name="Trace">What each statement locked, rewrote and scanned.</param>
/// <param name="Differences">Objects the rollback left different, or the second apply changed.</param>
public sealed record RehearsedMigration(string Name, RehearsalOutcome Outcome, double ApplyMs, double RollbackMs,
    IReadOnlyList<TracedStatement> Trace, IReadOnlyList<SchemaChange> Differences);

/// <summary>A whole rehearsal: where it ran, each migration, and every coded finding.</summary>
/// <param name="Where">The scratch database (server and name).</param>
/// <param name="Migrations">Each migration in order.</param>
/// <param name="Diagnostics">Errors (broken rollbacks, failures) and warnings (strong locks, rewrites).</param>
/// <param name="ElapsedMs">The whole run.</param>
public sealed record RehearsalReport(string Where, IReadOnlyList<RehearsedMigration> Migrations, IReadOnlyList<Diagnostic> Diagnostics, double ElapsedMs)
{
    /// <summary>How many of the running app's queries were prepared after each migration, and from where.</summary>
    public AppQuerySummary AppQueries { get; init; } = AppQuerySummary.None;

    /// <summary>
    /// With <c>--from-backup</c>: each lock or rewrite finding sized by its restored table, with the preflight's
    /// estimate and what the lock trace measured, one line each.
    /// </summary>
    public IReadOnlyList<string> Sized { get; init; } = [];

    /// <summary>Each backfill as the rehearsal ran it, in batches: rows, batches and duration (real ones with <c>--from-backup</c>).</summary>
    public IReadOnlyList<string> Backfills { get; init; } = [];

    /// <summary>Whether any error was found.</summary>
    public bool Failed => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
