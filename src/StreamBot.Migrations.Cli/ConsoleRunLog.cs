using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Cli;

/// <summary>
/// Progress to stdout; errors to stderr, in the form MSBuild's Exec and CI annotate. Every line is made printable,
/// since messages quote text from the database. On a terminal, a progress line (a backfill's) is redrawn in place
/// and cleared before the next ordinary line; anywhere else (a file, a pipe, MSBuild) it is an ordinary line.
/// </summary>
internal sealed class ConsoleRunLog(TextWriter stdout, TextWriter stderr, bool terminal = false) : IRunLog
{
    // Carriage return, then erase to the end of the line (ECMA-48 EL).
    private const string ClearLine = "\r\u001b[K";

    // What a CI job's summary quotes of the run: enough for any run of the Stream Bot's size, bounded for a huge one.
    private const int MaxKeptLines = 400;

    private readonly List<string> _lines = [];
    private readonly List<Diagnostic> _reported = [];
    private bool _progressShown;

    public bool HasErrors { get; private set; }

    /// <summary>The ordinary lines printed so far (not the progress lines), at most the first 400.</summary>
    public IReadOnlyList<string> Lines => _lines;

    /// <summary>Every warning and error reported so far.</summary>
    public IReadOnlyList<Diagnostic> Reported => _reported;

    public void Info(string line)
    {
        lock (stdout)
        {
            EndProgress();
            stdout.WriteLine(Printable.Of(line));
            if (_lines.Count < MaxKeptLines)
            {
                _lines.Add(Printable.Of(line));
            }
        }
    }

    public void Progress(string line, double? done = null)
    {
        if (!terminal)
        {
            Info(line);
            return;
        }

        // [#########-----------] before the line, 20 cells.
        var bar = done is { } share ? "[" + new string('#', (int)Math.Round(Math.Clamp(share, 0, 1) * 20)).PadRight(20, '-') + "] " : string.Empty;
        lock (stdout)
        {
            stdout.Write(ClearLine + bar + Printable.Of(line.TrimStart()));
            stdout.Flush();
            _progressShown = true;
        }
    }

    public void Report(Diagnostic diagnostic)
    {
        HasErrors |= diagnostic.Severity == DiagnosticSeverity.Error;
        lock (_reported)
        {
            _reported.Add(diagnostic);
        }

        var writer = diagnostic.Severity == DiagnosticSeverity.Error ? stderr : stdout;
        lock (stdout)
        {
            EndProgress();
        }

        lock (writer)
        {
            writer.WriteLine(Printable.Of(diagnostic.ToString()));
        }
    }

    private void EndProgress()
    {
        if (_progressShown)
        {
            stdout.Write(ClearLine);
            _progressShown = false;
        }
    }
}
