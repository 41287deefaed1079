using System.Reflection;

namespace StreamBot.Migrations.Cli;

/// <summary>Parses the command line and dispatches to a command. Exit codes: 0 success, 1 reported errors, 2 usage.</summary>
internal static class CommandLine
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private const string Help = """
        streambot-migrate: checks and inspects PostgreSQL migrations.

        Usage:
          streambot-migrate status [options]        every migration's state, and who holds the lock
          streambot-migrate up [options]            lock, back up, apply every pending migration
          streambot-migrate down [NAME] [options]   roll back the last migration, or NAME and all after it
          streambot-migrate adopt [options]         record what drizzle-orm's migrator applied, running nothing
          streambot-migrate baseline --to NNNN [options]
                                                    record 0000..NNNN as applied once their objects are found
          streambot-migrate rehearse [--from-backup FILE] [--format text|json|markdown|html]
                                                    on a scratch database: apply, roll back, compare
                                                    schemas, apply again; with each statement's locks
                                                    (html: lock timelines, one self-contained page)
          streambot-migrate watch DURATION [--format text|json]
                                                    read the app's query times, deadlocks, rollbacks and
                                                    scans for DURATION (300, 90s, 30min) against now
          streambot-migrate verify-backup [FILE] [--backup-dir DIR] [--backup-prefix NAME]
                                                    restore FILE (default: the newest backup) into a
                                                    scratch database and compare it with its manifest
          streambot-migrate validate [DIR] [--lint-from NNNN] [--postgres-version N] [--format text|sarif]
                                                    check DIR (default: ./migrations) without a database,
                                                    safety lint included; sarif: a SARIF 2.1.0 log for code
                                                    scanning (--source-root DIR: paths relative to it, default
                                                    the git repository's root; --docs-url URL: where rules link)
          streambot-migrate new NAME [--from FILE.sql]
                                                    the next NNNN_NAME.sql and its README section
                                                    (placeholders the build rejects until filled in)
          streambot-migrate draft-rollback NNNN_NAME.sql
                                                    derive its rollback from its SQL into README.md
          streambot-migrate renumber [--dry-run]    after a merge, move the migration that is not
                                                    applied off a shared number
          streambot-migrate inspect FILE.sql [--format json|text]
                                                    show the statements as they will be sent

        Options:
          --dir DIR                  migrations directory (default: ./migrations)
          --connection CS            postgres:// URI, libpq key=value or Npgsql keywords (default:
                                     $DATABASE_URL; prefer the variable: command lines and build
                                     logs are visible to others)
          --format text|json         status output (rehearse: also markdown and html)
          --html-report FILE         rehearse: also write the HTML lock timelines to FILE
          --dry-run                  print the plan, change nothing
          --no-backup                skip the pg_dump backup (warns)
          --backup-dir DIR           where backups go (default: ./backups)
          --backup-prefix NAME       backup file prefix (default: streambot)
          --backup-retention-days N  up, down: after a backup, remove backups older than N days (default: 30;
                                     0 keeps every backup)
          --backup-keep N            up, down: keep the newest N backups instead, whatever their age
          --verify-backup            up: restore the backup into a scratch database and compare it with
                                     its manifest before applying anything
          --watch DURATION           up: after the last migration, watch the database this long (300,
                                     90s, 30min); a regression fails the run at the end
          --watch-factor X           up, watch: a query this many times slower is a regression (default: 3)
          --watch-min-calls N        up, watch: calls needed before and during the watch (default: 20)
          --watch-warn-only          up, watch: report regressions as warnings, exit 0
          --webhook-format auto|generic|discord|slack
                                     up, down: the body posted to $STREAMBOT_MIGRATIONS_WEBHOOK_URL
                                     (default: auto, from the URL)
          --webhook-timeout SECONDS  up, down: the longest a post may take (default: 3)
          --journal-table NAME       journal table, table or schema.table with SQL quoting
                                     (default: drizzle_migrations)
          --lock-timeout SECONDS     how long to wait for the lock (default: 300)
          --stale-lock-timeout SECONDS
                                     age after which an unverifiable lock row is taken over (default: 600)
          --statement-lock-timeout SECONDS
                                     lock_timeout of each migration's statements: the longest the bot's
                                     queries can queue behind one (default: 2)
          --statement-timeout SECONDS
                                     statement_timeout of each statement (default: the server's; 0: none)
          --concurrent-lock-timeout SECONDS
                                     lock_timeout of CREATE INDEX CONCURRENTLY and other statements
                                     that cannot run in a transaction (default: 0, no limit)
          --lock-retries N           retries of a migration that hit the lock_timeout (default: 9)
          --lock-retry-budget SECONDS
                                     time one migration may spend retrying (default: 300)
          --accept-drift             up, down: go on although the schema drifted, recording it as accepted
          --preflight-check-timeout SECONDS
                                     up, status: statement_timeout of each data check on the live rows
                                     (default: 5)
          --preflight-budget SECONDS up, status: all data checks together (default: 60)
          --small-table-rows N       up, status: a lock or rewrite finding on a smaller table is
                                     information (default: 10000)
          --large-table-rows N       up, status: from this many rows it stops up before the lock
                                     (default: 1000000)
          --drain-timeout SECONDS    up: how long a contract step waits for older app versions to
                                     disconnect (default: 600)
          --force-contract           up: apply contract steps although older versions are connected (warns)
          --app-name-pattern REGEX   up: how application_name names the app and its version, with the
                                     groups app and version (default: app/version)
          --app-heartbeat-table NAME up: a table (instance, application_name, seen_at) the app writes its
                                     version into, for instances idle behind a transaction-mode pooler
          --app-heartbeat-max-age SECONDS
                                     up: heartbeat rows older than this are gone (default: 120)
          --app-queries FILE         rehearse: the app's queries to prepare after each migration
                                     (default: app/queries.sql in the folder)
          --backfill-batch-time SECONDS
                                     up, rehearse: how long each backfill batch should take (default: 0.2)
          --backfill-min-rows N      up, rehearse: the first and smallest batch (default: 100)
          --backfill-max-rows N      up, rehearse: the largest batch (default: 50000)
          --backfill-sleep SECONDS   up: a pause after every batch (default: 0)
          --backfill-budget SECONDS  up: the run's time for backfills, pauses included; then it stops,
                                     resumable (default: 3600; 0: no limit)
          --backfill-replica-lag PAUSE:RESUME
                                     up: seconds a standby may be behind before backfills pause, and
                                     under which they resume (default: 60:30)
          --backfill-replica-lag-mb PAUSE:RESUME
                                     up: the same in MB of WAL not replayed (default: 256:64)
          --backfill-oldest-transaction PAUSE:RESUME
                                     up: seconds another transaction may stay open (default: 600:300)
          --backfill-lock-waiters N  up: sessions waiting on a batch's rows that halve the next batch
                                     (default: 10)
          --replica-wait SECONDS     up: after each migration, wait at most this long for every standby
                                     to replay it (default: off)
          --resume-from N            up: go on with a migration that stopped half-way at its statement N
          --force                    down: allow a "Not recommended" rollback (removes the journal row only);
                                     baseline: record even with objects missing (warns)
          --to NNNN                  baseline: the last migration to record (number or name)
          --from-backup FILE         rehearse: restore this backup of up's into the scratch database first
          --verbose                  with an unexpected error (SBM9003), print its stack trace too

        Every option takes its value as --name VALUE or --name=VALUE; an unknown option is an error.

        OTEL_EXPORTER_OTLP_ENDPOINT set: the run's spans and metrics go to that OTLP collector.
        GITHUB_STEP_SUMMARY set: validate, status, up, down and rehearse append a Markdown summary to it.

        Exit codes: 0 success, 1 problems reported, 2 bad command line, 130/143 up or down interrupted
        by Ctrl-C/SIGTERM (a second Ctrl-C ends the process at once).
        """;

    /// <summary>The package's version, as its assemblies record it (with the commit after a <c>+</c>).</summary>
    public static string Version { get; } =
        typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine(Help);
            return args.Length == 0 ? Usage : Success;
        }

        var rest = args[1..];
        try
        {
            return args[0] switch
            {
                "validate" => ValidateCommand.Run(rest, stdout, stderr),
                "status" or "up" or "down" or "adopt" or "baseline" or "rehearse" or "verify-backup" or "watch" => DatabaseCommand.Run(args[0], rest, stdout, stderr),
                "inspect" => InspectCommand.Run(rest, stdout, stderr),
                "new" or "draft-rollback" or "renumber" => AuthoringCommand.Run(args[0], rest, stdout, stderr),
                _ => UsageError(stderr, $"unknown command '{args[0]}'."),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The last net: each command reports its own failures (a run's, redacted, inside its work), so what lands here
            // happened outside any migration. Its text is not shown: it could quote a connection string this net cannot redact.
            stderr.WriteLine(Diagnostics.Printable.Of(Diagnostics.ToolDiagnostics.UnexpectedError(args[0], e.GetType().Name,
                "its text is not shown, as it may quote a setting", "No migration was running when it stopped", withStackTrace: false).ToString()));
            return Failed;
        }
    }

    public static int UsageError(TextWriter stderr, string message)
    {
        stderr.WriteLine(Diagnostics.Printable.Of(Diagnostics.ToolDiagnostics.BadCommandLine(message).ToString()));
        return Usage;
    }
}
