using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Sql;

/// <summary>A lexical problem, positioned in the script (its diagnostic's line and column) but not yet tied to a file.</summary>
internal readonly record struct SqlProblem(int Offset, Diagnostic Diagnostic);
