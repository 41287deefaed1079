using Npgsql;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// "Applied" is printed only for a migration whose commit is on disk. Each migration's COMMIT therefore waits for
/// its WAL flush (and for synchronous standbys, where the server has them), whatever the server or the role
/// configured: a server crash a moment later cannot take back a migration the person deploying was told about.
/// The cost is one WAL flush per migration (figures in docs/RELIABILITY.md).
/// </summary>
internal static class Durability
{
    /// <summary>The session setting, sent with the connection's other settings when it opens.</summary>
    public static NpgsqlBatchCommand Setting() => new("SET synchronous_commit = on");
}
