namespace StreamBot.Migrations.Planning;

/// <summary>One line of <c>status</c>.</summary>
public sealed record StatusEntry(string Name, MigrationState State, DateTimeOffset? AppliedAt, int? ExecutionMs, string? AppliedBy)
{
    /// <summary>For an interrupted migration: how many of its statements are known to have run, and of how many.</summary>
    public (int Done, int Total)? Progress { get; init; }
}
