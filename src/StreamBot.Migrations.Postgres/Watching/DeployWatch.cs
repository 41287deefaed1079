using System.Diagnostics;
using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Schema;
using StreamBot.Migrations.Schema;
using StreamBot.Migrations.Watching;

namespace StreamBot.Migrations.Postgres.Watching;

/// <summary>How long and how strictly the database is watched after a deploy.</summary>
/// <param name="Duration">How long to keep reading after the last migration.</param>
/// <param name="Thresholds">When a change is a regression.</param>
/// <param name="WarnOnly">Findings are warnings and the run passes; otherwise any finding fails it at the end (SBM4047).</param>
public sealed record WatchOptions(TimeSpan Duration, WatchThresholds Thresholds, bool WarnOnly = false)
{
    /// <summary>How often the statistics are read: a sixth of the duration, between 1 and 10 seconds.</summary>
    public TimeSpan Interval => TimeSpan.FromTicks(Math.Clamp(Duration.Ticks / 6, TimeSpan.TicksPerSecond, 10 * TimeSpan.TicksPerSecond));
}

/// <summary>What a watch saw.</summary>
/// <param name="Database">Where (host and name).</param>
/// <param name="Watched">How long it read.</param>
/// <param name="Reads">How many times the statistics were read.</param>
/// <param name="Queries">How many of the app's statements were compared; null when pg_stat_statements could not be read.</param>
/// <param name="NotWatched">What could not be seen, and why.</param>
/// <param name="Findings">Every regression.</param>
public sealed record WatchReport(string Database, TimeSpan Watched, int Reads, int? Queries, IReadOnlyList<string> NotWatched, IReadOnlyList<WatchFinding> Findings);

/// <summary>
/// The watch after a deploy: a baseline of the statistics (and the schema) just before the first migration, the tables
/// each migration changed (from the schema before and after it), then reads every interval for the duration after the
/// last one, reporting each regression when first seen (SBM4045, SBM4046) and a summary at the end.
/// </summary>
internal sealed class DeployWatch
{
    private readonly string _journalTable;
    private readonly IReadOnlyCollection<string> _toolTables;
    private readonly List<(string Migration, IReadOnlyCollection<string> Tables)> _touched = [];
    private StatisticsSample _baseline = null!;
    private SchemaSnapshot? _schema;

    private DeployWatch(string journalTable, IReadOnlyCollection<string> toolTables)
    {
        _journalTable = journalTable;
        _toolTables = toolTables;
    }

    /// <summary>Takes the baseline; <paramref name="withSchema"/> also reads the schema, to learn what each migration changes.</summary>
    public static async Task<DeployWatch> BeginAsync(NpgsqlConnection connection, string journalTable, IReadOnlyCollection<string> toolTables, bool withSchema, CancellationToken cancellation)
    {
        var watch = new DeployWatch(journalTable, toolTables);
        watch._baseline = await StatisticsReader.ReadAsync(connection, journalTable, cancellation).ConfigureAwait(false);
        watch._schema = withSchema ? await SchemaReader.ReadAsync(connection, toolTables).ConfigureAwait(false) : null;
        return watch;
    }

    /// <summary>Records the tables <paramref name="migration"/> changed: every object that differs, by its table.</summary>
    public async Task AppliedAsync(NpgsqlConnection connection, string migration)
    {
        var after = await SchemaReader.ReadAsync(connection, _toolTables).ConfigureAwait(false);
        if (_schema is not null)
        {
            _touched.Add((migration, SchemaDiff.Compare(_schema, after).Select(c => TableOf(c.Name)).Distinct(StringComparer.Ordinal).ToList()));
        }

        _schema = after;
    }

    // "index i on viewers", "column viewers.name", "table viewers": the table an object belongs to.
    private static string TableOf(string name)
    {
        var on = name.LastIndexOf(" on ", StringComparison.Ordinal);
        if (on >= 0)
        {
            return name[(on + 4)..];
        }

        var words = name.Split(' ', 2);
        return words is ["column", var column] && column.LastIndexOf('.') is > 0 and var dot ? column[..dot] : words[^1];
    }

    /// <summary>Reads for <paramref name="options"/>' duration and returns what it saw; each finding is reported when first seen.</summary>
    public async Task<WatchReport> WatchAsync(NpgsqlConnection connection, WatchOptions options, IRunLog log, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var start = await StatisticsReader.ReadAsync(connection, _journalTable, cancellation).ConfigureAwait(false);
        var notWatched = new List<string>();
        if (start.QueriesUnavailable is { } why)
        {
            notWatched.Add($"query times: {why}");
        }

        log.Info($"Watching {connection.Host}:{connection.Port}/{connection.Database} for {DeployDiagnostics.Duration(options.Duration)} (reading the statistics every {DeployDiagnostics.Duration(options.Interval)}): "
            + $"{(start.Queries is { } q ? $"{q.Count} of the app's statements" : "no query times (" + start.QueriesUnavailable + ")")}, deadlocks, rollbacks, conflicts and scans of {start.Tables.Count} table(s).");
        var seen = new Dictionary<(WatchFindingKind, string), WatchFinding>();
        var reads = 1;
        while (clock.Elapsed < options.Duration)
        {
            await Task.Delay(Min(options.Interval, options.Duration - clock.Elapsed), cancellation).ConfigureAwait(false);
            var now = await StatisticsReader.ReadAsync(connection, _journalTable, cancellation).ConfigureAwait(false);
            reads++;
            foreach (var finding in WatchComparison.Compare(_baseline, start, now, options.Thresholds, _touched))
            {
                if (seen.TryAdd((finding.Kind, finding.Subject), finding))
                {
                    log.Report(finding.Kind == WatchFindingKind.SlowerQuery
                        ? WatchDiagnostics.SlowerQuery(finding.ToString(), finding.Migration)
                        : WatchDiagnostics.DatabaseTrouble(finding.ToString(), finding.Kind switch
                        {
                            WatchFindingKind.Deadlocks => "deadlocks",
                            WatchFindingKind.Rollbacks => "rollbacks",
                            WatchFindingKind.SequentialScans => "sequential scans",
                            _ => "conflicts",
                        }));
                }
                else
                {
                    seen[(finding.Kind, finding.Subject)] = finding;
                }
            }
        }

        var report = new WatchReport($"{connection.Host}:{connection.Port}/{connection.Database}", clock.Elapsed, reads, start.Queries?.Count, notWatched, seen.Values.ToList());
        log.Info(report.Findings.Count == 0
            ? $"Watch: no regression in {DeployDiagnostics.Duration(report.Watched)} ({reads} reads; {(report.Queries is { } n ? $"{n} statements compared" : "query times not watched")})."
            : $"Watch: {report.Findings.Count} regression(s) in {DeployDiagnostics.Duration(report.Watched)}: {string.Join("; ", report.Findings)}.");
        if (report.Findings.Count > 0 && !options.WarnOnly)
        {
            throw new MigrationException(WatchDiagnostics.Regressed(report.Findings.Count, report.Watched));
        }

        return report;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
