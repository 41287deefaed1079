using Npgsql;
using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// "Applied" is printed only for a migration whose commit is on disk. Each migration's COMMIT therefore waits for
/// its WAL flush (and for synchronous standbys, where the server has them), whatever the server or the role
/// configured: a server crash a moment later cannot take back a migration the person deploying was told about.
/// The cost is one WAL flush per migration (figures in docs/RELIABILITY.md).
/// </summary>
internal static class Durability
{
    public static async Task CommitDurablyAsync(NpgsqlConnection connection)
    {
        await using var command = Database.Command(connection, "SET synchronous_commit = on");
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
