using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Commands;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// The database commands as the CLI calls them: each is a handler over one <see cref="RunSession"/> (in
/// <c>Commands/</c>). Expected failures surface as <see cref="MigrationException"/> with a coded diagnostic.
/// </summary>
/// <param name="options">What to run, where.</param>
/// <param name="log">Where progress and problems go.</param>
/// <param name="cancellation">
/// Ctrl-C or SIGTERM: the running statement is cancelled on the server, its migration's transaction rolled back, the
/// lock released, and the run ends with one coded line (SBM4027) saying what is applied.
/// </param>
public sealed class MigrationRunner(RunOptions options, IRunLog log, CancellationToken cancellation = default)
{
    private RunSession Session() => new(options, log, cancellation);

    /// <summary>Every migration's state and the lock holder. Takes no lock and changes nothing.</summary>
    public Task<StatusReport> StatusAsync() => StatusCommand.RunAsync(Session());

    /// <summary>Applies every pending migration. Returns how many were applied.</summary>
    public Task<int> UpAsync() => UpCommand.RunAsync(Session());

    /// <summary>
    /// Rolls back the last applied migration, or <paramref name="target"/> (its number, name or file name) and every
    /// applied migration numbered after it, newest first. Returns how many were rolled back.
    /// </summary>
    public Task<int> DownAsync(string? target) => DownCommand.RunAsync(Session(), target);

    /// <summary>Records the migrations drizzle-orm's migrator applied in this tool's journal, running none. Returns how many.</summary>
    public Task<int> AdoptAsync() => AdoptCommand.RunAsync(Session());

    /// <summary>
    /// Watches the database for <see cref="RunOptions.Watch"/>'s duration against a baseline taken now: the app's
    /// query times, deadlocks, rollbacks, conflicts and scans. Changes nothing.
    /// </summary>
    public Task<Watching.WatchReport> WatchAsync() => WatchCommand.RunAsync(Session());

    /// <summary>
    /// Restores <paramref name="backup"/> (default: the newest in the backup directory) into a scratch database and
    /// compares it with the manifest recorded when it was taken. Changes nothing of the configured database.
    /// </summary>
    public Task VerifyBackupAsync(string? backup) => VerifyBackupCommand.RunAsync(Session(), backup);

    /// <summary>Records 0000 to <paramref name="to"/> as applied without running them, once their objects are found. Returns how many.</summary>
    public Task<int> BaselineAsync(string to) => BaselineCommand.RunAsync(Session(), to);
}
