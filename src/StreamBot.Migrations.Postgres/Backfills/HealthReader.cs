using System.Diagnostics;
using Npgsql;
using StreamBot.Migrations.Backfills;

namespace StreamBot.Migrations.Postgres.Backfills;

/// <summary>
/// Reads what the throttle needs, with plain SQL in one round trip and no lock beyond what the statistics views take:
/// every standby's replay position (pg_stat_replication), the oldest open transaction of another session
/// (pg_stat_activity) and whether an anti-wraparound autovacuum is on the table (pg_stat_progress_vacuum).
/// </summary>
/// <remarks>
/// pg_stat_replication's replay_lag is the last measured value and does not grow while a standby's replay is paused;
/// so the reader also remembers where the primary's WAL was at each reading and measures a standby's lag as the age of
/// the oldest reading it has not replayed. Without the pg_monitor role the standbys' positions read as unknown and are
/// said once.
/// </remarks>
internal sealed class HealthReader(NpgsqlConnection connection, int[] ownPids, uint table)
{
    private const string StandbysSql = $"""
        SELECT {Running.ReplicaWait.StandbyName},
               (replay_lsn - '0/0'::pg_lsn)::bigint, extract(epoch FROM replay_lag) * 1000, (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint, state IS NULL
        FROM pg_stat_replication
        """;

    private const string OldestSql = """
        SELECT pid, extract(epoch FROM clock_timestamp() - xact_start) * 1000 FROM pg_stat_activity
        WHERE xact_start IS NOT NULL AND backend_type = 'client backend' AND pid <> ALL($1) AND pid <> pg_backend_pid()
        ORDER BY xact_start LIMIT 1
        """;

    private const string AutovacuumSql = """
        SELECT EXISTS (SELECT 1 FROM pg_stat_progress_vacuum v JOIN pg_stat_activity a ON a.pid = v.pid
                       WHERE v.relid = $1::oid AND a.backend_type = 'autovacuum worker' AND a.query LIKE '%(to prevent wraparound)')
        """;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Queue<(TimeSpan At, long Lsn)> _readings = new();
    private long _lastLsn = -1;

    /// <summary>Whether a standby's position could not be read (the role lacks pg_monitor).</summary>
    public bool StandbysHidden { get; private set; }

    public async Task<DatabaseHealth> ReadAsync(CancellationToken cancellation)
    {
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new(StandbysSql),
                new(OldestSql) { Parameters = { new() { Value = ownPids } } },
                new(AutovacuumSql) { Parameters = { new() { Value = (long)table } } },
            },
        };
        var rows = new List<(string Name, long? Replayed, double? LagMs, long Current, bool Hidden)>();
        int? oldestPid = null;
        TimeSpan? oldest = null;
        bool autovacuum;
        await using (var reader = await batch.ExecuteReaderAsync(cancellation).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : (double)reader.GetDecimal(2), reader.GetInt64(3), reader.GetBoolean(4)));
            }

            await reader.NextResultAsync(cancellation).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                oldestPid = reader.GetInt32(0);
                oldest = TimeSpan.FromMilliseconds((double)reader.GetDecimal(1));
            }

            await reader.NextResultAsync(cancellation).ConfigureAwait(false);
            await reader.ReadAsync(cancellation).ConfigureAwait(false);
            autovacuum = reader.GetBoolean(0);
        }

        var now = _clock.Elapsed;
        if (rows.Count > 0)
        {
            Remember(now, rows[0].Current);
        }

        var standbys = new List<StandbyLag>();
        foreach (var (name, replayed, lagMs, current, hidden) in rows)
        {
            // Without pg_monitor only a standby's pid shows; a standby that has just connected has reported no position yet.
            StandbysHidden |= hidden;
            if (replayed is not { } position)
            {
                continue;
            }

            var waited = _readings.FirstOrDefault(r => r.Lsn > position) is { Lsn: > 0 } first ? now - first.At : TimeSpan.Zero;
            var reported = TimeSpan.FromMilliseconds(lagMs ?? 0);
            standbys.Add(new StandbyLag(name, Math.Max(0, current - position), waited > reported ? waited : reported));
        }

        return new DatabaseHealth(standbys, oldest, oldestPid, autovacuum);
    }

    // One reading per new WAL position, an hour's worth at most: enough to date any lag the throttle acts on.
    private void Remember(TimeSpan now, long lsn)
    {
        if (lsn != _lastLsn)
        {
            _readings.Enqueue((now, lsn));
            _lastLsn = lsn;
        }

        while (_readings.Count > 1 && (now - _readings.Peek().At > TimeSpan.FromHours(1) || _readings.Count > 100_000))
        {
            _readings.Dequeue();
        }
    }
}
