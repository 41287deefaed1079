namespace StreamBot.Migrations.Documentation;

/// <summary>A <c>**Key**: value</c> line of a section, with the lines that follow it up to the next field.</summary>
internal sealed record SectionField(string Key, string Value, int Line, IReadOnlyList<string> Continuation)
{
    public bool HasContent => Value.Length > 0 || Continuation.Any(l => l.Trim().Length > 0);
}
