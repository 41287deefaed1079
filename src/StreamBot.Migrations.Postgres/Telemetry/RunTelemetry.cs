using System.Diagnostics;
using System.Diagnostics.Metrics;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Postgres.Telemetry;

/// <summary>
/// The runner's traces and metrics, through System.Diagnostics: an <see cref="ActivitySource"/> and a <see cref="Meter"/>
/// named after the package. A span per run, per migration applied and per rollback, the backup a child span, lock
/// waits and retries events of the span they happen in, the outcome its status; metrics for migration duration, lock
/// wait time and retries. With no listener (no exporter configured) a span is never created and an instrument records
/// nothing: each call is one check. Attributes carry names, counts, durations and codes only: never a password, a
/// connection string, SQL text or a row value.
/// </summary>
public static class RunTelemetry
{
    /// <summary>The name of the activity source and of the meter: the package's.</summary>
    public const string Name = "StreamBot.Migrations.Build";

    private static readonly string? Version = typeof(RunTelemetry).Assembly.GetName().Version?.ToString(3);

    internal static readonly ActivitySource Source = new(Name, Version);

    private static readonly Meter Meter = new(Name, Version);

    private static readonly Histogram<double> MigrationDuration = Meter.CreateHistogram<double>(
        "streambot.migration.duration", "s", "How long applying or rolling back a migration took, waits and retries included.");

    private static readonly Histogram<double> LockWait = Meter.CreateHistogram<double>(
        "streambot.lock.wait.duration", "s", "Time spent waiting for locks: an attempt that reached its lock_timeout, blocking sessions waited out, the migration lock.");

