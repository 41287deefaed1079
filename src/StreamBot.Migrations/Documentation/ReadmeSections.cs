using System.Text.RegularExpressions;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Documentation;

/// <summary>
/// Cuts README.md into migration sections: a level-3 heading whose text names a <c>.sql</c> file starts one, and
/// the next heading of level 1 to 3 ends it. Headings inside fenced code blocks do not count.
/// </summary>
internal static partial class ReadmeSections
{
    [GeneratedRegex(@"^ {0,3}(?<hashes>#{1,6})[ \t]+(?<text>.*?)[ \t]*#*[ \t]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Heading();

    public static IReadOnlyList<MarkdownSection> Split(string readmePath, IReadOnlyList<string> lines, List<Diagnostic> diagnostics)
    {
        var sections = new List<MarkdownSection>();
        string? title = null;
        var headingLine = 0;
        var body = new List<string>();
        var fence = new CodeFence();

        void Close()
        {
            if (title is not null)
            {
                sections.Add(new MarkdownSection(title, headingLine, headingLine + 1, body.ToArray()));
            }

            title = null;
            body.Clear();
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (fence.IsOpen && Heading().Match(line) is { Success: true } inside && inside.Groups["hashes"].Length == 3
                && inside.Groups["text"].Value.Trim('*', ' ', '`').EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            {
                // Strictly, CommonMark keeps this heading inside the block; but a migration heading in rollback
                // SQL means the block's closing line is missing, and reading on would swallow the next section.
                diagnostics.Add(ReadmeDiagnostics.FenceNotClosedBeforeSection(readmePath, fence.OpenLine, i + 1, fence.Marker));
                fence.ForceClose();
            }

            if (!fence.Track(line, i + 1))
            {
                var heading = Heading().Match(line);
                if (heading.Success && heading.Groups["hashes"].Length <= 3)
                {
                    Close();
                    var text = heading.Groups["text"].Value.Replace("`", string.Empty, StringComparison.Ordinal).Trim('*', ' ');
                    if (heading.Groups["hashes"].Length == 3 && text.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
                    {
                        title = text;
                        headingLine = i + 1;
                    }

                    continue;
                }
            }

            if (title is not null)
            {
                body.Add(line);
            }
        }

        Close();
        if (fence.IsOpen)
        {
            diagnostics.Add(ReadmeDiagnostics.FenceNeverClosed(readmePath, fence.OpenLine, fence.Marker));
        }

        return sections;
    }
}
