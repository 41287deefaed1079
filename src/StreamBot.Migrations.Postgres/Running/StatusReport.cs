using StreamBot.Migrations.Postgres.Locking;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>The state of every migration, and who holds the lock.</summary>
public sealed record StatusReport(string Database, IReadOnlyList<StatusEntry> Migrations, LockHolder? LockHolder)
{
    /// <summary>Migrations not yet applied.</summary>
    public int PendingCount => Migrations.Count(m => m.State == MigrationState.Pending);
}
