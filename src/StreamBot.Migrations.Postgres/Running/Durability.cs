namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// "Applied" is printed only for a migration whose commit is on disk (and on the synchronous standbys, where the
/// server has them), whatever the server or the role configured: a server crash a moment later cannot take back a
/// migration the person deploying was told about. Every connection of a writing command commits durably
/// (<see cref="Setting"/>), except a transactional migration's own commit, which does not wait for its flush: the
/// next durable commit on any session of the run (<see cref="Locking.LockLease.FlushAsync"/>) flushes it too, since the
/// server writes WAL in order, and only then is it reported (<see cref="DurableReports"/>). A server crash before that
/// loses whole migrations (each is one transaction), never part of one, and none of them was reported applied.
/// </summary>
internal static class Durability
{
    /// <summary>The session setting (a set_config call), sent with the connection's other settings when it opens.</summary>
    public const string Setting = "pg_catalog.set_config('synchronous_commit', 'on', false)";
}
