using System.Diagnostics;
using Npgsql;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Postgres.Locking;

/// <summary>
/// The runbook's migration_lock table (lock_id = 1), made safe. The real exclusion is a session advisory lock held
/// by a dedicated connection: the server releases it the moment that session ends (process killed, connection
/// lost), and a live holder keeps it however long its migration runs. The row shows who holds the lock, refreshed
/// by a heartbeat, so <c>SELECT * FROM migration_lock</c> still answers "who?" and
/// <c>DELETE FROM migration_lock WHERE lock_id = 1</c> still clears a row left by something else.
/// </summary>
internal static class MigrationLock
{
    // "SBMIGRAT" as a 64-bit key: advisory locks are per database, so one key serves every database.
    public const long AdvisoryKey = 0x53424D4947524154;

    // One lock per database (the advisory key is per database), so one row per database too: always in public,
    // whatever the journal's schema or the session's search_path, where the runbook's commands find it.
    private const string Table = "public.migration_lock";

    private static readonly string[] AddedColumns = ["heartbeat_at timestamptz", "backend_pid integer"];

    public static async Task<LockLease> AcquireAsync(ConnectionSettings settings, LockOptions options, string purpose, IRunLog log, CancellationToken cancellation = default)
    {
        // Durable: a commit on this session (a heartbeat, a flush for DurableReports) waits for the WAL flush.
        var connection = await Database.OpenAsync(settings, "lock", durableCommits: true, cancellation).ConfigureAwait(false);
        try
        {
            var backendPid = await PoolerCheck.RefuseIfPooledAsync(connection, settings, cancellation).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            var nextReport = TimeSpan.Zero;
            while (true)
            {
                if (await TryAdvisoryAsync(connection, backendPid, settings).ConfigureAwait(false))
                {
                    await EnsureTableAsync(connection).ConfigureAwait(false);
                    var holder = await ReadHolderAsync(connection).ConfigureAwait(false);
                    if (holder is null || !holder.BackendAlive || DateTimeOffset.UtcNow - holder.HeartbeatAt > options.StaleTimeout)
                    {
                        if (holder is not null)
                        {
                            log.Report(ConnectionDiagnostics.StaleLockTaken(holder.ToString()));
                        }

                        await ClaimAsync(connection, purpose).ConfigureAwait(false);
                        return new LockLease(connection, backendPid, options.HeartbeatInterval, log);
                    }

                    // A row kept fresh by someone who does not use the advisory lock (an older tool, or a manual
                    // INSERT): respect it until it goes stale.
                    await UnlockAdvisoryAsync(connection).ConfigureAwait(false);
                    ReportWait(holder);
                }
                else if (clock.Elapsed >= nextReport)
                {
                    ReportWait(await ReadHolderAsync(connection).ConfigureAwait(false));
                }

                if (clock.Elapsed >= options.WaitTimeout)
                {
                    var holder = await ReadHolderAsync(connection).ConfigureAwait(false);
                    throw new MigrationException(ConnectionDiagnostics.LockTimeout(options.WaitTimeout, holder?.ToString()));
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellation).ConfigureAwait(false);
            }

            void ReportWait(LockHolder? holder)
            {
                if (clock.Elapsed >= nextReport)
                {
                    log.Info($"Waiting for the migration lock, held by {holder?.ToString() ?? "another session"} ...");
                    nextReport = clock.Elapsed + TimeSpan.FromSeconds(10);
                }
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The current holder, for status; never waits and never takes a lock.</summary>
    public static async Task<LockHolder?> ReadHolderAsync(NpgsqlConnection connection)
    {
        await using var exists = Database.Command(connection, $"SELECT to_regclass('{Table}') IS NOT NULL");
        if (!(bool)(await exists.ExecuteScalarAsync().ConfigureAwait(false))!)
        {
            return null;
        }

        await using var command = Database.Command(connection, $"""
            SELECT l.locked_by::text, l.locked_at, COALESCE(l.heartbeat_at, l.locked_at), l.backend_pid,
                   EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.backend_pid)
            FROM {Table} l WHERE l.lock_id = 1
            """);
        try
        {
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            if (!await reader.ReadAsync().ConfigureAwait(false))
            {
                return null;
            }

            var pid = reader.IsDBNull(3) ? (int?)null : reader.GetInt32(3);
            return new LockHolder(
                reader.IsDBNull(0) ? "(unknown)" : reader.GetString(0),
                reader.IsDBNull(1) ? DateTimeOffset.MinValue : reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? DateTimeOffset.MinValue : reader.GetFieldValue<DateTimeOffset>(2),
                pid,
                // Without a pid the holder cannot be checked; count it alive and let staleness decide.
                pid is null || reader.GetBoolean(4));
        }
        catch (Exception e) when (e is PostgresException { SqlState: "42703" or "42804" } or InvalidCastException or FormatException)
        {
            throw new MigrationException(ConnectionDiagnostics.LockTableUnusable((e is PostgresException p ? p.MessageText : e.Message).TrimEnd('.')));
        }
    }

    internal static async Task<bool> TryAdvisoryAsync(NpgsqlConnection connection, int backendPid, ConnectionSettings settings)
    {
        await using var command = Database.Command(connection, "SELECT pg_try_advisory_lock($1)", AdvisoryKey);
        if (!(bool)(await command.ExecuteScalarAsync().ConfigureAwait(false))!)
        {
            return false;
        }

        // The pooler check ran before; this is its safety net. The next transaction must still be in the session that
        // holds the lock; if a pooler moved it, the lock is given back from whichever pooled session holds it.
        await using var check = Database.Command(connection, "SELECT pg_backend_pid()");
        var pidNow = (int)(await check.ExecuteScalarAsync().ConfigureAwait(false))!;
        if (pidNow == backendPid)
        {
            return true;
        }

        for (var attempt = 0; attempt < 200; attempt++)
        {
            await using var unlock = Database.Command(connection, "SELECT pg_advisory_unlock($1)", AdvisoryKey);
            if ((bool)(await unlock.ExecuteScalarAsync().ConfigureAwait(false))!)
            {
                break;
            }
        }

        throw new MigrationException(ConnectionDiagnostics.PooledConnection(settings.Describe(),
            $"the lock taken in server session pid {backendPid} was not there for the next transaction, which ran in pid {pidNow}"));
    }

    internal static async Task UnlockAdvisoryAsync(NpgsqlConnection connection)
    {
        await using var command = Database.Command(connection, "SELECT pg_advisory_unlock($1)", AdvisoryKey);
        await command.ExecuteScalarAsync().ConfigureAwait(false);
    }

    private static async Task EnsureTableAsync(NpgsqlConnection connection)
    {
        // Only ever run while holding the advisory lock, so concurrent first runs cannot race on CREATE TABLE. Status
        // and waiters read the table without that lock, so it must never be visible half-built: a new table is
        // created whole, and the runbook's older table gains this tool's columns in one transaction. Both need the
        // table's owner, so they run only when the shape must change: a deploy role with DML grants uses the table
        // as it is.
        var missing = await MissingColumnsAsync(connection).ConfigureAwait(false);
        if (missing is { Count: 0 })
        {
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using var command = Database.Command(connection, missing is null
            ? $"""
                CREATE TABLE IF NOT EXISTS {Table} (
                    lock_id integer PRIMARY KEY CHECK (lock_id = 1),
                    locked_by text NOT NULL,
                    locked_at timestamptz NOT NULL DEFAULT now(),
                    heartbeat_at timestamptz,
                    backend_pid integer
                )
                """
            : $"ALTER TABLE {Table} {string.Join(", ", missing.Select(c => $"ADD COLUMN IF NOT EXISTS {c}"))}");
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        await transaction.CommitAsync().ConfigureAwait(false);
    }

    /// <summary>The columns this tool added to the runbook's table that it lacks; null when there is no table.</summary>
    private static async Task<List<string>?> MissingColumnsAsync(NpgsqlConnection connection)
    {
        var present = await Database.ColumnsAsync(connection, Table).ConfigureAwait(false);

        return present.Count == 0 ? null : AddedColumns.Where(c => !present.Contains(c.Split(' ')[0])).ToList();
    }

    private static async Task ClaimAsync(NpgsqlConnection connection, string purpose)
    {
        var who = $"{Environment.UserName}@{Environment.MachineName} pid {Environment.ProcessId} (streambot-migrate {purpose})";
        await using var command = Database.Command(connection, $"""
            INSERT INTO {Table} (lock_id, locked_by, locked_at, heartbeat_at, backend_pid)
            VALUES (1, $1, now(), now(), pg_backend_pid())
            ON CONFLICT (lock_id) DO UPDATE
            SET locked_by = EXCLUDED.locked_by, locked_at = now(), heartbeat_at = now(), backend_pid = pg_backend_pid()
            """, who);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
