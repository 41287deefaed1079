using StreamBot.Migrations.Backfills;

namespace StreamBot.Migrations.Tests.Unit.Backfills;

/// <summary>The batch size policy: start small, grow by at most the factor toward the target duration, halve on a timeout.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class BatchSizerTests
{
    private static readonly BatchSizing Sizing = new(TimeSpan.FromMilliseconds(200), 100, 10_000);

    [Fact]
    public void Fast_batches_double_until_the_maximum()
    {
        var sizer = new BatchSizer(Sizing);
        var sizes = new List<int>();
        for (var i = 0; i < 9; i++)
        {
            sizes.Add(sizer.Size);
            sizer.Completed(sizer.Size, TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000], sizes);
    }

    [Fact]
    public void A_slow_batch_brings_the_size_to_what_would_have_taken_the_target()
    {
        var sizer = new BatchSizer(Sizing);
        sizer.Completed(100, TimeSpan.FromMilliseconds(150)); // 133 rows would take 200 ms
        Assert.Equal(133, sizer.Size);
        sizer.Completed(133, TimeSpan.FromMilliseconds(1330)); // 10 ms a row: 20 rows, but never under the minimum
        Assert.Equal(100, sizer.Size);
    }

    [Fact]
    public void A_timeout_halves_the_size_down_to_the_minimum_and_a_short_last_batch_says_nothing()
    {
        var sizer = new BatchSizer(Sizing);
        for (var i = 0; i < 5; i++)
        {
            sizer.Completed(sizer.Size, TimeSpan.FromMilliseconds(50));
        }

        Assert.Equal(3200, sizer.Size);
        sizer.Shrink();
        Assert.Equal(1600, sizer.Size);
        sizer.Completed(10, TimeSpan.FromSeconds(5)); // the range's last 10 rows, slow or not
        Assert.Equal(1600, sizer.Size);
        for (var i = 0; i < 10; i++)
        {
            sizer.Shrink();
        }

        Assert.Equal(100, sizer.Size);
    }
}
