using System.Diagnostics;
using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// Keeps read replicas in step: after a migration commits, waits until every standby pg_stat_replication shows has
/// replayed the primary's WAL up to that commit, so the new code never reads a replica that lacks the migration.
/// Costs the replay time of each migration (usually milliseconds; as long as a standby is behind, otherwise).
/// </summary>
internal static class ReplicaWait
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>How a standby is named in messages, as a pg_stat_replication select expression: its application_name (or pid) and address.</summary>
    public const string StandbyName = "coalesce(nullif(application_name, ''), 'pid ' || pid) || ' at ' || coalesce(host(client_addr), 'a local socket')";

    private const string BehindSql = $"""
        SELECT {StandbyName} || coalesce(' (state ' || state || ')', ''),
               state IS NOT NULL, coalesce(pg_wal_lsn_diff($1::pg_lsn, replay_lsn), 1)::bigint
        FROM pg_stat_replication
        """;

    /// <summary>Waits for the standbys to replay what <paramref name="migration"/> committed; SBM4043 after <paramref name="bound"/>.</summary>
    public static async Task WaitAsync(NpgsqlConnection connection, ValidatedMigration migration, TimeSpan bound, IRunLog log, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        string target;
        await using (var position = Database.Command(connection, "SELECT pg_current_wal_insert_lsn()::text"))
        {
            target = (string)(await position.ExecuteScalarAsync(cancellation).ConfigureAwait(false))!;
        }

        while (true)
        {
            var standbys = new List<(string Name, bool Visible, long Behind)>();
            await using (var command = Database.Command(connection, BehindSql, target))
            await using (var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
                {
                    standbys.Add((reader.GetString(0), reader.GetBoolean(1), reader.GetInt64(2)));
                }
            }

            if (standbys.Count == 0)
            {
                log.Info($"  {migration.File.FileName}: no standby is attached to this server, so there is none to wait for.");
                return;
            }

            // A standby that has not reported a position yet counts as behind (1 byte).
            var behind = standbys.Where(s => !s.Visible || s.Behind > 0).ToList();
            if (behind.Count == 0)
            {
                log.Info($"  {migration.File.FileName}: replayed by {standbys.Count} standby(s) after {DeployDiagnostics.Duration(clock.Elapsed)}.");
                return;
            }

            if (clock.Elapsed >= bound)
            {
                throw new MigrationException(BackfillDiagnostics.StandbysBehind(migration.File.FullPath, migration.File.FileName, bound,
                    behind.Select(s => s.Visible ? $"{s.Name}, {Migrations.Backfills.BackfillThrottle.Bytes(s.Behind)} behind" : $"{s.Name}, its position hidden from this role (grant it pg_monitor)").ToList()));
            }

            await Task.Delay(Poll, cancellation).ConfigureAwait(false);
        }
    }
}
