using Npgsql;
using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// Makes a run of many small migrations cost one WAL flush instead of one per migration. Each migration still
/// commits on its own, with its journal row in the same transaction, so atomicity is untouched: a server crash can
/// only lose whole migrations together with their journal rows, never half of one. Before the run reports success
/// (or lists what stayed applied after a failure), one synchronous commit flushes the WAL of every earlier commit.
/// </summary>
internal static class Durability
{
    public static async Task DeferFlushAsync(NpgsqlConnection connection)
    {
        await using var command = Database.Command(connection, "SET synchronous_commit = off");
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public static async Task FlushAsync(NpgsqlConnection connection)
    {
        await using (var on = Database.Command(connection, "SET synchronous_commit = on"))
        {
            await on.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        // A transaction that takes an xid writes a commit record; committing it synchronously flushes the WAL up to
        // it, and with it every asynchronous commit before.
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using (var xid = new NpgsqlCommand("SELECT txid_current()", connection, transaction))
        {
            await xid.ExecuteScalarAsync().ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
    }
}
