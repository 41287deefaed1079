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

    private bool _progressShown;

    public bool HasErrors { get; private set; }

    public void Info(string line)
    {
        lock (stdout)
        {
            EndProgress();
            stdout.WriteLine(Printable.Of(line));
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
