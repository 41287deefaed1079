using StreamBot.Migrations.Backfills;

namespace StreamBot.Migrations.Tests.Unit.Backfills;

/// <summary>When the throttle holds a backfill: each signal pauses at one level and lets go only under a lower one.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class BackfillThrottleTests
{
    private static readonly BackfillThrottle Throttle = BackfillThrottle.Default;

    private static DatabaseHealth Standby(double lagSeconds, long bytes = 0) =>
        new([new StandbyLag("replica1 at 10.0.0.7", bytes, TimeSpan.FromSeconds(lagSeconds))], null, null, false);

    [Fact]
    public void Replay_lag_pauses_at_sixty_seconds_and_resumes_under_thirty()
    {
        Assert.Null(Throttle.Hold(Standby(59), paused: false));
        Assert.Equal("standby replica1 at 10.0.0.7 is 60 s behind in replay (pauses at 60 s, resumes under 30 s)", Throttle.Hold(Standby(60), paused: false));
        Assert.NotNull(Throttle.Hold(Standby(45), paused: true));
        Assert.Null(Throttle.Hold(Standby(29), paused: true));
    }

    [Fact]
    public void Wal_not_replayed_pauses_at_256_mb_and_resumes_under_64()
    {
        Assert.Null(Throttle.Hold(Standby(1, 255L << 20), paused: false));
        Assert.Equal("standby replica1 at 10.0.0.7 has 256 MB of WAL to replay (pauses at 256 MB, resumes under 64 MB)", Throttle.Hold(Standby(1, 256L << 20), paused: false));
        Assert.NotNull(Throttle.Hold(Standby(1, 100L << 20), paused: true));
        Assert.Null(Throttle.Hold(Standby(1, 63L << 20), paused: true));
    }

    [Fact]
    public void An_old_transaction_and_autovacuum_on_the_table_hold_it_too()
    {
        var old = new DatabaseHealth([], TimeSpan.FromMinutes(11), 4242, false);
        Assert.Equal("a transaction has been open for 11 min (backend pid 4242), so vacuum cannot clean up after the batches (pauses at 10 min, resumes under 5 min)", Throttle.Hold(old, paused: false));
        Assert.NotNull(Throttle.Hold(old with { OldestTransaction = TimeSpan.FromMinutes(6) }, paused: true));
        Assert.Null(Throttle.Hold(old with { OldestTransaction = TimeSpan.FromMinutes(6) }, paused: false));
        Assert.Equal("an autovacuum to prevent transaction ID wraparound is working on the table (resumes when it is done)", Throttle.Hold(new DatabaseHealth([], null, null, true), paused: false));
        Assert.Null(Throttle.Hold(new DatabaseHealth([], null, null, false), paused: true));
    }
}
