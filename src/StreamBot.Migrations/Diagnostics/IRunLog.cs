
namespace StreamBot.Migrations.Diagnostics;

/// <summary>Where a run reports progress and problems (the console, or a test's capture).</summary>
public interface IRunLog
{
    /// <summary>A line of progress or a table row.</summary>
    void Info(string line);

    /// <summary>A warning or error, shown in the <c>file(line,col): error CODE: text</c> form.</summary>
    void Report(Diagnostic diagnostic);

    /// <summary>
    /// A progress line that the next one replaces (a backfill's rows done and time left), with the share done when it
    /// is known: a terminal may redraw it in place with a bar; anything else gets it as an ordinary line.
    /// </summary>
    void Progress(string line, double? done = null) => Info(line);
}
