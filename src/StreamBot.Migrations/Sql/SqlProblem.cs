using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Sql;

/// <summary>A lexical problem, positioned in the script but not yet tied to a file.</summary>
internal readonly record struct SqlProblem(DiagnosticDescriptor Descriptor, int Offset, int Line, int Column, string Message, string Hint);
