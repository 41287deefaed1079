using System.Globalization;

namespace StreamBot.Migrations.Diagnostics;

/// <summary>
/// One problem found in a migrations folder, with where it is and what to do about it.
/// </summary>
/// <param name="Code">Stable identifier, <c>SBM</c> followed by four digits (see docs/diagnostics.md).</param>
/// <param name="Severity">Whether the problem fails the build.</param>
/// <param name="File">Full path of the file the problem is in.</param>
/// <param name="Line">1-based line, or 0 when the problem concerns the whole file.</param>
/// <param name="Column">1-based column in UTF-16 code units, or 0 when there is no position.</param>
/// <param name="Message">What is wrong, as one or more sentences.</param>
/// <param name="Hint">What to do next, as a sentence.</param>
public sealed record Diagnostic(
    string Code,
    DiagnosticSeverity Severity,
    string File,
    int Line,
    int Column,
    string Message,
    string Hint)
{
    /// <summary>Message and hint as one text, the way they are shown to users.</summary>
    public string FullMessage => Hint.Length == 0 ? Message : Message + " " + Hint;

    /// <summary>
    /// The canonical <c>file(line,col): error CODE: text</c> form that MSBuild, IDEs and CI systems recognise.
    /// </summary>
    public override string ToString()
    {
        var kind = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        var position = Line <= 0
            ? string.Empty
            : Column <= 0
                ? string.Create(CultureInfo.InvariantCulture, $"({Line})")
                : string.Create(CultureInfo.InvariantCulture, $"({Line},{Column})");
        return $"{File}{position}: {kind} {Code}: {FullMessage}";
    }
}
