namespace StreamBot.Migrations.Documentation;

/// <summary>Follows CommonMark fenced code blocks (``` or ~~~, closed by a run at least as long) line by line.</summary>
internal sealed class CodeFence
{
    public bool IsOpen { get; private set; }

    public int OpenLine { get; private set; }

    public string Marker { get; private set; } = string.Empty;

    public string Info { get; private set; } = string.Empty;

    /// <summary>Feeds one line; returns true when the line is a fence or inside a block.</summary>
    public bool Track(string line, int lineNumber)
    {
        var trimmed = line.TrimStart(' ');
        var indent = line.Length - trimmed.Length;
        var run = FenceRun(trimmed);
        if (IsOpen)
        {
            if (run.Length >= Marker.Length && run[0] == Marker[0] && trimmed[run.Length..].Trim().Length == 0)
            {
                IsOpen = false;
            }

            return true;
        }

        if (indent <= 3 && run.Length >= 3)
        {
            IsOpen = true;
            OpenLine = lineNumber;
            Marker = run;
            Info = trimmed[run.Length..].Trim();
            return true;
        }

        return false;
    }

    /// <summary>Ends an open block early, when the README's structure shows its closing line is missing.</summary>
    public void ForceClose() => IsOpen = false;

    private static string FenceRun(string text)
    {
        if (text.Length == 0 || (text[0] != '`' && text[0] != '~'))
        {
            return string.Empty;
        }

        var length = 0;
        while (length < text.Length && text[length] == text[0]) length++;
        return text[..length];
    }
}
