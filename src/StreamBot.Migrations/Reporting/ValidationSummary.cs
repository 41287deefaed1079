using System.Globalization;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Reporting;

/// <summary>A validation report as a short Markdown summary for a CI job's page: counts, then each finding.</summary>
public static class ValidationSummary
{
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
            lines.Add(MarkdownText.FindingsTable(report.Diagnostics, file => Relative(file, sourceRoot), "see the build log or the SARIF file"));
        }

        return string.Join('\n', lines) + "\n";
    }

    private static string Relative(string path, string root)
    {
        var relative = Path.GetRelativePath(root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
