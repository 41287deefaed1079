namespace StreamBot.Migrations.Postgres.Locking;

/// <summary>Who holds the migration lock, as the migration_lock row says.</summary>
public sealed record LockHolder(string LockedBy, DateTimeOffset LockedAt, DateTimeOffset HeartbeatAt, int? BackendPid, bool BackendAlive)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{LockedBy} (since {LockedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, last heartbeat {HeartbeatAt.UtcDateTime:HH:mm:ss} UTC{(BackendPid is { } pid ? $", server pid {pid}{(BackendAlive ? "" : ", gone")}" : "")})";
}
