using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Postgres.Locking;

/// <summary>
/// A held migration lock. A heartbeat refreshes the row while the lease lives; disposing it deletes the row and
/// releases the advisory lock. If the process dies instead, the server ends the session and the lock with it.
/// </summary>
internal sealed class LockLease : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Timer _heartbeat;
    private readonly IRunLog _log;
    private readonly string _fenceSql;
    private bool _released;

    public LockLease(NpgsqlConnection connection, int backendPid, TimeSpan interval, IRunLog log)
    {
        _connection = connection;
        BackendPid = backendPid;
        _log = log;
        _heartbeat = new Timer(_ => Beat(), null, interval, interval);
        var key = (ulong)MigrationLock.AdvisoryKey;
        // Plain SQL, no PL/pgSQL block to compile per migration: with no matching row the count is 0 and the division
        // fails. The pid and the key halves are numbers this process computed, so they can be part of the text.
        _fenceSql = string.Create(CultureInfo.InvariantCulture,
            $"SELECT 1 / count(*)::int FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted AND pid = {backendPid} AND classid = {key >> 32} AND objid = {key & 0xFFFFFFFF} AND objsubid = 1");
    }

    /// <summary>
    /// A command that fails (division by zero, SQLSTATE 22012) unless this lease's session still holds the advisory
    /// lock. Sent in every migration's transaction just before its journal row (and before every statement of a
    /// migration that runs without a transaction): if the lock's session ended, another applier may already be
    /// running, so nothing may commit. Callers know where they put it, so they tell its failure from a migration's
    /// own division by zero by position.
    /// </summary>
    public NpgsqlBatchCommand Fence() => new(_fenceSql);

    /// <summary>
    /// The fence with this tool's own settings for what follows it in the transaction (<see cref="Connection.Database.OwnStatementSettings"/>),
    /// one command: what a migration's batch sends after its statements.
    /// </summary>
    public NpgsqlBatchCommand FenceWithOwnSettings() => new($"{Connection.Database.OwnStatementSettingsSql}, ({_fenceSql})");

    /// <summary>Whether <paramref name="e"/>, raised by the fence command, means the lock is gone.</summary>
    public static bool IsLost(PostgresException e) => e.SqlState == PostgresErrorCodes.DivisionByZero;

    /// <summary>The error for a fence that failed.</summary>
    public static MigrationException Lost(string file, string outcome) =>
        new(ConnectionDiagnostics.LockLost(file, outcome));

    /// <summary>
    /// The lock connection's server pid (what other sessions see in the row), as the server reports it: through a
    /// session-mode pooler the pid announced at start-up is the pooler's own.
    /// </summary>
    public int BackendPid { get; }

    /// <summary>Runs a short query on the lock connection, between heartbeats (used to see what a migration is doing).</summary>
    public async Task<T?> QueryAsync<T>(string sql, params object[] parameters)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_released)
            {
                return default;
            }

            await using var command = Database.Command(_connection, sql, parameters);
            var value = await command.ExecuteScalarAsync().ConfigureAwait(false);
            return value is T typed ? typed : default;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A heartbeat that waits for its commit to be durable, which makes every commit of this run before it durable
    /// too (<see cref="Running.Durability"/>): a transaction that wrote WAL commits with synchronous_commit on (this
    /// session's setting), and the server flushes WAL in order. A transaction that wrote nothing would commit without
    /// flushing, so the heartbeat's row write is what makes this a flush. False when nothing could be written (the lock
    /// connection is gone, or the row is another session's): then nothing is confirmed.
    /// </summary>
    public async Task<bool> FlushAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_released)
            {
                return false;
            }

            await using var command = Database.Command(_connection, HeartbeatSql);
            if (await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false) > 0)
            {
                return true;
            }

            await using var restore = Database.Command(_connection, RestoreSql, RestoredBy);
            return await restore.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false) > 0;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    private const string HeartbeatSql = "UPDATE public.migration_lock SET heartbeat_at = now() WHERE lock_id = 1 AND backend_pid = pg_backend_pid()";

    private const string RestoreSql = """
        INSERT INTO public.migration_lock (lock_id, locked_by, locked_at, heartbeat_at, backend_pid)
        VALUES (1, $1, now(), now(), pg_backend_pid()) ON CONFLICT (lock_id) DO NOTHING
        """;

    private static string RestoredBy => $"{Environment.UserName}@{Environment.MachineName} pid {Environment.ProcessId} (streambot-migrate)";

    private void Beat()
    {
        if (!_gate.Wait(0))
        {
            return;
        }

        try
        {
            if (_released)
            {
                return;
            }

            using var command = Database.Command(_connection, HeartbeatSql);
            if (command.ExecuteNonQuery() == 0)
            {
                // Someone deleted the row (the runbook's force release). The advisory lock still excludes other
                // appliers; put the row back so others can see who holds the lock.
                using var restore = Database.Command(_connection, RestoreSql, RestoredBy);
                restore.ExecuteNonQuery();
                _log.Info("The migration_lock row was deleted while this run holds the lock; it has been restored.");
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ObjectDisposedException)
        {
            // The lock connection is gone; the server has released the advisory lock. The migration connection
            // will notice on its own; nothing useful to do here.
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _heartbeat.DisposeAsync().ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_released)
            {
                _released = true;
                await using var delete = Database.Command(_connection, "DELETE FROM public.migration_lock WHERE lock_id = 1 AND backend_pid = pg_backend_pid()");
                await delete.ExecuteNonQueryAsync().ConfigureAwait(false);
                await MigrationLock.UnlockAdvisoryAsync(_connection).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // Closing the connection below releases the advisory lock anyway.
        }
        finally
        {
            _gate.Release();
            await _connection.DisposeAsync().ConfigureAwait(false);
            _gate.Dispose();
        }
    }
}
