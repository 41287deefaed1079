namespace StreamBot.Migrations.Documentation;

/// <summary>A <c>### NNNN_name.sql</c> heading of README.md and the lines under it, up to the next heading.</summary>
internal sealed record MarkdownSection(string Title, int HeadingLine, int FirstLine, IReadOnlyList<string> Lines);
