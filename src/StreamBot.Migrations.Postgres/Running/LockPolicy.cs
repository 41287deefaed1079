namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// How a migration waits for table locks without making the application wait. Before each attempt it waits, holding
/// nothing and queueing behind nothing, until no session holds or waits for a conflicting lock on its tables in a
/// transaction older than the attempt's lock_timeout (polled every <see cref="PollInterval"/>). Then it takes the
/// locks with a short lock_timeout, the safety net for a transaction that starts in between: <see cref="FirstLockTimeout"/>
/// on the first attempt, doubling on each retry up to <see cref="LockTimeout"/>. A statement that waits longer is
/// cancelled by the server (SQLSTATE 55P03), so the application's queries never queue behind it for longer; its
/// migration's transaction is rolled back whole and tried again after a jittered backoff, within
/// <see cref="MaxAttempts"/> and <see cref="RetryBudget"/>. A migration's <c>-- streambot:</c> header overrides the
/// timeouts for itself.
/// </summary>
public sealed record LockPolicy
{
    /// <summary>The longest lock_timeout for statements in a transaction, reached after retries (default 2 s).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The first attempt's lock_timeout (100 ms, as GitLab's lock retries start): the longest the application queues behind it.</summary>
    public TimeSpan FirstLockTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often the sessions that would block a migration are looked for while it waits for them to end.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The lock_timeout of attempt <paramref name="attempt"/> (1-based): <see cref="FirstLockTimeout"/>, doubled on each
    /// retry, never above <paramref name="longest"/> (zero: no limit, the migration's own choice).
    /// </summary>
    public TimeSpan LockTimeoutOf(int attempt, TimeSpan longest) =>
        longest <= TimeSpan.Zero ? TimeSpan.Zero
        : TimeSpan.FromMilliseconds(Math.Min(longest.TotalMilliseconds, FirstLockTimeout.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30))));

    /// <summary>statement_timeout for every statement; null leaves the server's setting alone, zero means none.</summary>
    public TimeSpan? StatementTimeout { get; init; }

    /// <summary>
    /// lock_timeout for statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY and friends): they wait
    /// for every older transaction in the database by design, without blocking the application while they wait, so a
    /// short timeout would only fail them and leave INVALID indexes. Zero (the default) means no limit.
    /// </summary>
    public TimeSpan ConcurrentLockTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Attempts per migration, the first included (default 10).</summary>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>Time one migration may spend retrying, waits and backoff included (default 5 min).</summary>
    public TimeSpan RetryBudget { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The first backoff; each later one doubles, up to <see cref="BackoffCap"/>, then is jittered to 50-100%.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest backoff.</summary>
    public TimeSpan BackoffCap { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The backoff before attempt <paramref name="attempt"/> + 1 (1-based), jittered so appliers do not retry in step.</summary>
    public TimeSpan Backoff(int attempt, Random random)
    {
        var exponential = BackoffBase.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, BackoffCap.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (random.NextDouble() / 2)));
    }

    /// <summary>A duration as PostgreSQL's settings take it ("2000ms"; "0" for none).</summary>
    public static string Setting(TimeSpan value) =>
        value <= TimeSpan.Zero ? "0" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Math.Max(1, (long)Math.Ceiling(value.TotalMilliseconds))}ms");

    /// <summary>A duration as the log shows it: "750 ms", "2 s", "no limit".</summary>
    public static string Describe(TimeSpan value) =>
        value <= TimeSpan.Zero ? "no limit"
        : value.TotalSeconds < 1 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0} ms")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.#} s");
}
