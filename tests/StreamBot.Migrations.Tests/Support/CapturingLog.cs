using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Tests.Support;

/// <summary>Collects what a run reports, for assertions.</summary>
public sealed class CapturingLog : IRunLog
{
    private readonly List<string> _lines = [];
    private readonly List<Diagnostic> _diagnostics = [];

    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }

    public IReadOnlyList<Diagnostic> Diagnostics { get { lock (_lines) return _diagnostics.ToList(); } }

    public string Text { get { lock (_lines) return string.Join('\n', _lines.Concat(_diagnostics.Select(d => d.ToString()))); } }

    public void Info(string line)
    {
        lock (_lines) _lines.Add(line);
    }

    public void Report(Diagnostic diagnostic)
    {
        lock (_lines) _diagnostics.Add(diagnostic);
    }
}
