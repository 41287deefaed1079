using StreamBot.Migrations.Postgres.Backup;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>Everything a status, up or down run needs to know.</summary>
/// <param name="Directory">The migrations directory.</param>
/// <param name="Connection">Where to run.</param>
/// <param name="JournalTable">Journal table (default drizzle_migrations, may be schema-qualified); its progress table sits beside it.</param>
/// <param name="Lock">Lock wait and stale timeouts.</param>
/// <param name="Backup">Whether and where to take the pg_dump backup.</param>
/// <param name="DryRun">Print the plan and change nothing.</param>
/// <param name="Force">Allow rolling back a "Not recommended" migration (removes its journal row only).</param>
public sealed record RunOptions(
    string Directory,
    ConnectionSettings Connection,
    QualifiedName JournalTable,
    LockOptions Lock,
    BackupOptions Backup,
    bool DryRun = false,
    bool Force = false)
{
    /// <summary>The runbook's journal table name.</summary>
    public const string DefaultJournalTable = "drizzle_migrations";

    /// <summary>
    /// Resume the interrupted migration at this 1-based statement (up only). Without it, up refuses to guess how to
    /// go on with a migration that stopped half-way.
    /// </summary>
    public int? ResumeFrom { get; init; }

    /// <summary>lock_timeout, statement_timeout and the retries of a migration that meets a blocker.</summary>
    public LockPolicy Locking { get; init; } = new();

    /// <summary>The safety lint's settings (MigrationsLintFrom, MigrationsPostgresVersion), for the rehearsal's comparison.</summary>
    public LintOptions Lint { get; init; } = LintOptions.Default;

    /// <summary>
    /// up and down run although the schema drifted from the recorded snapshot, recording the drift as accepted (by
    /// whom, when, what) instead of refusing with SBM4036.
    /// </summary>
    public bool AcceptDrift { get; init; }

    /// <summary>How long the data checks before the lock may read the live database.</summary>
    public Preflight.PreflightOptions Preflight { get; init; } = Postgres.Preflight.PreflightOptions.Default;

    /// <summary>Which table sizes make a lint finding information, a warning or an error.</summary>
    public Preflight.SizingOptions Sizing { get; init; } = Postgres.Preflight.SizingOptions.Default;

    /// <summary>How contract steps wait for older versions of the app to leave.</summary>
    public Preflight.DrainOptions Drain { get; init; } = Postgres.Preflight.DrainOptions.Default;

    /// <summary>rehearse: the file of the app's queries (null: app/queries.sql in the folder, when it exists).</summary>
    public string? AppQueries { get; init; }

    /// <summary>
    /// rehearse: read the app's queries from pg_stat_statements of <see cref="Connection"/>'s database (false when the
    /// rehearsal brought its own empty server).
    /// </summary>
    public bool AppQueriesFromDatabase { get; init; } = true;

    /// <summary>How backfills run: batch sizes, throttling, their pause and time budget.</summary>
    public Backfills.BackfillOptions Backfill { get; init; } = Postgres.Backfills.BackfillOptions.Default;

    /// <summary>
    /// up: after each migration, wait this long at most for every standby to replay it (SBM4043 past it); null (the
    /// default) does not wait.
    /// </summary>
    public TimeSpan? ReplicaWait { get; init; }

    /// <summary>up and down: the webhook that is told when a run starts, applies or rolls back each migration, and ends.</summary>
    public Notifications.WebhookOptions Webhook { get; init; } = Notifications.WebhookOptions.None;

    /// <summary>up (--watch) and watch: how long and how strictly the database is watched after the deploy; null: no watch.</summary>
    public Watching.WatchOptions? Watch { get; init; }

    /// <summary>How often a long-running statement reports progress.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(10);
}
