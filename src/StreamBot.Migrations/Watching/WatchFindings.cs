using System.Globalization;

namespace StreamBot.Migrations.Watching;

/// <summary>When the watch calls a change a regression.</summary>
/// <param name="Factor">A query whose mean time during the watch is this many times its mean before the deploy (default 3).</param>
/// <param name="MinCalls">...over at least this many calls during the watch, and as many before (default 20): fewer is noise.</param>
/// <param name="MinMeanMs">...and slower by at least this much per call (default 1 ms: 0.01 to 0.05 ms is not worth a page).</param>
/// <param name="RollbackFloor">Rollbacks during the watch that count, when their share of transactions is also twice what it was (default 10).</param>
public sealed record WatchThresholds(double Factor = 3, long MinCalls = 20, double MinMeanMs = 1, long RollbackFloor = 10)
{
    /// <summary>The defaults.</summary>
    public static WatchThresholds Default { get; } = new();
}

/// <summary>What the watch found.</summary>
public enum WatchFindingKind
{
    /// <summary>A query became slower.</summary>
    SlowerQuery,

    /// <summary>Deadlocks happened.</summary>
    Deadlocks,

    /// <summary>More transactions rolled back than before (constraint, trigger or other errors).</summary>
    Rollbacks,

    /// <summary>Queries on a standby were cancelled by replay conflicts.</summary>
    Conflicts,

    /// <summary>A table that was read through its indexes is now read by sequential scans.</summary>
    SequentialScans,
}

/// <summary>One regression: what, how much, and the migration that touched the tables involved (when one did).</summary>
/// <param name="Kind">What.</param>
/// <param name="Subject">The query (its id and the start of its text) or the table or database.</param>
/// <param name="Detail">The figures, before and during.</param>
/// <param name="Migration">The applied migration that changed a table the query reads; null when none did.</param>
public sealed record WatchFinding(WatchFindingKind Kind, string Subject, string Detail, string? Migration)
{
    /// <summary>"query -123 "SELECT ..." : 0.05 ms a call before, 4.2 ms during the watch (84x, 310 calls); after 0006_drop_index".</summary>
    public override string ToString() => $"{Subject}: {Detail}{(Migration is null ? string.Empty : $"; {Migration} changed its table")}";
}

/// <summary>
/// Compares what the database did during the watch (the difference between its start and now) with how it behaved
/// before the deploy (the cumulative figures of the baseline): server-free, so the thresholds are tested without a
/// database.
/// </summary>
public static class WatchComparison
{
    /// <summary>The regressions between <paramref name="baseline"/> (before the first migration), <paramref name="start"/> (after the last) and <paramref name="now"/>.</summary>
    /// <param name="baseline">Cumulative figures before the deploy.</param>
    /// <param name="start">Cumulative figures when the watch started.</param>
    /// <param name="now">Cumulative figures now.</param>
    /// <param name="thresholds">When a change is a regression.</param>
    /// <param name="touched">Each applied migration and the tables it changed, in order: a slower query is put on the last one that changed a table its text names.</param>
    public static IReadOnlyList<WatchFinding> Compare(StatisticsSample baseline, StatisticsSample start, StatisticsSample now, WatchThresholds thresholds,
        IReadOnlyList<(string Migration, IReadOnlyCollection<string> Tables)> touched)
    {
        var findings = new List<WatchFinding>();
        foreach (var query in now.Queries?.Values ?? [])
        {
            if (baseline.Queries?.GetValueOrDefault(query.Id) is not { } before || before.Calls < thresholds.MinCalls)
            {
                continue;
            }

            var atStart = start.Queries?.GetValueOrDefault(query.Id);
            var calls = query.Calls - (atStart?.Calls ?? 0);
            if (calls < thresholds.MinCalls)
            {
                continue;
            }

            var meanBefore = before.TotalMs / before.Calls;
            var meanDuring = (query.TotalMs - (atStart?.TotalMs ?? 0)) / calls;
            if (meanDuring >= thresholds.Factor * meanBefore && meanDuring - meanBefore >= thresholds.MinMeanMs)
            {
                findings.Add(new WatchFinding(WatchFindingKind.SlowerQuery, $"query {query.Id} \"{Start(query.Text)}\"",
                    string.Create(CultureInfo.InvariantCulture, $"{meanBefore:0.###} ms a call before the deploy, {meanDuring:0.###} ms during the watch ({meanDuring / meanBefore:0.#}x, {calls} calls)"),
                    touched.LastOrDefault(t => t.Tables.Any(table => Names(query.Text, table))).Migration));
            }
        }

        if (now.Deadlocks - start.Deadlocks is > 0 and var deadlocks)
        {
            findings.Add(new WatchFinding(WatchFindingKind.Deadlocks, "the database", $"{deadlocks} deadlock(s) during the watch", null));
        }

        var rollbacks = now.Rollbacks - start.Rollbacks;
        var transactions = rollbacks + now.Commits - start.Commits;
        var shareBefore = baseline.Rollbacks / (double)Math.Max(1, baseline.Rollbacks + baseline.Commits);
        if (rollbacks >= thresholds.RollbackFloor && rollbacks / (double)transactions > 2 * shareBefore)
        {
            findings.Add(new WatchFinding(WatchFindingKind.Rollbacks, "the database",
                string.Create(CultureInfo.InvariantCulture, $"{rollbacks} of {transactions} transactions rolled back during the watch ({100.0 * rollbacks / transactions:0.#}%, {100 * shareBefore:0.#}% before): errors such as a constraint or trigger the app's writes now fail"), null));
        }

        if (now.Conflicts - start.Conflicts is > 0 and var conflicts)
        {
            findings.Add(new WatchFinding(WatchFindingKind.Conflicts, "the database", $"{conflicts} query(ies) cancelled by replay conflicts during the watch", null));
        }

        foreach (var table in now.Tables.Values)
        {
            var before = baseline.Tables.GetValueOrDefault(table.Table);
            var atStart = start.Tables.GetValueOrDefault(table.Table);
            var sequential = table.SequentialScans - (atStart?.SequentialScans ?? 0);
            var byIndex = table.IndexScans - (atStart?.IndexScans ?? 0);
            var shareBefore2 = before is null || before.SequentialScans + before.IndexScans == 0 ? 1 : before.SequentialScans / (double)(before.SequentialScans + before.IndexScans);
            if (sequential >= thresholds.MinCalls && shareBefore2 < 0.01 && sequential > byIndex)
            {
                findings.Add(new WatchFinding(WatchFindingKind.SequentialScans, table.Table,
                    string.Create(CultureInfo.InvariantCulture, $"{sequential} sequential scan(s) and {byIndex} index scan(s) during the watch; {100 * shareBefore2:0.##}% of its scans were sequential before"),
                    touched.LastOrDefault(t => t.Tables.Contains(table.Table) || t.Tables.Contains(table.Table.Split('.')[^1])).Migration));
            }
        }

        return findings;
    }

    // Whether a query's text names a table: as a word, quoted or not, possibly schema-qualified.
    private static bool Names(string text, string table) =>
        System.Text.RegularExpressions.Regex.IsMatch(text, $@"(^|[^\w""]){System.Text.RegularExpressions.Regex.Escape(table)}($|[^\w""])|""{System.Text.RegularExpressions.Regex.Escape(table)}""",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>The start of a query's text on one line, for a message.</summary>
    public static string Start(string text)
    {
        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= 80 ? line : line[..77] + "...";
    }
}
