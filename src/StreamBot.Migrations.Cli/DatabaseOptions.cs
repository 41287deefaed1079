using System.Globalization;
using System.Text;
using StreamBot.Migrations.Postgres.Backfills;
using StreamBot.Migrations.Postgres.Backup;
using StreamBot.Migrations.Postgres.Preflight;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Cli;

/// <summary>
/// The options of the database commands, parsed strictly: each command takes only the options it acts on (an option
/// of another command is a usage error, never ignored), and every number is range-checked where it is read.
/// </summary>
internal sealed class DatabaseOptions
{
    public string Directory { get; private set; } = "migrations";
    public string? Connection { get; private set; }
    public string Format { get; private set; } = "text";

    /// <summary>rehearse: where to write the HTML report as well, whatever the format on standard output.</summary>
    public string? HtmlReport { get; private set; }
    public bool DryRun { get; private set; }
    public bool NoBackup { get; private set; }
    public bool Force { get; private set; }
    public string BackupDirectory { get; private set; } = "backups";
    public string BackupPrefix { get; private set; } = "streambot";
    public QualifiedName JournalTable { get; private set; } = QualifiedName.Parse(RunOptions.DefaultJournalTable);
    public TimeSpan LockTimeout { get; private set; } = TimeSpan.FromMinutes(5);
    public TimeSpan StaleLockTimeout { get; private set; } = TimeSpan.FromMinutes(10);
    public int? ResumeFrom { get; private set; }
    public List<string> Positional { get; } = [];

    // The progress table is named after the journal; both must fit PostgreSQL's identifier length.
    private const string ProgressSuffix = "_progress";

