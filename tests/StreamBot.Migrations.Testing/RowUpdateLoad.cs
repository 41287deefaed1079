using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace StreamBot.Migrations.Testing;

/// <summary>
/// The bot's writes during a change to live data: sessions updating random rows of <c>message_history</c>
/// (<c>app_touches = app_touches + 1</c>) in short transactions, each write timed from the moment measuring starts.
/// The backfill tests and the backfill benchmark both stand on it.
/// </summary>
public sealed class RowUpdateLoad : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _sessions = [];
    private readonly ConcurrentBag<double> _waits = [];
    private volatile bool _measuring;

    /// <param name="connectionString">Npgsql's connection string of the database.</param>
    /// <param name="rows">Ids 1 to this are updated.</param>
    /// <param name="sessions">Concurrent sessions.</param>
    /// <param name="pause">A pause after each write (zero: back to back).</param>
    /// <param name="measuring">Time writes from the start, or only after <see cref="Measure"/>.</param>
    public RowUpdateLoad(string connectionString, int rows, int sessions, TimeSpan pause, bool measuring = true)
    {
        _measuring = measuring;
        for (var s = 0; s < sessions; s++)
        {
            var seed = s;
            _sessions.Add(Task.Run(async () =>
            {
                var random = new Random(seed);
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("UPDATE message_history SET app_touches = app_touches + 1 WHERE id = $1", connection)
                {
                    Parameters = { new() { Value = 0L } },
                    CommandTimeout = 0,
                };
                while (!_stop.IsCancellationRequested)
                {
                    command.Parameters[0].Value = (long)random.Next(1, rows + 1);
                    var clock = Stopwatch.StartNew();
                    await command.ExecuteNonQueryAsync();
                    if (_measuring)
                    {
                        _waits.Add(clock.Elapsed.TotalMilliseconds);
                    }

                    if (pause > TimeSpan.Zero)
                    {
                        await Task.Delay(pause);
                    }
                }
            }));
        }
    }

    /// <summary>Starts timing the writes.</summary>
    public void Measure() => _measuring = true;

    /// <summary>
    /// Stops the sessions and returns each timed write's milliseconds. A write that waited for a change's locks
    /// completes just after the change commits: it is timed and counted before the sessions stop.
    /// </summary>
    public List<double> Stop()
    {
        _stop.Cancel();
        Task.WaitAll([.. _sessions]);
        _measuring = false;
        return [.. _waits];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
