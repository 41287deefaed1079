using System.Globalization;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Reporting;

/// <summary>A validation report as a short Markdown summary for a CI job's page: counts, then each finding.</summary>
public static class ValidationSummary
{
    private const int MaxRows = 50;

    /// <summary>The summary, with file paths relative to <paramref name="sourceRoot"/>.</summary>
    public static string Markdown(ValidationReport report, string sourceRoot)
    {
        var errors = report.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        var warnings = report.Diagnostics.Count - errors;
        var lines = new List<string>
        {
            "## Migrations checked",
            string.Empty,
            string.Create(CultureInfo.InvariantCulture,
                $"{(errors > 0 ? "❌" : warnings > 0 ? "⚠️" : "✅")} {report.Migrations.Count} migration(s) in `{MarkdownText.Code(Relative(report.Directory, sourceRoot))}`: {errors} error(s), {warnings} warning(s), {report.Suppressed.Count} finding(s) allowed with a reason."),
        };
        if (report.Diagnostics.Count > 0)
        {
            lines.Add(string.Empty);
            lines.Add("| | code | where | finding |");
            lines.Add("|---|---|---|---|");
            foreach (var d in report.Diagnostics.Take(MaxRows))
            {
                var where = Relative(d.File, sourceRoot) + (d.Line > 0 ? string.Create(CultureInfo.InvariantCulture, $":{d.Line}") : string.Empty);
                lines.Add($"| {(d.Severity == DiagnosticSeverity.Error ? "error" : "warning")} | {d.Code} | `{MarkdownText.Code(where)}` | {MarkdownText.Cell(d.FullMessage)} |");
            }

            if (report.Diagnostics.Count > MaxRows)
            {
                lines.Add(string.Empty);
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"…and {report.Diagnostics.Count - MaxRows} more: see the build log or the SARIF file."));
            }
        }

        return string.Join('\n', lines) + "\n";
    }

    private static string Relative(string path, string root)
    {
        var relative = Path.GetRelativePath(root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
