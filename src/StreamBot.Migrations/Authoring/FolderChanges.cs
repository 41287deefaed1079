namespace StreamBot.Migrations.Authoring;

/// <summary>
/// What an authoring command does to the folder, decided in full before anything is written: files to move, files to
/// write, and the lines to tell the user. Nothing is applied when the command was refused.
/// </summary>
public sealed class FolderChanges
{
    private readonly List<(string From, string To)> _moves = [];
    private readonly List<(string Path, string Text)> _writes = [];
    private readonly List<string> _messages = [];

    /// <summary>What to tell the user, in order.</summary>
    public IReadOnlyList<string> Messages => _messages;

    /// <summary>Moves (renames) of files, done first.</summary>
    public IReadOnlyList<(string From, string To)> Moves => _moves;

    /// <summary>Files written whole, after the moves.</summary>
    public IReadOnlyList<(string Path, string Text)> Writes => _writes;

    internal FolderChanges Move(string from, string to)
    {
        _moves.Add((from, to));
        return this;
    }

    internal FolderChanges Write(string path, string text)
    {
        _writes.Add((path, text));
        return this;
    }

    internal FolderChanges Say(string message)
    {
        _messages.Add(message);
        return this;
    }

    /// <summary>Moves, then writes (creating a folder a write needs).</summary>
    public void Apply()
    {
        foreach (var (from, to) in _moves)
        {
            File.Move(from, to);
        }

        foreach (var (path, text) in _writes)
        {
            if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }

            File.WriteAllText(path, text);
        }
    }
}
