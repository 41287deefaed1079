using System.Text.RegularExpressions;

namespace StreamBot.Migrations.Documentation;

/// <summary>
/// Reads the fields and code blocks of one section, tolerant of Markdown as people write it: <c>**Key**:</c> and
/// <c>**Key:**</c>, emoji, trailing double-space line breaks, indented lists under a field.
/// </summary>
internal static partial class SectionReader
{
    [GeneratedRegex(@"^\s*\*\*(?<key>[^*]+?)\s*(?<inner>:)?\*\*\s*(?<outer>:)?\s*(?<value>.*?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex FieldLine();

    public static (IReadOnlyList<SectionField> Fields, IReadOnlyList<SectionCodeBlock> Blocks) Read(MarkdownSection section)
    {
        var fields = new List<SectionField>();
        var blocks = new List<SectionCodeBlock>();
        var fence = new CodeFence();
        string? key = null;
        string value = string.Empty;
        var keyLine = 0;
        var continuation = new List<string>();
        List<string>? blockLines = null;
        var blockInfo = string.Empty;
        var blockLine = 0;

        void CloseField()
        {
            if (key is not null)
            {
                fields.Add(new SectionField(key, value, keyLine, continuation.ToArray()));
            }

            key = null;
            continuation.Clear();
        }

        for (var i = 0; i < section.Lines.Count; i++)
        {
            var line = section.Lines[i];
            var lineNumber = section.FirstLine + i;
            var wasOpen = fence.IsOpen;
            if (fence.Track(line, lineNumber))
            {
                if (!wasOpen)
                {
                    blockLines = [];
                    blockInfo = fence.Info;
                    blockLine = lineNumber;
                }
                else if (!fence.IsOpen)
                {
                    blocks.Add(new SectionCodeBlock(blockInfo, blockLine, blockLines!, IsClosed: true));
                    blockLines = null;
                }
                else
                {
                    blockLines!.Add(line);
                }

                continuation.Add(line);
                continue;
            }

            var match = FieldLine().Match(line);
            if (match.Success && (match.Groups["inner"].Success || match.Groups["outer"].Success))
            {
                CloseField();
                key = match.Groups["key"].Value.Trim().ToLowerInvariant();
                value = match.Groups["value"].Value.Trim();
                keyLine = lineNumber;
                continue;
            }

            continuation.Add(line);
        }

        if (blockLines is not null)
        {
            blocks.Add(new SectionCodeBlock(blockInfo, blockLine, blockLines, IsClosed: false));
        }

        CloseField();
        return (fields, blocks);
    }
}
