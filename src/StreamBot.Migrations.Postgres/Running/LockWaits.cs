using StreamBot.Migrations.Validation;
using System.Diagnostics;
using Npgsql;
using StreamBot.Migrations.Diagnostics;
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
    /// (<paramref name="local"/>) or, for a statement run without one, for the session. With
    /// <paramref name="deferFlush"/>, the transaction's commit does not wait for its WAL flush: the caller makes it
    /// durable with a later flush (<see cref="Durability"/>) before it reports the migration applied.
    /// </summary>
    public static NpgsqlBatchCommand Settings(TimeSpan lockTimeout, TimeSpan? statementTimeout, bool local, bool deferFlush = false)
    {
        var sql = "SELECT set_config('lock_timeout', $1, $2)";
        var command = new NpgsqlBatchCommand();
        command.Parameters.Add(new NpgsqlParameter { Value = LockPolicy.Setting(lockTimeout) });
        command.Parameters.Add(new NpgsqlParameter { Value = local });
        if (statementTimeout is { } timeout)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = LockPolicy.Setting(timeout) });
            sql += ", set_config('statement_timeout', $3, $2)";
        }

        if (deferFlush && local)
        {
            sql += ", set_config('synchronous_commit', 'off', true)";
        }

        command.CommandText = sql;
        return command;
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> until it does not time out waiting for a lock, with backoff between attempts and
    /// the sessions that blocked it logged each time; gives up with SBM4032 when attempts or time run out. Every attempt
    /// has rolled back (or, for one statement without a transaction, not taken effect) when it times out, so no table
    /// lock is held while waiting; the migration lock and its heartbeat are untouched.
    /// </summary>
    public async Task RetryOnLockTimeoutAsync(WaitSite site, Func<Task> attempt)
    {
        var clock = Stopwatch.StartNew();
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

            var (line, column) = site.Position(timedOut.Statement);
            var locks = site.Locks;
            var tables = locks[timedOut.Statement].Count > 0 ? locks[timedOut.Statement] : locks.SelectMany(l => l).DistinctBy(l => l.Table).ToList();
            var waitedFor = tables.Count == 0 ? "a lock" : string.Join(", ", tables.Select(t => $"{t.Mode.Describe()} on {t.Table}"));
            var blockers = await BlockingSessions.FindAsync(connection, tables.Select(t => t.Table).ToList(), ownPids).ConfigureAwait(false);
            var backoff = policy.Backoff(attempts, _jitter);
            if (attempts >= policy.MaxAttempts || clock.Elapsed + backoff + site.LockTimeout > policy.RetryBudget)
            {
                throw new MigrationException(RunDiagnostics.BlockedByLocks(site.Path, line, column, site.NotDone, attempts, clock.Elapsed,
                    LockPolicy.Describe(site.LockTimeout), waitedFor, blockers.Select(b => b.ToString()).ToList()));
            }

            log.Info($"  {site.Name} line {line}: lock_timeout ({LockPolicy.Describe(site.LockTimeout)}) waiting for {waitedFor}; " +
                $"{(site.WholeTransaction ? "rolled back" : "the statement did not run")}, attempt {attempts} of {policy.MaxAttempts}, retrying in {LockPolicy.Describe(backoff)}. " +
                (blockers.Count == 0 ? "The blocker has already ended." : "Blocked by: " + string.Join("; ", blockers.Select(b => b.ToString()))));
            await Task.Delay(backoff, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Warns (SBM4033), for each of <paramref name="migrations"/>, about sessions in long or idle transactions that hold
    /// locks on tables it locks against writes. One query for the whole run, before its first migration: a session that
    /// starts lingering later is still named when a statement's lock_timeout expires.
    /// </summary>
    public async Task WarnAboutBlockersAsync(IReadOnlyList<ValidatedMigration> migrations)
    {
        var tables = migrations.SelectMany(m => m.TablesLockedAgainstWrites).Distinct(StringComparer.Ordinal).ToList();
        if (tables.Count == 0)
        {
            return;
        }

        var olderThan = migrations.Min(LockTimeout);
        var blockers = await BlockingSessions.FindAsync(connection, tables, ownPids, onlyLingering: true, olderThan).ConfigureAwait(false);
        foreach (var migration in blockers.Count == 0 ? [] : migrations)
        {
            var strong = migration.TablesLockedAgainstWrites;
            var theirs = blockers.Where(b => b.Relations.Any(strong.Contains)).Select(b => b.ToString()).ToList();
            if (theirs.Count > 0)
            {
                log.Report(RunDiagnostics.BlockersPresent(migration.File.FullPath, migration.File.FileName, string.Join(", ", strong), theirs));
            }
        }
    }

    /// <summary>A statement gave up waiting for a lock (SQLSTATE 55P03, lock_not_available); nothing of its attempt remains.</summary>
    public sealed class TimedOut(int statement) : Exception
    {
        public int Statement { get; } = statement;
    }
}

/// <summary>Where a lock wait can happen: a migration's statements, or a rollback's README statements.</summary>
/// <param name="Path">The file the statements are in (for the error's location).</param>
/// <param name="Name">How the log names it ("0004_x.sql", "rollback of 0004_x").</param>
/// <param name="NotDone">What the error says did not happen ("0004_x.sql was not applied").</param>
/// <param name="LockTimeout">The lock_timeout its statements run with.</param>
/// <param name="WholeTransaction">Whether a timeout rolls back all of it (else one statement without a transaction).</param>
/// <param name="Position">Line and column of statement i.</param>
/// <param name="Locks">Each statement's locks on existing tables (where to look for blockers).</param>
internal sealed record WaitSite(string Path, string Name, string NotDone, TimeSpan LockTimeout, bool WholeTransaction,
    Func<int, (int Line, int Column)> Position, IReadOnlyList<IReadOnlyList<TableLock>> Locks)
{
    public static WaitSite Of(ValidatedMigration migration, IReadOnlyList<IReadOnlyList<TableLock>> locks, TimeSpan lockTimeout, bool wholeTransaction) =>
        new(migration.File.FullPath, migration.File.FileName, $"{migration.File.FileName} was not applied", lockTimeout, wholeTransaction,
            i => (migration.Script.Statements[i].Line, migration.Script.Statements[i].Column), locks);
}
