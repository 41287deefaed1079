using StreamBot.Migrations.Watching;

namespace StreamBot.Migrations.Tests.Unit;

/// <summary>The watch's judgement, server-free: what counts as slower, and what is noise.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class WatchComparisonTests
{
    private static StatisticsSample Sample(long calls, double totalMs, long deadlocks = 0, long commits = 1000, long rollbacks = 5, long seq = 1, long idx = 1000) =>
        new(new Dictionary<string, QueryFigures> { ["42"] = new("42", "SELECT count(*) FROM viewers WHERE channel = $1", calls, totalMs, calls) },
            deadlocks, commits, rollbacks, 0, new Dictionary<string, TableScans> { ["public.viewers"] = new("public.viewers", seq, idx) });

    private static readonly IReadOnlyList<(string, IReadOnlyCollection<string>)> Touched = [("0005_add_note", ["streams"]), ("0006_drop_channel_index", ["viewers"])];

    [Fact]
    public void A_query_three_times_and_a_millisecond_slower_over_enough_calls_is_named_with_the_migration_that_changed_its_table()
    {
        var finding = Assert.Single(WatchComparison.Compare(Sample(1000, 50), Sample(1000, 50), Sample(1100, 50 + (100 * 4.0)), WatchThresholds.Default, Touched));
        Assert.Equal(WatchFindingKind.SlowerQuery, finding.Kind);
        Assert.Equal("query 42 \"SELECT count(*) FROM viewers WHERE channel = $1\": 0.05 ms a call before the deploy, 4 ms during the watch (80x, 100 calls); 0006_drop_channel_index changed its table", finding.ToString());
    }

    [Theory]
    [InlineData(1100, 50 + 100 * 0.5, "4x slower but under a millisecond more: noise")]
    [InlineData(1010, 50 + 10 * 4.0, "10 calls during the watch: too few")]
    [InlineData(1100, 50 + 100 * 0.12, "2.4x: under the factor")]
    public void Noise_is_no_finding(long calls, double totalMs, string why)
    {
        Assert.True(WatchComparison.Compare(Sample(1000, 50), Sample(1000, 50), Sample(calls, totalMs), WatchThresholds.Default, Touched).Count == 0, why);
    }

    [Fact]
    public void Deadlocks_rollbacks_and_a_table_now_read_by_sequential_scans_are_findings()
    {
        var findings = WatchComparison.Compare(Sample(1000, 50), Sample(1000, 50), Sample(1000, 50, deadlocks: 2, commits: 1100, rollbacks: 45, seq: 80, idx: 1010), WatchThresholds.Default, Touched);
        Assert.Equal(
        [
            "the database: 2 deadlock(s) during the watch",
            "the database: 40 of 140 transactions rolled back during the watch (28.6%, 0.5% before): errors such as a constraint or trigger the app's writes now fail",
            "public.viewers: 79 sequential scan(s) and 10 index scan(s) during the watch; 0.1% of its scans were sequential before; 0006_drop_channel_index changed its table",
        ], findings.Select(f => f.ToString()));
    }
}
