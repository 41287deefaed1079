namespace StreamBot.Migrations.Planning;

/// <summary>One line of <c>status</c>.</summary>
public sealed record StatusEntry(string Name, MigrationState State, DateTimeOffset? AppliedAt, int? ExecutionMs, string? AppliedBy)
{
    /// <summary>For an interrupted migration: how many of its statements are known to have run, and of how many.</summary>
    public (int Done, int Total)? Progress { get; init; }

    /// <summary>For an interrupted migration applied in phases (it has a backfill): which phase it reached.</summary>
    public string? Phase { get; init; }

    /// <summary>For an interrupted migration stopped in a backfill: how far the backfill got.</summary>
    public BackfillProgress? Backfill { get; init; }

    /// <summary>Whether up goes on from where it stopped by itself (its position is exact), without --resume-from.</summary>
    public bool ResumesByItself { get; init; }
}
