using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Validation;
using System.Diagnostics;
using StreamBot.Migrations.Postgres.Locking;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// Reports a statement that runs long: every interval, the lock connection asks pg_stat_activity what the
/// migration connection is executing, and the line of that statement in the file is printed with the elapsed time.
/// </summary>
internal sealed class StatementProgress : IAsyncDisposable
{
    private readonly Timer _timer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public StatementProgress(ValidatedMigration migration, int migrationBackendPid, LockLease? lease, TimeSpan interval, IRunLog log)
    {
        _timer = new Timer(_ => _ = ReportAsync(), null, interval, interval);

        async Task ReportAsync()
        {
            var line = "?";
            try
            {
                if (lease is not null)
                {
                    var query = await lease.QueryAsync<string>("SELECT query FROM pg_stat_activity WHERE pid = $1", migrationBackendPid).ConfigureAwait(false);
                    if (query is not null && migration.Script.IndexOf(query) is >= 0 and var index)
                    {
                        line = migration.Script.Statements[index].Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or ObjectDisposedException)
            {
                // Progress is best effort; the statement's own outcome is reported by the runner.
            }

            log.Info($"  ... {migration.File.FileName}: statement at line {line} still running, {_clock.Elapsed.TotalSeconds:F0} s elapsed");
        }
    }

    public ValueTask DisposeAsync() => _timer.DisposeAsync();
}
