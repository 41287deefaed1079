using System.Globalization;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Rehearsal;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Reporting;

namespace StreamBot.Migrations.Cli;

/// <summary>
/// What status, up, down and rehearse add to a CI job's page (<c>GITHUB_STEP_SUMMARY</c>): a headline with the outcome,
/// the findings as a table, and the command's own report, each built from what the command already printed.
/// </summary>
internal static class StepSummaries
{
    public static string Status(StatusReport report, ConsoleRunLog log)
    {
        var counts = report.Migrations.GroupBy(m => m.State).OrderBy(g => g.Key)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {StatusWriter.State(g.Key)}"));
        var table = new StringWriter();
        StatusWriter.WriteTable(report, table);
        return Join(
            $"## {Mark(log)} Migration status of `{MarkdownText.Code(report.Database)}`",
            string.Join(", ", counts) + ".",
            Findings(log.Reported),
            Block(table.ToString().TrimEnd('\n').Split('\n')));
    }

    public static string Run(string command, string database, ConsoleRunLog log, bool interrupted)
    {
        var outcome = interrupted ? "interrupted" : log.HasErrors ? "failed" : "succeeded";
        return Join(
            $"## {(interrupted ? "⏹️" : Mark(log))} Migrations `{command}` on `{MarkdownText.Code(database)}` {outcome}",
            Findings(log.Reported),
            log.Lines.Count == 0 ? string.Empty : $"<details><summary>Run log</summary>\n\n{Block(log.Lines)}\n\n</details>");
    }

    public static string Rehearsal(RehearsalReport report, ConsoleRunLog log, string? htmlReport)
    {
        var markdown = new StringWriter();
        RehearsalWriter.Write(report, "markdown", markdown, htmlReport);
        // Under the job's page the report's title is a second-level heading and its sections third-level ones; its own
        // Findings section lists what the log reported.
        var body = markdown.ToString().Split('\n').Skip(1).Select(line => line.StartsWith("## ", StringComparison.Ordinal) ? "#" + line : line);
        return Join($"## {Mark(log)} Migration rehearsal", string.Join('\n', body).Trim('\n'));
    }

    private static string Mark(ConsoleRunLog log) =>
        log.HasErrors ? "❌" : log.Reported.Count > 0 ? "⚠️" : "✅";

    private static string Findings(IReadOnlyList<Diagnostic> reported) => MarkdownText.FindingsTable(reported, Path.GetFileName, "see the job's log");

    // A fence longer than any run of backticks inside, so no line of the log can close it.
    private static string Block(IEnumerable<string> lines)
    {
        var text = string.Join('\n', lines);
        var longest = 0;
        var run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        var fence = new string('`', Math.Max(3, longest + 1));
        return $"{fence}text\n{text}\n{fence}";
    }

    // Markdown blocks (headline, table, code block) need a blank line between them.
    private static string Join(params string[] parts) => string.Join("\n\n", parts.Where(p => p.Length > 0)) + "\n";
}
