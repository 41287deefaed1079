namespace StreamBot.Migrations.Postgres.Locking;

/// <summary>How long to wait for the lock, and when a lock row without a live holder counts as abandoned.</summary>
/// <param name="WaitTimeout">How long an applier waits before giving up (SBM4004).</param>
/// <param name="StaleTimeout">
/// Age of the last heartbeat after which a row whose holder cannot be checked is taken over (default 10 minutes,
/// as in the runbook). A live holder keeps its row fresh, and the advisory lock protects it regardless.
/// </param>
public sealed record LockOptions(TimeSpan WaitTimeout, TimeSpan StaleTimeout)
{
    /// <summary>Wait up to 5 minutes; rows go stale after 10 minutes.</summary>
    public static LockOptions Default { get; } = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10));

    internal TimeSpan HeartbeatInterval => TimeSpan.FromTicks(Math.Clamp(StaleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(200).Ticks, TimeSpan.FromSeconds(30).Ticks));
}
