using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Backup;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Testing;

namespace StreamBot.Migrations.Benchmarks;

/// <summary>
/// The same change to message_history as one UPDATE and as a backfill, side by side, on a primary with a streaming
/// standby of its own (pg_basebackup on loopback): the total time, what the bot's writes felt meanwhile (4 sessions
/// updating random rows of the same table: p50, p99, max), the standby's peak replay lag, and the table's size and
/// dead rows right after. Whole servers and real clients, so a timed script, not a BenchmarkDotNet job
/// (README.md, "Benchmarks").
/// </summary>
internal static class BackfillBenchmark
{
    private const string Change = "UPDATE message_history SET platform = 'twitch'";

    public static int Run(int rows)
    {
        using var servers = new ReplicatedPostgres();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"message_history with {rows:N0} rows; the change: {Change}; the app: 4 sessions updating random rows; a streaming standby attached"));
        Console.WriteLine($"  {"as",-14} {"total",8} {"app p50",9} {"app p99",9} {"app max",9} {"writes",8} {"standby peak",20} {"size after",11} {"dead rows",10}");
        foreach (var asBackfill in new[] { false, true })
        {
            var url = servers.CreateDatabase();
            Prepare(url, rows);
            var result = Measure(url, rows, asBackfill);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {(asBackfill ? "backfill" : "one UPDATE"),-14} {result.Total.TotalSeconds,7:F1}s {result.P50,7:F1}ms {result.P99,7:F1}ms {result.Max,7:F0}ms {result.Writes,8} {result.PeakLagMb,8:F0} MB {result.PeakLagSeconds,6:F1} s {result.SizeMb,8:F0} MB {result.DeadPercent,9:F1}%"));
        }

        return 0;
    }

    private sealed record Result(TimeSpan Total, double P50, double P99, double Max, long Writes, double PeakLagMb, double PeakLagSeconds, double SizeMb, double DeadPercent);

    private static void Prepare(string url, int rows)
    {
        using var connection = Open(url);
        foreach (var sql in new[]
        {
            "CREATE EXTENSION pgstattuple",
            "CREATE TABLE message_history (id bigint PRIMARY KEY, channel_id int NOT NULL, platform text, body text NOT NULL, app_touches int NOT NULL DEFAULT 0)",
            $"INSERT INTO message_history (id, channel_id, body) SELECT g, g % 500, 'chat message number ' || g || ' from a viewer of the stream' FROM generate_series(1, {rows}) g",
            "VACUUM ANALYZE message_history",
            "CHECKPOINT",
        })
        {
            using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            command.ExecuteNonQuery();
        }
    }

    private static Result Measure(string url, int rows, bool asBackfill)
    {
        using var load = new RowUpdateLoad(ConnectionSettings.Parse(url, "bench", out _)!.ToNpgsql("bench"), rows, sessions: 4, TimeSpan.Zero, measuring: false);
        using var lag = new LagSampler(url);
        Thread.Sleep(1000);
        load.Measure();
        var clock = Stopwatch.StartNew();
        if (asBackfill)
        {
            RunBackfill(url);
        }
        else
        {
            using var connection = Open(url);
            using var command = new NpgsqlCommand(Change, connection) { CommandTimeout = 0 };
            command.ExecuteNonQuery();
        }

        var total = clock.Elapsed;
        var waits = load.Stop();
        var (peakBytes, peakSeconds) = lag.Stop();
        using var after = Open(url);
        using var size = new NpgsqlCommand("SELECT pg_relation_size('message_history'), dead_tuple_percent FROM pgstattuple('message_history')", after);
        using var reader = size.ExecuteReader();
        reader.Read();
        return new Result(total, Percentile(waits, 0.50), Percentile(waits, 0.99), waits.Max(), waits.Count, peakBytes / 1048576.0, peakSeconds,
            reader.GetInt64(0) / 1048576.0, reader.GetDouble(1));
    }

    private static void RunBackfill(string url)
    {
        var folder = Path.Combine(Path.GetTempPath(), "sbm-backfill-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "0000_fill_platform.sql"), $"-- streambot:backfill\n{Change};\n");
            File.WriteAllText(Path.Combine(folder, "README.md"), "# Migrations\n\n### 0000_fill_platform.sql\n**Status**: ok\n**Purpose**: platform\n**Date**: 2026-12-06\n\n**Changes**:\n- platform\n\n**Rollback**: Not recommended - data only\n");
            var settings = ConnectionSettings.Parse(url, "bench", out _)!;
            var options = new RunOptions(folder, settings, QualifiedName.Parse(RunOptions.DefaultJournalTable), new LockOptions(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10)),
                new BackupOptions(false, folder, "streambot"));
            new MigrationRunner(options, new QuietLog()).UpAsync().GetAwaiter().GetResult();
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    private static NpgsqlConnection Open(string url)
    {
        var connection = new NpgsqlConnection(ConnectionSettings.Parse(url, "bench", out _)!.ToNpgsql("bench"));
        connection.Open();
        return connection;
    }

    private static double Percentile(List<double> values, double share)
    {
        values.Sort();
        return values.Count == 0 ? 0 : values[Math.Min(values.Count - 1, (int)(share * values.Count))];
    }

    /// <summary>The run's lines are not the benchmark's output; an error still shows.</summary>
    private sealed class QuietLog : IRunLog
    {
        public void Info(string line)
        {
            if (line.Contains("paused", StringComparison.Ordinal) || line.Contains(" done: ", StringComparison.Ordinal))
            {
                Console.WriteLine("    " + line.Trim());
            }
        }

        public void Report(Diagnostic diagnostic)
        {
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                Console.WriteLine(diagnostic.ToString());
            }
        }
    }

    /// <summary>The standby's replay lag as the primary sees it, every 100 ms: the WAL it has not replayed, and pg_stat_replication's replay_lag.</summary>
    private sealed class LagSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<(long Bytes, double Seconds)> _sampling;

        public LagSampler(string url)
        {
            _sampling = Task.Run(() =>
            {
                using var connection = Open(url);
                using var command = new NpgsqlCommand(
                    "SELECT coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0)::bigint, coalesce(max(extract(epoch FROM replay_lag)), 0)::float8 FROM pg_stat_replication", connection);
                var (bytes, seconds) = (0L, 0.0);
                while (!_stop.IsCancellationRequested)
                {
                    using (var reader = command.ExecuteReader())
                    {
                        reader.Read();
                        bytes = Math.Max(bytes, reader.GetInt64(0));
                        seconds = Math.Max(seconds, reader.GetDouble(1));
                    }

                    Thread.Sleep(100);
                }

                return (bytes, seconds);
            });
        }

        public (long Bytes, double Seconds) Stop()
        {
            _stop.Cancel();
            return _sampling.Result;
        }

        public void Dispose() => _stop.Dispose();
    }
}
