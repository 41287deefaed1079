using System.Diagnostics;
using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Safety;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// How a migration waits for table locks, as <see cref="LockPolicy"/> sets it out: the timeouts its statements run
/// with, the retries after a lock timeout, and the sessions named when one blocks it.
/// </summary>
/// <param name="connection">The migration's connection (free between attempts, so it looks for the blockers).</param>
/// <param name="ownPids">This run's server sessions, never reported as blockers.</param>
/// <param name="policy">Timeouts and retry limits.</param>
/// <param name="log">Where retries and warnings go.</param>
/// <param name="cancellation">Ctrl-C: ends a backoff at once.</param>
internal sealed class LockWaits(NpgsqlConnection connection, int[] ownPids, LockPolicy policy, IRunLog log, CancellationToken cancellation)
{
    private readonly Random _jitter = new();

    public TimeSpan LockTimeout(ValidatedMigration migration) => migration.Settings.LockTimeout ?? policy.LockTimeout;

    public TimeSpan? StatementTimeout(ValidatedMigration migration) => migration.Settings.StatementTimeout ?? policy.StatementTimeout;

    /// <summary>
    /// set_config of lock_timeout (and statement_timeout when configured) for the migration's transaction
    /// (<paramref name="local"/>) or, for a statement run without one, for the session.
    /// </summary>
    public static NpgsqlBatchCommand Settings(TimeSpan lockTimeout, TimeSpan? statementTimeout, bool local)
    {
        var command = new NpgsqlBatchCommand(statementTimeout is null
            ? "SELECT set_config('lock_timeout', $1, $2)"
            : "SELECT set_config('lock_timeout', $1, $2), set_config('statement_timeout', $3, $2)");
        command.Parameters.Add(new NpgsqlParameter { Value = LockPolicy.Setting(lockTimeout) });
        command.Parameters.Add(new NpgsqlParameter { Value = local });
        if (statementTimeout is { } timeout)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = LockPolicy.Setting(timeout) });
        }

        return command;
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> until it does not time out waiting for a lock, with backoff between attempts and
    /// the sessions that blocked it logged each time; gives up with SBM4032 when attempts or time run out. Every attempt
    /// has rolled back (or, for one statement without a transaction, not taken effect) when it times out, so no table
    /// lock is held while waiting; the migration lock and its heartbeat are untouched.
    /// </summary>
    public async Task RetryOnLockTimeoutAsync(ValidatedMigration migration, IReadOnlyList<IReadOnlyList<TableLock>> locks, Stopwatch clock, int onlyStatement, Func<Task> attempt)
    {
        
        var started = clock.Elapsed;
        for (var attempts = 1; ; attempts++)
        {
            TimedOut timedOut;
            try
            {
                await attempt().ConfigureAwait(false);
                return;
            }
            catch (TimedOut e)
            {
                timedOut = e;
            }

            var statement = migration.Script.Statements[timedOut.Statement];
            var tables = locks[timedOut.Statement].Count > 0 ? locks[timedOut.Statement] : locks.SelectMany(l => l).DistinctBy(l => l.Table).ToList();
            var waitedFor = tables.Count == 0 ? "a lock" : string.Join(", ", tables.Select(t => $"{t.Mode.Describe()} on {t.Table}"));
            var blockers = await BlockingSessions.FindAsync(connection, tables.Select(t => t.Table).ToList(), ownPids).ConfigureAwait(false);
            var spent = clock.Elapsed - started;
            var backoff = policy.Backoff(attempts, _jitter);
            if (attempts >= policy.MaxAttempts || spent + backoff + LockTimeout(migration) > policy.RetryBudget)
            {
                var (line, column) = (statement.Line, statement.Column);
                throw new MigrationException(RunDiagnostics.BlockedByLocks(migration.File.FullPath, line, column, migration.File.FileName, attempts, spent,
                    LockPolicy.Describe(LockTimeout(migration)), waitedFor, blockers.Select(b => b.ToString()).ToList()));
            }

            log.Info($"  {migration.File.FileName} line {statement.Line}: lock_timeout ({LockPolicy.Describe(LockTimeout(migration))}) waiting for {waitedFor}; " +
                $"{(onlyStatement >= 0 ? "the statement did not run" : "rolled back")}, attempt {attempts} of {policy.MaxAttempts}, retrying in {LockPolicy.Describe(backoff)}. " +
                (blockers.Count == 0 ? "The blocker has already ended." : "Blocked by: " + string.Join("; ", blockers.Select(b => b.ToString()))));
            await Task.Delay(backoff, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Warns (SBM4033) when sessions in long or idle transactions hold locks on tables the migration locks strongly.</summary>
    public async Task WarnAboutBlockersAsync(ValidatedMigration migration, IReadOnlyList<IReadOnlyList<TableLock>> locks)
    {
        var strong = locks.SelectMany(l => l).Where(l => l.Mode.BlocksWrites()).Select(l => l.Table).Distinct().ToList();
        if (strong.Count == 0)
        {
            return;
        }

        var blockers = await BlockingSessions.FindAsync(connection, strong, ownPids, onlyLingering: true, LockTimeout(migration)).ConfigureAwait(false);
        if (blockers.Count > 0)
        {
            log.Report(RunDiagnostics.BlockersPresent(migration.File.FullPath, migration.File.FileName, string.Join(", ", strong), blockers.Select(b => b.ToString()).ToList()));
        }
    }

    /// <summary>A statement gave up waiting for a lock (SQLSTATE 55P03, lock_not_available); nothing of its attempt remains.</summary>
    public sealed class TimedOut(int statement) : Exception
    {
        public int Statement { get; } = statement;
    }
}
