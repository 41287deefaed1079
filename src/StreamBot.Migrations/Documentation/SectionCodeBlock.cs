namespace StreamBot.Migrations.Documentation;

/// <summary>A fenced code block inside a section; <see cref="FenceLine"/> is the README line of the opening fence.</summary>
internal sealed record SectionCodeBlock(string Info, int FenceLine, IReadOnlyList<string> Lines, bool IsClosed);
