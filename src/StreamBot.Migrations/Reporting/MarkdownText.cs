using System.Globalization;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Reporting;

/// <summary>Anybody's text (file names, messages) made safe inside Markdown: one line, no table or code break-out.</summary>
public static class MarkdownText
{
    /// <summary>Text for a table cell: one line, pipes escaped, HTML's angle brackets neutralised.</summary>
    public static string Cell(string text) =>
        OneLine(text).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Text inside a single-backtick code span: one line, without backticks (which would end the span).</summary>
    public static string Code(string text) => OneLine(text).Replace('`', '\'').Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>
    /// Findings as a Markdown table (level, code, where, message), at most 50 rows and then how many more there are and
    /// <paramref name="seeAlso"/>; <paramref name="place"/> names a finding's file for the reader (a relative path).
    /// Empty when there are none.
    /// </summary>
    public static string FindingsTable(IReadOnlyList<Diagnostic> findings, Func<string, string> place, string seeAlso)
    {
        const int MaxRows = 50;
        if (findings.Count == 0)
        {
            return string.Empty;
        }

        var rows = findings.Take(MaxRows).Select(d =>
            $"| {(d.Severity == DiagnosticSeverity.Error ? "error" : "warning")} | {d.Code} | `{Code(place(d.File) + (d.Line > 0 ? string.Create(CultureInfo.InvariantCulture, $":{d.Line}") : string.Empty))}` | {Cell(d.FullMessage)} |");
        var more = findings.Count > MaxRows ? string.Create(CultureInfo.InvariantCulture, $"\n\n…and {findings.Count - MaxRows} more: {seeAlso}.") : string.Empty;
        return "| | code | where | finding |\n|---|---|---|---|\n" + string.Join('\n', rows) + more;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}
