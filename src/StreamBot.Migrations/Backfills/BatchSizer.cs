namespace StreamBot.Migrations.Backfills;

/// <summary>How big a backfill's batches are.</summary>
/// <param name="Target">How long a batch should take: the longest a row the app wants stays locked, about.</param>
/// <param name="MinRows">The smallest batch (the first one, and the floor a timed-out batch shrinks to).</param>
/// <param name="MaxRows">The largest batch, however fast the batches go.</param>
/// <param name="Growth">How much larger than the previous one the next batch may be.</param>
public sealed record BatchSizing(TimeSpan Target, int MinRows, int MaxRows, double Growth = 2)
{
    /// <summary>
    /// 200 ms per batch, 100 to 50,000 rows, at most doubling: a row lock the bot waits for lasts about as long as one
    /// of its slower queries, the first batch is small enough to be harmless on any table, and the ceiling is
    /// five times strong_migrations' fixed 10,000, reached only when batches that large still finish in 200 ms.
    /// </summary>
    public static BatchSizing Default { get; } = new(TimeSpan.FromMilliseconds(200), 100, 50_000);
}

/// <summary>
/// Chooses each batch's size from how long the last one took: the size that would have hit the target, limited to
/// <see cref="BatchSizing.Growth"/> times the last size and to the bounds. A batch that timed out (lock or statement
/// timeout) halves the size. Pure arithmetic, so the policy is tested without a database.
/// </summary>
public sealed class BatchSizer(BatchSizing sizing)
{
    /// <summary>The next batch's size in rows.</summary>
    public int Size { get; private set; } = sizing.MinRows;

    /// <summary>A batch of <paramref name="rows"/> took <paramref name="took"/>.</summary>
    public void Completed(int rows, TimeSpan took)
    {
        if (rows < Size / 2)
        {
            // A short last batch (or a nearly empty key range) says nothing about the rate.
            return;
        }

        var ideal = took <= TimeSpan.Zero ? double.MaxValue : rows * (sizing.Target / took);
        Size = (int)Math.Clamp(Math.Min(ideal, rows * sizing.Growth), sizing.MinRows, sizing.MaxRows);
    }

    /// <summary>A batch timed out or made the app wait: the next one is half as large (never below the minimum).</summary>
    public void Shrink() => Size = Math.Max(sizing.MinRows, Size / 2);
}