    private static readonly HashSet<string> Valued = new(StringComparer.Ordinal)
    {
        "--dir", "--connection", "--format", "--backup-dir", "--backup-prefix", "--journal-table", "--lock-timeout",
        "--stale-lock-timeout", "--resume-from", "--to", "--statement-lock-timeout", "--statement-timeout", "--concurrent-lock-timeout",
        "--lock-retries", "--lock-retry-budget", "--from-backup", "--lint-from", "--postgres-version",
        "--preflight-check-timeout", "--preflight-budget", "--drain-timeout", "--app-name-pattern", "--app-heartbeat-table", "--app-heartbeat-max-age",
        "--app-queries", "--small-table-rows", "--large-table-rows",
        "--backfill-batch-time", "--backfill-min-rows", "--backfill-max-rows", "--backfill-sleep", "--backfill-budget", "--backfill-replica-lag",
        "--backfill-replica-lag-mb", "--backfill-oldest-transaction", "--backfill-lock-waiters", "--replica-wait", "--backup-retention-days", "--backup-keep",
        "--webhook-format", "--webhook-timeout", "--watch", "--watch-factor", "--watch-min-calls", "--html-report",
    };

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "--dry-run", "--no-backup", "--force", "--verbose", "--accept-drift", "--force-contract", "--verify-backup", "--watch-warn-only" };

    // Which options each command acts on: the one place that decides it.
    private static readonly string[] Everywhere = ["--dir", "--connection", "--journal-table", "--verbose"];
    private static readonly string[] TakesTheLock = ["--lock-timeout", "--stale-lock-timeout", "--dry-run"];
    private static readonly string[] ChecksTheData = ["--preflight-check-timeout", "--preflight-budget", "--small-table-rows", "--large-table-rows"];
    private static readonly string[] WaitsForTheApp = ["--drain-timeout", "--force-contract", "--app-name-pattern", "--app-heartbeat-table", "--app-heartbeat-max-age"];
    private static readonly string[] SizesBatches = ["--backfill-batch-time", "--backfill-min-rows", "--backfill-max-rows"];
    private static readonly string[] ThrottlesBackfills =
    [
        "--backfill-sleep", "--backfill-budget", "--backfill-replica-lag", "--backfill-replica-lag-mb", "--backfill-oldest-transaction",
        "--backfill-lock-waiters", "--replica-wait",
    ];

    private static readonly string[] ChangesTheSchema =
    [
        "--no-backup", "--backup-dir", "--backup-prefix", "--statement-lock-timeout", "--statement-timeout", "--concurrent-lock-timeout",
        "--lock-retries", "--lock-retry-budget", "--accept-drift", "--backup-retention-days", "--backup-keep", "--webhook-format", "--webhook-timeout",
    ];

    private static readonly Dictionary<string, HashSet<string>> Accepted = new(StringComparer.Ordinal)
    {
        ["status"] = [.. Everywhere, .. ChecksTheData, "--format"],
        ["up"] = [.. Everywhere, .. TakesTheLock, .. ChangesTheSchema, .. ChecksTheData, .. WaitsForTheApp, .. SizesBatches, .. ThrottlesBackfills, "--resume-from", "--verify-backup", "--watch", "--watch-factor", "--watch-min-calls", "--watch-warn-only"],
        ["watch"] = ["--connection", "--journal-table", "--verbose", "--format", "--watch-factor", "--watch-min-calls", "--watch-warn-only"],
        // Needs no migrations folder: a backup and a server to restore it on.
        ["verify-backup"] = ["--connection", "--journal-table", "--verbose", "--backup-dir", "--backup-prefix"],
        ["down"] = [.. Everywhere, .. TakesTheLock, .. ChangesTheSchema, "--force"],
        ["adopt"] = [.. Everywhere, .. TakesTheLock],
        ["baseline"] = [.. Everywhere, .. TakesTheLock, "--to", "--force"],
        ["rehearse"] = [.. Everywhere, .. SizesBatches, "--format", "--from-backup", "--lint-from", "--postgres-version", "--app-queries", "--html-report"],
    };

    /// <summary>up and down: record drift from the recorded schema as accepted instead of refusing.</summary>
    public bool AcceptDrift { get; private set; }

    /// <summary>rehearse: the safety lint's settings, as validate and the build take them.</summary>
    public string? LintFrom { get; private set; }

    public string? PostgresVersion { get; private set; }

    /// <summary>rehearse: restore this backup into the scratch database first.</summary>
    public string? FromBackup { get; private set; }

    /// <summary>lock_timeout, statement_timeout and the retries of migrations that meet a blocker.</summary>
    public LockPolicy Locking { get; private set; } = new();

    public bool Verbose { get; private set; }

    /// <summary>up and status: how long the data checks may read the live database.</summary>
    public PreflightOptions Preflight { get; private set; } = PreflightOptions.Default;

    /// <summary>up and status: the table sizes that make a lint finding information or an error.</summary>
    public SizingOptions Sizing { get; private set; } = SizingOptions.Default;

    /// <summary>up: how contract steps wait for older versions of the app.</summary>
    public DrainOptions Drain { get; private set; } = DrainOptions.Default;

    /// <summary>up and rehearse: how backfills run.</summary>
    public BackfillOptions Backfill { get; private set; } = BackfillOptions.Default;

    /// <summary>up and down: which older backups a successful backup removes.</summary>
    public BackupRetention Retention { get; private set; } = BackupRetention.Default;

    /// <summary>up and down: the webhook's body and timeout (its URL comes from the environment).</summary>
    public StreamBot.Migrations.Postgres.Notifications.WebhookOptions Webhook { get; private set; } = StreamBot.Migrations.Postgres.Notifications.WebhookOptions.None;

    /// <summary>up --watch DURATION, or watch's DURATION argument.</summary>
    public TimeSpan? WatchFor { get; private set; }

    /// <summary>up and watch: when a change is a regression, and whether one fails the run.</summary>
    public StreamBot.Migrations.Watching.WatchThresholds WatchThresholds { get; private set; } = StreamBot.Migrations.Watching.WatchThresholds.Default;

    public bool WatchWarnOnly { get; private set; }

    /// <summary>A duration as the watch takes it: 90, 90s, 30min, 1h (plain numbers are seconds).</summary>
    public static TimeSpan? WatchDuration(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= 86_400 ? TimeSpan.FromSeconds(seconds)
        : MigrationDirectives.Duration(text) is { } span && span > TimeSpan.Zero && span <= TimeSpan.FromDays(1) ? span
        : null;

    /// <summary>up: verify the backup before applying.</summary>
    public bool VerifyBackup { get; private set; }

    /// <summary>up: how long to wait after each migration for the standbys to replay it; null does not wait.</summary>
    public TimeSpan? ReplicaWait { get; private set; }

    /// <summary>rehearse: the app's queries, checked in next to the migrations (default: app/queries.sql in the folder when it exists).</summary>
    public string? AppQueries { get; private set; }

    /// <summary>baseline: the last migration to record.</summary>
    public string? BaselineTo { get; private set; }

    // A pattern that names no app or version would match no session, and every contract step would pass unchecked.
    private static string AppNamePattern(string pattern)
    {
        try
        {
            var regex = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant);
            return regex.GetGroupNames().Contains("app") && regex.GetGroupNames().Contains("version")
                ? pattern
                : throw new FormatException("--app-name-pattern needs the groups (?<app>...) and (?<version>...), for example " + Migrations.Preflight.AppVersion.DefaultPattern + ".");
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"--app-name-pattern is not a regular expression: {e.Message}");
        }
    }

    public static DatabaseOptions? Parse(string command, string[] args, out string? error)
    {
        var options = new DatabaseOptions();
        error = null;
        try
        {
            var accepted = Accepted[command];
            var parsed = ArgumentList.Parse(args, Valued.Where(accepted.Contains).ToHashSet(StringComparer.Ordinal), Flags.Where(accepted.Contains).ToHashSet(StringComparer.Ordinal), command);
            options.Positional.AddRange(parsed.Positional);
            foreach (var (name, value) in parsed.Options)
            {
                long Rows() => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var rows) ? rows : throw new FormatException($"{name} takes a number of rows.");
                int BatchRows() => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var rows) && rows >= 1
                    ? rows
                    : throw new FormatException($"{name} takes a whole number of 1 or more.");

                // "60:30": pause at 60, resume under 30; "60" alone resumes under half of it.
                (T Pause, T Resume) Levels<T>(Func<double, T> unit)
                {
                    var parts = value!.Split(':');
                    var numbers = parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 && double.IsFinite(n) && n <= int.MaxValue / 1000 ? n : -1).ToList();
                    if (parts.Length > 2 || numbers.Any(n => n < 0) || (numbers.Count == 2 && numbers[1] >= numbers[0]))
                    {
                        throw new FormatException($"{name} takes PAUSE:RESUME, two numbers above 0 with RESUME below PAUSE (60:30), or PAUSE alone (resumes under half of it).");
                    }

                    return (unit(numbers[0]), unit(numbers.Count == 2 ? numbers[1] : numbers[0] / 2));
                }

                TimeSpan Positive(TimeSpan span) => span > TimeSpan.Zero ? span : throw new FormatException($"{name} takes a number of seconds above 0.");
                TimeSpan Seconds() => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0 && double.IsFinite(s)
                    ? s * 1000 <= MigrationDirectives.LongestTimeout.TotalMilliseconds
                        ? TimeSpan.FromSeconds(s)
                        : throw new FormatException($"{name} takes at most {MigrationDirectives.LongestTimeout.TotalSeconds:0.###} seconds (PostgreSQL's limit for a timeout, about 24.8 days); {value} is more.")
                    : throw new FormatException($"{name} takes a number of seconds.");

                switch (name)
                {
                    case "--dir": options.Directory = value!; break;
                    case "--connection": options.Connection = value; break;
                    case "--format": options.Format = value!; break;
                    case "--html-report":
                        options.HtmlReport = string.IsNullOrWhiteSpace(value) ? throw new FormatException("--html-report takes the path of the HTML file to write.") : Path.GetFullPath(value);
                        break;
                    case "--dry-run": options.DryRun = true; break;
                    case "--no-backup": options.NoBackup = true; break;
                    case "--force": options.Force = true; break;
                    case "--accept-drift": options.AcceptDrift = true; break;
                    case "--verbose": options.Verbose = true; break;
                    case "--backup-dir": options.BackupDirectory = value!; break;
                    case "--backup-prefix": options.BackupPrefix = value!; break;
                    case "--journal-table":
                        options.JournalTable = QualifiedName.TryParse(value!, out var why) is { } table && Encoding.UTF8.GetByteCount(table.Name + ProgressSuffix) <= 63
                            ? table
                            : throw new FormatException($"--journal-table takes a table name, table or schema.table with SQL's quoting (\"My Schema\".journal): {why ?? "with _progress added it is longer than PostgreSQL's 63 bytes"}.");
                        break;
                    case "--lock-timeout": options.LockTimeout = Seconds(); break;
                    case "--stale-lock-timeout": options.StaleLockTimeout = Seconds(); break;
                    case "--to": options.BaselineTo = value; break;
                    case "--from-backup": options.FromBackup = value; break;
                    case "--lint-from": options.LintFrom = value; break;
                    case "--postgres-version": options.PostgresVersion = value; break;
                    case "--statement-lock-timeout":
                        options.Locking = options.Locking with { LockTimeout = Seconds() is var wait && wait > TimeSpan.Zero ? wait : throw new FormatException("--statement-lock-timeout takes a number of seconds above 0: a migration must not queue the bot's queries without limit.") };
                        break;
                    case "--statement-timeout": options.Locking = options.Locking with { StatementTimeout = Seconds() }; break;
                    case "--concurrent-lock-timeout": options.Locking = options.Locking with { ConcurrentLockTimeout = Seconds() }; break;
                    case "--lock-retry-budget": options.Locking = options.Locking with { RetryBudget = Seconds() }; break;
                    case "--preflight-check-timeout": options.Preflight = options.Preflight with { CheckTimeout = Positive(Seconds()) }; break;
                    case "--preflight-budget": options.Preflight = options.Preflight with { Budget = Positive(Seconds()) }; break;
                    case "--drain-timeout": options.Drain = options.Drain with { Timeout = Seconds() }; break;
                    case "--force-contract": options.Drain = options.Drain with { Force = true }; break;
                    case "--app-heartbeat-max-age": options.Drain = options.Drain with { HeartbeatMaxAge = Positive(Seconds()) }; break;
                    case "--app-name-pattern": options.Drain = options.Drain with { AppNamePattern = AppNamePattern(value!) }; break;
                    case "--app-heartbeat-table":
                        options.Drain = options.Drain with
                        {
                            HeartbeatTable = QualifiedName.TryParse(value!, out var tableProblem) ?? throw new FormatException($"--app-heartbeat-table takes a table name, table or schema.table: {tableProblem}."),
                        };
                        break;
                    case "--app-queries": options.AppQueries = value; break;
                    case "--backfill-batch-time": options.Backfill = options.Backfill with { Sizing = options.Backfill.Sizing with { Target = Positive(Seconds()) } }; break;
                    case "--backfill-min-rows": options.Backfill = options.Backfill with { Sizing = options.Backfill.Sizing with { MinRows = BatchRows() } }; break;
                    case "--backfill-max-rows": options.Backfill = options.Backfill with { Sizing = options.Backfill.Sizing with { MaxRows = BatchRows() } }; break;
                    case "--backfill-sleep": options.Backfill = options.Backfill with { Sleep = Seconds() }; break;
                    case "--backfill-budget": options.Backfill = options.Backfill with { Budget = Seconds() }; break;
                    case "--backfill-replica-lag":
                        var (lagPause, lagResume) = Levels(s => TimeSpan.FromSeconds(s));
                        options.Backfill = options.Backfill with { Throttle = options.Backfill.Throttle with { ReplicaLagPause = lagPause, ReplicaLagResume = lagResume } };
                        break;
                    case "--backfill-replica-lag-mb":
                        var (bytesPause, bytesResume) = Levels(mb => (long)(mb * 1048576));
                        options.Backfill = options.Backfill with { Throttle = options.Backfill.Throttle with { ReplicaBytesPause = bytesPause, ReplicaBytesResume = bytesResume } };
                        break;
                    case "--backfill-oldest-transaction":
                        var (agePause, ageResume) = Levels(s => TimeSpan.FromSeconds(s));
                        options.Backfill = options.Backfill with { Throttle = options.Backfill.Throttle with { OldestTransactionPause = agePause, OldestTransactionResume = ageResume } };
                        break;
                    case "--backfill-lock-waiters": options.Backfill = options.Backfill with { Throttle = options.Backfill.Throttle with { LockWaiters = BatchRows() } }; break;
                    case "--replica-wait": options.ReplicaWait = Positive(Seconds()); break;
                    case "--verify-backup": options.VerifyBackup = true; break;
                    case "--watch": options.WatchFor = WatchDuration(value!) ?? throw new FormatException("--watch takes a duration up to a day: 300 (seconds), 90s, 30min or 1h."); break;
                    case "--watch-warn-only": options.WatchWarnOnly = true; break;
                    case "--watch-min-calls": options.WatchThresholds = options.WatchThresholds with { MinCalls = BatchRows() }; break;
                    case "--watch-factor":
                        options.WatchThresholds = options.WatchThresholds with
                        {
                            Factor = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && factor > 1 && factor < 1_000_000
                                ? factor
                                : throw new FormatException("--watch-factor takes a number above 1: how many times slower a query must get (default 3)."),
                        };
                        break;
                    case "--webhook-timeout": options.Webhook = options.Webhook with { Timeout = Positive(Seconds()) }; break;
                    case "--webhook-format":
                        options.Webhook = options.Webhook with
                        {
                            Format = Enum.TryParse<StreamBot.Migrations.Postgres.Notifications.WebhookFormat>(value, ignoreCase: true, out var format) && value!.All(char.IsAsciiLetter)
                                ? format
                                : throw new FormatException("--webhook-format takes auto, generic, discord or slack."),
                        };
                        break;
                    case "--backup-retention-days":
                        options.Retention = options.Retention with
                        {
                            Days = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days <= 36_500
                                ? days
                                : throw new FormatException("--backup-retention-days takes a number of days (0 keeps every backup)."),
                        };
                        break;
                    case "--backup-keep": options.Retention = options.Retention with { KeepNewest = BatchRows() }; break;
                    case "--small-table-rows": options.Sizing = options.Sizing with { SmallTableRows = Rows() }; break;
                    case "--large-table-rows": options.Sizing = options.Sizing with { LargeTableRows = Rows() }; break;
                    case "--lock-retries":
                        options.Locking = options.Locking with
                        {
                            MaxAttempts = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var retries) && retries < 1000
                                ? retries + 1
                                : throw new FormatException("--lock-retries takes a number of retries (0 to 999)."),
                        };
                        break;
                    default:
                        options.ResumeFrom = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1
                            ? n
                            : throw new FormatException("--resume-from takes a statement number (1 or more).");
                        break;
                }
            }
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }

        if (command == "watch")
        {
            options.WatchFor = options.Positional.Count == 1 ? WatchDuration(options.Positional[0]) : null;
            if (options.WatchFor is null)
            {
                error = "watch takes one duration up to a day: watch 300 (seconds), watch 90s, watch 30min.";
                return null;
            }

            options.Positional.Clear();
        }

        if (command == "up" && options.WatchFor is null && (options.WatchWarnOnly || options.WatchThresholds != StreamBot.Migrations.Watching.WatchThresholds.Default))
        {
            error = "--watch-factor, --watch-min-calls and --watch-warn-only set how up --watch DURATION judges; give --watch too.";
            return null;
        }

        if (options.Format is not ("text" or "json") && !(command == "rehearse" && options.Format is "markdown" or "html"))
        {
            error = command == "rehearse" ? "--format takes text, json, markdown or html." : $"--format takes text or json ({command}; markdown and html are for rehearse).";
            return null;
        }

        if (options.Sizing.SmallTableRows > options.Sizing.LargeTableRows)
        {
            error = $"--small-table-rows ({options.Sizing.SmallTableRows}) is more than --large-table-rows ({options.Sizing.LargeTableRows}); a table cannot be both small and large.";
            return null;
        }

        if (options.Backfill.Sizing.MinRows > options.Backfill.Sizing.MaxRows)
        {
            error = $"--backfill-min-rows ({options.Backfill.Sizing.MinRows}) is more than --backfill-max-rows ({options.Backfill.Sizing.MaxRows}).";
            return null;
        }

        if (options.AppQueries is { } queries && !File.Exists(queries))
        {
            error = $"--app-queries names {queries}, which does not exist (give the file of the app's queries, one statement each, ending with ;).";
            return null;
        }

        if (options.FromBackup is { } backup && !File.Exists(backup))
        {
            error = $"--from-backup names {backup}, which does not exist (give a backup file written by up, under --backup-dir).";
            return null;
        }

        return options;
    }
}
