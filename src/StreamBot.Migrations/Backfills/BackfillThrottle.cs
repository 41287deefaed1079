using System.Globalization;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Backfills;

/// <summary>
/// When a backfill pauses between batches, from the database's own statistics. Each signal has a level that pauses
/// the backfill and a lower one under which it resumes, so it does not flap around one value.
/// </summary>
/// <param name="ReplicaLagPause">A standby this far behind in time pauses the backfill (graph-node's 60 s).</param>
/// <param name="ReplicaLagResume">...and it resumes when every standby is under this (graph-node's 30 s).</param>
/// <param name="ReplicaBytesPause">A standby this many bytes of WAL behind pauses the backfill.</param>
/// <param name="ReplicaBytesResume">...and it resumes under this.</param>
/// <param name="OldestTransactionPause">
/// A transaction open this long pauses it: while it is open, vacuum cannot remove the row versions each batch leaves
/// behind, so the table only bloats.
/// </param>
/// <param name="OldestTransactionResume">...and it resumes when the oldest is younger than this.</param>
/// <param name="LockWaiters">This many sessions waiting on a batch's row locks at its end make the next batch half as large.</param>
public sealed record BackfillThrottle(
    TimeSpan ReplicaLagPause, TimeSpan ReplicaLagResume, long ReplicaBytesPause, long ReplicaBytesResume,
    TimeSpan OldestTransactionPause, TimeSpan OldestTransactionResume, int LockWaiters)
{
    /// <summary>
    /// Standbys: pause at 60 s or 256 MB behind, resume under 30 s and 64 MB (a standby replaying a conservative
    /// 50 MB/s needs about 5 s for 256 MB; the time signal governs, the bytes catch a standby whose time lag is not
    /// reported). Oldest transaction: pause at 10 min, resume under 5 min. An anti-wraparound autovacuum on the table:
    /// paused while it runs (it cannot be cancelled and must finish; an ordinary autovacuum is cleaning up after the
    /// batches and may take minutes on a large table, so the batches go on beside it). Lock waiters: 10 sessions, a
    /// typical app pool's worth stuck.
    /// </summary>
    public static BackfillThrottle Default { get; } = new(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30), 256L << 20, 64L << 20,
        TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5), 10);

    /// <summary>
    /// Why the backfill must wait now, or null to go on. <paramref name="paused"/>: whether it is waiting already (then
    /// the resume levels apply).
    /// </summary>
    public string? Hold(DatabaseHealth health, bool paused)
    {
        var lagLimit = paused ? ReplicaLagResume : ReplicaLagPause;
        var bytesLimit = paused ? ReplicaBytesResume : ReplicaBytesPause;
        foreach (var standby in health.Standbys)
        {
            if (standby.Lag >= lagLimit)
            {
                return $"standby {standby.Name} is {DeployDiagnostics.Duration(standby.Lag)} behind in replay ({Levels(DeployDiagnostics.Duration(ReplicaLagPause), DeployDiagnostics.Duration(ReplicaLagResume))})";
            }

            if (standby.Bytes >= bytesLimit)
            {
                return $"standby {standby.Name} has {Bytes(standby.Bytes)} of WAL to replay ({Levels(Bytes(ReplicaBytesPause), Bytes(ReplicaBytesResume))})";
            }
        }

        if (health.OldestTransaction is { } oldest && oldest >= (paused ? OldestTransactionResume : OldestTransactionPause))
        {
            return $"a transaction has been open for {DeployDiagnostics.Duration(oldest)} (backend pid {health.OldestTransactionPid}), so vacuum cannot clean up after the batches ({Levels(DeployDiagnostics.Duration(OldestTransactionPause), DeployDiagnostics.Duration(OldestTransactionResume))})";
        }

        return health.AutovacuumOnTable ? "an autovacuum to prevent transaction ID wraparound is working on the table (resumes when it is done)" : null;
    }

    /// <summary>"12.5 MB", "640 kB", "512 bytes".</summary>
    public static string Bytes(long bytes) =>
        bytes >= 1 << 20 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.#} MB")
        : bytes >= 1 << 10 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} kB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");

    private static string Levels(string pause, string resume) => $"pauses at {pause}, resumes under {resume}";
}

/// <summary>One standby as the primary sees it.</summary>
/// <param name="Name">Its application_name and address.</param>
/// <param name="Bytes">WAL written on the primary that it has not replayed.</param>
/// <param name="Lag">How long the oldest WAL it has not replayed has waited.</param>
public sealed record StandbyLag(string Name, long Bytes, TimeSpan Lag);

/// <summary>What the throttle reads between batches.</summary>
/// <param name="Standbys">Every standby pg_stat_replication shows.</param>
/// <param name="OldestTransaction">The age of the oldest open transaction of another session, if any.</param>
/// <param name="OldestTransactionPid">Its backend pid.</param>
/// <param name="AutovacuumOnTable">Whether an anti-wraparound autovacuum is processing the backfill's table.</param>
public sealed record DatabaseHealth(IReadOnlyList<StandbyLag> Standbys, TimeSpan? OldestTransaction, int? OldestTransactionPid, bool AutovacuumOnTable);
