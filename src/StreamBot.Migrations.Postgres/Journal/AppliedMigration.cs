namespace StreamBot.Migrations.Postgres.Journal;

/// <summary>A journal row: one migration that was applied.</summary>
internal sealed record AppliedMigration(long Id, string Name, string Hash, DateTimeOffset AppliedAt, int ExecutionMs, string AppliedBy);
