using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Locking;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>Drift an operator accepted (<c>--accept-drift</c>): what, by whom, when, recorded against which migration.</summary>
/// <param name="Migration">The last applied migration when it was accepted.</param>
/// <param name="At">When.</param>
/// <param name="By">The database role and the operating-system user@host.</param>
/// <param name="Changes">The objects accepted as they were.</param>
public sealed record AcceptedDrift(string Migration, DateTimeOffset At, string By, IReadOnlyList<string> Changes);

/// <summary>The state of every migration, and who holds the lock.</summary>
public sealed record StatusReport(string Database, IReadOnlyList<StatusEntry> Migrations, LockHolder? LockHolder)
{
    /// <summary>Migrations not yet applied (an interrupted one counts).</summary>
    public int PendingCount => Migrations.Count(m => m.State is MigrationState.Pending or MigrationState.Interrupted);

    /// <summary>drizzle-orm's journal table and each file's state in it, when the database has one.</summary>
    public (string Table, DrizzleMatch Match)? Drizzle { get; init; }

    /// <summary>INVALID indexes no session is building (left by a failed or killed CREATE INDEX CONCURRENTLY).</summary>
    public IReadOnlyList<string> InvalidIndexes { get; init; } = [];

    /// <summary>
    /// Objects added, removed or changed since the schema was recorded after the last applied migration; null when no
    /// record exists for it (recorded at the end of every up, down, adopt and baseline).
    /// </summary>
    public IReadOnlyList<StreamBot.Migrations.Schema.SchemaChange>? Drift { get; init; }

    /// <summary>Drift accepted with <c>--accept-drift</c>, oldest first: shown as accepted, never forgotten.</summary>
    public IReadOnlyList<AcceptedDrift> AcceptedDrift { get; init; } = [];

    /// <summary>
    /// Sessions in a long or idle transaction that hold locks on tables a pending migration locks strongly (SHARE or
    /// stronger): who would make it wait.
    /// </summary>
    public IReadOnlyList<BlockingSession> Blockers { get; init; } = [];

    /// <summary>The pending migrations' data checks against the live rows (what up would refuse with SBM4037).</summary>
    public Preflight.PreflightResult DataChecks { get; init; } = Preflight.PreflightResult.Empty;
}
