namespace StreamBot.Migrations.Planning;

/// <summary>One applied migration, as the journal table records it.</summary>
/// <param name="Id">The row's id (shown when the journal lists a name twice).</param>
/// <param name="Name">The migration's file name without <c>.sql</c>.</param>
/// <param name="Hash">SHA-256 of the file when it was applied (whatever someone wrote there, for a hand-made row).</param>
/// <param name="AppliedAt">When it was applied.</param>
/// <param name="ExecutionMs">How long it took.</param>
/// <param name="AppliedBy">Who applied it (user@host).</param>
public sealed record JournalRow(long Id, string Name, string Hash, DateTimeOffset AppliedAt, int ExecutionMs, string AppliedBy);

/// <summary>A migration that started statement by statement and has not been journaled (it stopped half-way).</summary>
/// <param name="Name">The migration's name.</param>
/// <param name="Hash">SHA-256 of the file when it started.</param>
/// <param name="Done">Statements known to have run.</param>
/// <param name="Total">Statements the file had then.</param>
/// <param name="UpdatedAt">When the last statement finished.</param>
/// <param name="By">Who ran it.</param>
public sealed record ProgressRow(string Name, string Hash, int Done, int Total, DateTimeOffset UpdatedAt, string By);
