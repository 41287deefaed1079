using System.Runtime.InteropServices;

namespace StreamBot.Migrations.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM during up or down: the first one cancels the run, which rolls back the running
/// migration, releases the lock and reports what is applied; a second one is not intercepted, so it ends the process
/// at once, as a user pressing Ctrl-C twice expects.
/// </summary>
internal sealed class Interrupts : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    public Interrupts()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, Handle));
        }
    }

    public CancellationToken Token => _cancellation.Token;

    /// <summary>The first signal received, if any.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>The exit code for a run ended by <see cref="Received"/>: 128 plus the signal number, as shells report it.</summary>
    public int ExitCode => Received == PosixSignal.SIGTERM ? 143 : 130;

    internal void Handle(PosixSignalContext context)
    {
        lock (_cancellation)
        {
            if (Received is not null)
            {
                // The second signal: let the runtime end the process.
                return;
            }

            Received = context.Signal;
            context.Cancel = true;
        }

        _cancellation.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancellation.Dispose();
    }
}