    private static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "streambot.migration.retries", "{retry}", "Attempts of a migration rolled back on lock_timeout and run again.");

    /// <summary>The run's span: the command on the database, by host, port and name.</summary>
    internal static Activity? StartRun(string command, ConnectionSettings database, bool dryRun)
    {
        var activity = Source.StartActivity("streambot-migrate " + command, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag("streambot.command", command);
            activity.SetTag("streambot.dry_run", dryRun);
            activity.SetTag("db.system.name", "postgresql");
            activity.SetTag("db.namespace", database.Database);
            activity.SetTag("server.address", database.Host);
            activity.SetTag("server.port", database.Port);
        }

        return activity;
    }

    /// <summary>A migration's span (<paramref name="operation"/>: apply or rollback).</summary>
    private static Activity? StartMigration(string operation, string migration, int statements, bool transactional)
    {
        var activity = Source.StartActivity($"{operation} {migration}", ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag("streambot.operation", operation);
            activity.SetTag("streambot.migration", migration);
            activity.SetTag("streambot.statements", statements);
            activity.SetTag("streambot.transactional", transactional);
        }

        return activity;
    }

    /// <summary>
    /// Runs <paramref name="step"/> (applying or rolling back <paramref name="migration"/>) in a span of its own, with its
    /// outcome as the span's status and its duration as a metric. Returns the step's attempts.
    /// </summary>
    internal static async Task<int> TraceMigrationAsync(string operation, string migration, int statements, bool transactional, Func<Task<int>> step)
    {
        using var activity = StartMigration(operation, migration, statements, transactional);
        var clock = Stopwatch.StartNew();
        try
        {
            var attempts = await step().ConfigureAwait(false);
            MigrationDone(activity, operation, clock.Elapsed, attempts);
            return attempts;
        }
        catch (Exception e)
        {
            MigrationFailed(activity, operation, clock.Elapsed, (e as MigrationException)?.Diagnostic);
            throw;
        }
    }

    /// <summary>The backup's span, a child of the run's.</summary>
    internal static Activity? StartBackup() => Source.StartActivity("backup", ActivityKind.Internal);

    /// <summary>What a finished backup is: its file's name (never its folder, which may name a host or a user).</summary>
    internal static void BackupWritten(Activity? backup, string file)
    {
        if (backup is not null)
        {
            backup.SetTag("streambot.backup.file", Path.GetFileName(file));
            backup.SetTag("streambot.backup.bytes", new FileInfo(file).Length);
            backup.SetStatus(ActivityStatusCode.Ok);
        }
    }

    /// <summary>A migration applied or rolled back: its span's outcome and the duration metric.</summary>
    private static void MigrationDone(Activity? activity, string operation, TimeSpan took, int attempts)
    {
        activity?.SetTag("streambot.attempts", attempts);
        activity?.SetStatus(ActivityStatusCode.Ok);
        if (MigrationDuration.Enabled)
        {
            MigrationDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("streambot.operation", operation), new KeyValuePair<string, object?>("streambot.outcome", "ok"));
        }
    }

    /// <summary>
    /// An attempt that reached its lock_timeout and is retried: an event of the current span (the migration's), the
    /// retry counter and the time it waited.
    /// </summary>
    internal static void LockTimeoutRetry(string migration, int line, int attempt, TimeSpan lockTimeout, TimeSpan backoff, IEnumerable<string> tables)
    {
        Activity.Current?.AddEvent(new ActivityEvent("lock_timeout.retry", tags: new ActivityTagsCollection
        {
            ["streambot.migration"] = migration,
            ["streambot.line"] = line,
            ["streambot.attempt"] = attempt,
            ["streambot.lock_timeout_ms"] = (long)lockTimeout.TotalMilliseconds,
            ["streambot.backoff_ms"] = (long)backoff.TotalMilliseconds,
            ["streambot.tables"] = string.Join(",", tables),
        }));
        if (Retries.Enabled)
        {
            Retries.Add(1, new KeyValuePair<string, object?>("streambot.migration", migration));
        }

        RecordLockWait(lockTimeout, "lock_timeout");
    }

    /// <summary>A wait for sessions that hold or queue for a conflicting lock to end, before taking the locks.</summary>
    internal static void WaitedForBlockers(string migration, TimeSpan waited, int sessions)
    {
        Activity.Current?.AddEvent(new ActivityEvent("lock.waited_for_blockers", tags: new ActivityTagsCollection
        {
            ["streambot.migration"] = migration,
            ["streambot.wait_ms"] = (long)waited.TotalMilliseconds,
            ["streambot.blocking_sessions"] = sessions,
        }));
        RecordLockWait(waited, "blockers");
    }

    /// <summary>The migration lock, taken after <paramref name="waited"/>.</summary>
    internal static void MigrationLockTaken(TimeSpan waited)
    {
        Activity.Current?.AddEvent(new ActivityEvent("migration_lock.acquired", tags: new ActivityTagsCollection
        {
            ["streambot.wait_ms"] = (long)waited.TotalMilliseconds,
        }));
        RecordLockWait(waited, "migration_lock");
    }

    /// <summary>A run or step that ended with a coded error: the span's status names the code and its title, not the message (which may quote the server).</summary>
    internal static void Failed(Activity? activity, Diagnostic diagnostic)
    {
        if (activity is null)
        {
            return;
        }

        var title = DiagnosticCatalog.All.FirstOrDefault(d => d.Code == diagnostic.Code)?.Title ?? "failed";
        activity.SetTag("streambot.error.code", diagnostic.Code);
        activity.SetStatus(ActivityStatusCode.Error, $"{diagnostic.Code}: {title}");
    }

    /// <summary>A migration that did not finish: its duration, with the outcome, and its span's status.</summary>
    private static void MigrationFailed(Activity? activity, string operation, TimeSpan took, Diagnostic? diagnostic)
    {
        if (diagnostic is not null)
        {
            Failed(activity, diagnostic);
        }
        else
        {
            activity?.SetStatus(ActivityStatusCode.Error, "stopped");
        }

        if (MigrationDuration.Enabled)
        {
            MigrationDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("streambot.operation", operation), new KeyValuePair<string, object?>("streambot.outcome", "error"));
        }
    }

    private static void RecordLockWait(TimeSpan waited, string kind)
    {
        if (LockWait.Enabled)
        {
            LockWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("streambot.wait", kind));
        }
    }
}
