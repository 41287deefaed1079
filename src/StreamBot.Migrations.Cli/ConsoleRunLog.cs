using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Cli;

/// <summary>
/// Progress to stdout; errors to stderr, in the form MSBuild's Exec and CI annotate. Every line is made printable,
/// since messages quote text from the database.
/// </summary>
internal sealed class ConsoleRunLog(TextWriter stdout, TextWriter stderr) : IRunLog
{
    public bool HasErrors { get; private set; }

    public void Info(string line)
    {
        lock (stdout)
        {
            stdout.WriteLine(Printable.Of(line));
        }
    }

    public void Report(Diagnostic diagnostic)
    {
        HasErrors |= diagnostic.Severity == DiagnosticSeverity.Error;
        var writer = diagnostic.Severity == DiagnosticSeverity.Error ? stderr : stdout;
        lock (writer)
        {
            writer.WriteLine(Printable.Of(diagnostic.ToString()));
        }
    }
}
