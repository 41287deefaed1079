using StreamBot.Migrations.Postgres.Telemetry;
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
    public static NpgsqlBatchCommand Settings(TimeSpan lockTimeout, TimeSpan? statementTimeout, bool local, bool deferFlush = false, string? before = null)
    {
        var sql = $"SELECT {(before is null ? string.Empty : before + ", ")}set_config('lock_timeout', $1, $2)";
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
    /// Runs <paramref name="attempt"/> (given its lock_timeout and its number) until it does not time out waiting for a lock. Before
    /// each attempt, the sessions that hold or wait for a conflicting lock on its tables in a lingering transaction are
    /// waited out without queueing (<see cref="WaitForBlockersToEndAsync"/>); the attempt then runs with a lock_timeout
    /// that starts short and grows on each retry (<see cref="LockPolicy.LockTimeoutOf"/>). Gives up with SBM4032 when
    /// attempts or time run out. Every attempt has rolled back (or, for one statement without a transaction, not taken
    /// effect) when it times out, so no table lock is held while waiting; the migration lock and its heartbeat are
    /// untouched. Returns how many attempts it took.
    /// </summary>
    public async Task<int> RetryOnLockTimeoutAsync(WaitSite site, Func<TimeSpan, int, Task> attempt)
    {
        var clock = Stopwatch.StartNew();
        var needed = BlockingLocks(site.Locks.SelectMany(l => l));
        // A site whose attempt carries the guard (BlockingSessions.GuardCommand) looks for blockers in the same round
        // trip as its statements; one without it looks first.
        var lookFirst = !site.GuardedInBatch;
        for (var attempts = 1; ; attempts++)
        {
            var lockTimeout = policy.LockTimeoutOf(attempts, site.LockTimeout);
            TimedOut timedOut;
            while (true)
            {
                if (lookFirst)
                {
                    await WaitForBlockersToEndAsync(site, needed, lockTimeout, attempts, clock).ConfigureAwait(false);
                }

                try
                {
                    await attempt(lockTimeout, attempts).ConfigureAwait(false);
                    return attempts;
                }
                catch (Blocked)
                {
                    lookFirst = true;
                    await GiveUpIfOutOfTimeAsync(site, 0, needed, lockTimeout, attempts, clock, policy.PollInterval, anotherAttempt: false).ConfigureAwait(false);
                }
                catch (TimedOut e)
                {
                    timedOut = e;
                    break;
                }
            }

            var (line, _) = site.Position(timedOut.Statement);
            var tables = site.Locks[timedOut.Statement].Count > 0 ? site.Locks[timedOut.Statement] : needed;
            var backoff = policy.Backoff(attempts, _jitter);
            log.Info($"  {site.Name} line {line}: lock_timeout ({LockPolicy.Describe(lockTimeout)}) waiting for {Describe(tables)} (a transaction started in between); " +
                $"{(site.WholeTransaction ? "rolled back" : "the statement did not run")}, attempt {attempts} of {policy.MaxAttempts}, " +
                $"retrying in {LockPolicy.Describe(backoff)} with lock_timeout {LockPolicy.Describe(policy.LockTimeoutOf(attempts + 1, site.LockTimeout))}.");
            await GiveUpIfOutOfTimeAsync(site, timedOut.Statement, tables, lockTimeout, attempts, clock, backoff, anotherAttempt: true).ConfigureAwait(false);
            RunTelemetry.LockTimeoutRetry(site.Name, line, attempts, lockTimeout, backoff, tables.Select(t => t.Table));
            await Task.Delay(backoff, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Polls, holding nothing, until no session holds or waits for a lock conflicting with <paramref name="needed"/> in
    /// a transaction idle or older than <paramref name="lockTimeout"/>: taking the locks now would queue the bot's
    /// queries behind that session for the whole lock_timeout. The first sighting is logged with who it is.
    /// </summary>
    private async Task WaitForBlockersToEndAsync(WaitSite site, IReadOnlyList<TableLock> needed, TimeSpan lockTimeout, int attempts, Stopwatch clock)
    {
        var olderThan = lockTimeout <= TimeSpan.Zero ? policy.FirstLockTimeout : lockTimeout;
        var started = clock.Elapsed;
        var said = false;
        var sessions = 0;
        while (await BlockingSessions.FindAsync(connection, needed, ownPids, olderThan).ConfigureAwait(false) is { Count: > 0 } blockers)
        {
            sessions = Math.Max(sessions, blockers.Count);
            if (!said)
            {
                log.Info($"  {site.Name}: waiting, without taking or queueing for any lock, for {string.Join("; ", blockers.Select(b => b.ToString()))} to end before taking {Describe(needed)}.");
                said = true;
            }

            await GiveUpIfOutOfTimeAsync(site, 0, needed, lockTimeout, attempts, clock, policy.PollInterval, anotherAttempt: false, blockers).ConfigureAwait(false);
            await Task.Delay(policy.PollInterval, cancellation).ConfigureAwait(false);
        }

        if (said)
        {
            RunTelemetry.WaitedForBlockers(site.Name, clock.Elapsed - started, sessions);
            log.Info($"  {site.Name}: the blocking session(s) ended after {LockPolicy.Describe(clock.Elapsed - started)}; taking the locks with lock_timeout {LockPolicy.Describe(lockTimeout)}.");
        }
    }

    // Waiting for a blocker to end spends only time; a lock_timeout spends an attempt as well.
    private async Task GiveUpIfOutOfTimeAsync(WaitSite site, int statement, IReadOnlyList<TableLock> tables, TimeSpan lockTimeout, int attempts, Stopwatch clock,
        TimeSpan next, bool anotherAttempt, IReadOnlyList<BlockingSession>? blockers = null)
    {
        if ((!anotherAttempt || attempts < policy.MaxAttempts) && clock.Elapsed + next + lockTimeout <= policy.RetryBudget)
        {
            return;
        }

        var (line, column) = site.Position(statement);
        blockers ??= await BlockingSessions.FindAsync(connection, tables, ownPids, policy.FirstLockTimeout).ConfigureAwait(false);
        throw new MigrationException(RunDiagnostics.BlockedByLocks(site.Path, line, column, site.NotDone, attempts, clock.Elapsed,
            LockPolicy.Describe(lockTimeout), Describe(tables), blockers.Select(b => b.ToString()).ToList()));
    }

    /// <summary>
    /// The strongest of <paramref name="locks"/> per table, among those the bot's queries would queue behind (SHARE and
    /// stronger block its writes, ACCESS EXCLUSIVE its reads too): the locks worth waiting for blockers before taking.
    /// </summary>
    public static IReadOnlyList<TableLock> BlockingLocks(IEnumerable<TableLock> locks) =>
        locks.Where(l => l.Mode.BlocksWrites()).GroupBy(l => l.Table).Select(g => g.MaxBy(l => l.Mode)!).ToList();

    /// <summary>The guard for the front of an attempt's batch (null when its locks block nothing of the bot's).</summary>
    public NpgsqlBatchCommand? Guard(IEnumerable<TableLock> locks, TimeSpan lockTimeout) =>
        BlockingLocks(locks) is { Count: > 0 } needed ? BlockingSessions.GuardCommand(needed, ownPids, lockTimeout <= TimeSpan.Zero ? policy.FirstLockTimeout : lockTimeout) : null;

    private static string Describe(IReadOnlyList<TableLock> tables) =>
        tables.Count == 0 ? "a lock" : string.Join(", ", tables.Select(t => $"{t.Mode.Describe()} on {t.Table}"));

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
        var needed = BlockingLocks(migrations.SelectMany(m => m.Locks.SelectMany(l => l)));
        var blockers = await BlockingSessions.FindAsync(connection, needed, ownPids, olderThan).ConfigureAwait(false);
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

    /// <summary>An attempt's guard found a blocker before its statements ran; nothing of the attempt remains.</summary>
    public sealed class Blocked : Exception
    {
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
/// <param name="GuardedInBatch">Whether each attempt looks for blockers in its own batch (<see cref="LockWaits.Guard"/>) and throws <see cref="LockWaits.Blocked"/>.</param>
internal sealed record WaitSite(string Path, string Name, string NotDone, TimeSpan LockTimeout, bool WholeTransaction,
    Func<int, (int Line, int Column)> Position, IReadOnlyList<IReadOnlyList<TableLock>> Locks, bool GuardedInBatch = false)
{
    public static WaitSite Of(ValidatedMigration migration, IReadOnlyList<IReadOnlyList<TableLock>> locks, TimeSpan lockTimeout, bool wholeTransaction) =>
        new(migration.File.FullPath, migration.File.FileName, $"{migration.File.FileName} was not applied", lockTimeout, wholeTransaction,
            i => (migration.Script.Statements[i].Line, migration.Script.Statements[i].Column), locks, GuardedInBatch: wholeTransaction);
}
