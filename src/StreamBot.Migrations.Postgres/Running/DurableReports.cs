using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Locking;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// Reports each migration applied once its commit is durable (<see cref="Durability"/>). Migrations commit without
/// waiting for their WAL flush; a flush on any session of the server makes every commit before it durable, because the
/// server writes WAL in order. So while the migration connection runs the next migrations, the lock connection (idle
/// between heartbeats) flushes a few times a second and the waiting "Applied" lines are printed in order; the command
/// flushes once more at its end, and before it reports a failure or an interruption.
/// </summary>
internal sealed class DurableReports : IAsyncDisposable
{
    // How long a committed migration may wait for its "Applied" line while later ones run.
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);

    private readonly LockLease _lease;
    private readonly IRunLog _log;
    private readonly SemaphoreSlim _reporting = new(1, 1);
    private readonly List<AppliedMigration> _waiting = [];
    private readonly Timer _timer;

    private readonly Action<AppliedMigration>? _durable;

    /// <param name="lease">The lock, whose connection flushes.</param>
    /// <param name="log">Where the "Applied" lines go.</param>
    /// <param name="durable">Told of each migration once it is reported applied (the webhook).</param>
    public DurableReports(LockLease lease, IRunLog log, Action<AppliedMigration>? durable = null)
    {
        _lease = lease;
        _log = log;
        _durable = durable;
        _timer = new Timer(_ => _ = FlushOnLockConnectionAsync(), null, Every, Every);
    }

    /// <summary>A migration committed; it is reported once a flush covers it.</summary>
    public void Committed(AppliedMigration migration)
    {
        lock (_waiting)
        {
            _waiting.Add(migration);
        }
    }

    /// <summary>
    /// Flushes and reports every waiting migration. False when no flush could be confirmed (the lock connection is gone,
    /// most likely with the server): the waiting migrations are then named as committed, not as applied.
    /// </summary>
    public async Task<bool> FlushAsync()
    {
        await _reporting.WaitAsync().ConfigureAwait(false);
        try
        {
            var waiting = Take(int.MaxValue);
            if (waiting.Count == 0)
            {
                return true;
            }

            if (!await _lease.FlushAsync().ConfigureAwait(false))
            {
                // The server flushes committed WAL on its own within a moment unless it crashed; status tells which.
                _log.Info($"Committed, but not confirmed durable (no durable write could be made on the lock connection): {string.Join(", ", waiting.Select(w => w.FileName))}; run status once the server answers.");
                return false;
            }

            Report(waiting);
            return true;
        }
        finally
        {
            _reporting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        await _reporting.WaitAsync().ConfigureAwait(false);
        _reporting.Release();
    }

    private async Task FlushOnLockConnectionAsync()
    {
        if (!await _reporting.WaitAsync(0).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            int count;
            lock (_waiting)
            {
                count = _waiting.Count;
            }

            // Only the migrations committed before the flush starts are covered by it.
            if (count > 0 && await _lease.FlushAsync().ConfigureAwait(false))
            {
                Report(Take(count));
            }
        }
        finally
        {
            _reporting.Release();
        }
    }

    private List<AppliedMigration> Take(int count)
    {
        lock (_waiting)
        {
            var taken = _waiting.Take(count).ToList();
            _waiting.RemoveRange(0, taken.Count);
            return taken;
        }
    }

    private void Report(List<AppliedMigration> durable) => durable.ForEach(m =>
    {
        _log.Info(m.Report);
        _durable?.Invoke(m);
    });
}
