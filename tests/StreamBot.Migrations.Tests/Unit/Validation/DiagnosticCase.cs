using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Unit.Validation;

/// <summary>
/// One way to break a valid folder, the diagnostic it must produce and where, and the nearest correct variant,
/// which must produce no error at all. <paramref name="Marker"/> is text whose (first) line is the expected line;
/// null means a file-level diagnostic (no line).
/// </summary>
public sealed record DiagnosticCase(
    string Name,
    string Code,
    Action<MigrationsFolder> Break,
    Action<MigrationsFolder> Fix,
    string File,
    string? Marker,
    int Column)
{
    public override string ToString() => Name;
}
