namespace StreamBot.Migrations.Postgres.Running;

/// <summary>One line of <c>status</c>.</summary>
public sealed record StatusEntry(string Name, MigrationState State, DateTimeOffset? AppliedAt, int? ExecutionMs, string? AppliedBy);
