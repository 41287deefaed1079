using StreamBot.Migrations.Backfills;

namespace StreamBot.Migrations.Postgres.Backfills;

/// <summary>How backfills run: batch sizes, throttling, a pause between batches, a time budget and how often progress is shown.</summary>
/// <param name="Sizing">The batches' target duration and bounds.</param>
/// <param name="Throttle">When to pause for the database's health.</param>
/// <param name="Sleep">A pause after every batch (zero: none); for when the write rate itself hurts (I/O, WAL volume).</param>
/// <param name="Budget">How long one run may spend on backfills, pauses included, before it stops cleanly (SBM4042); zero: no limit.</param>
public sealed record BackfillOptions(BatchSizing Sizing, BackfillThrottle Throttle, TimeSpan Sleep, TimeSpan Budget)
{
    /// <summary>200 ms batches of 100 to 50,000 rows, the default throttle, no pause, one hour.</summary>
    public static BackfillOptions Default { get; } = new(BatchSizing.Default, BackfillThrottle.Default, TimeSpan.Zero, TimeSpan.FromHours(1));

    /// <summary>How often progress is shown while a backfill runs.</summary>
    public TimeSpan ReportEvery { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a paused backfill reads the database's health again.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
