using StreamBot.Migrations.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StreamBot.Migrations.Postgres.Rehearsal;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Schema;

namespace StreamBot.Migrations.Cli;

/// <summary>A rehearsal as text (one summary line per migration, then its lock trace), JSON, or Markdown for a CI job to attach.</summary>
internal static class RehearsalWriter
{
    /// <param name="report">The rehearsal.</param>
    /// <param name="format">text, json, markdown or html.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="htmlReport">The HTML report written beside this one (--html-report), which text and Markdown name.</param>
    public static void Write(RehearsalReport report, string format, TextWriter output, string? htmlReport = null)
    {
        switch (format)
        {
            case "json":
                WriteJson(report, output);
                break;
            case "markdown":
                WriteMarkdown(report, output, htmlReport);
                break;
            case "html":
                RehearsalHtml.Write(report, output);
                break;
            default:
                WriteText(report, output, htmlReport);
                break;
        }
    }

    private static void WriteText(RehearsalReport report, TextWriter output, string? htmlReport)
    {
        Line(output, $"Rehearsal on {report.Where}: {Count(report)} ({report.ElapsedMs / 1000:0.0} s)");
        foreach (var m in report.Migrations)
        {
            Line(output, MigrationRehearsal.Summary(m));
            foreach (var statement in m.Trace.Where(Notable))
            {
                Line(output, $"  {statement}{Agreement(statement)}");
            }
        }

        Line(output, report.AppQueries.ToString());
        foreach (var backfill in report.Backfills)
        {
            Line(output, "Backfill in batches: " + backfill);
        }

        foreach (var sized in report.Sized)
        {
            Line(output, "Sized by the restored table: " + sized);
        }

        Line(output, NotCompared);
        if (htmlReport is not null)
        {
            Line(output, $"Lock timelines (HTML): {htmlReport}");
        }
    }

    // Said under every report, so "schema restored" is never read as covering what no snapshot reads.
    private static string NotCompared => $"Not compared by the schema snapshots: {string.Join("; ", SchemaSnapshot.NotCompared)}.";

    private static void WriteMarkdown(RehearsalReport report, TextWriter output, string? htmlReport)
    {
        Line(output, "# Migration rehearsal");
        Line(output, string.Empty);
        Line(output, $"{Count(report)} on `{report.Where}` in {report.ElapsedMs / 1000:0.0} s.");
        if (htmlReport is not null)
        {
            // Relative to where the command ran (a CI job's checkout), so the link works beside the uploaded artifact too.
            var relative = Path.GetRelativePath(Environment.CurrentDirectory, htmlReport).Replace('\\', '/');
            Line(output, string.Empty);
            Line(output, $"Lock timelines, one picture per migration: [{Path.GetFileName(htmlReport)}]({Uri.EscapeDataString(relative).Replace("%2F", "/", StringComparison.Ordinal)}) (HTML, self-contained).");
        }
        Line(output, string.Empty);
        Line(output, "| migration | result | apply | rollback |");
        Line(output, "|---|---|---|---|");
        foreach (var m in report.Migrations)
        {
            Line(output, $"| `{m.Name}` | {(m.Outcome == RehearsalOutcome.Failed ? $"**{Result(m.Outcome)}**" : Result(m.Outcome))} | {Ms(m.ApplyMs)} | {Ms(m.RollbackMs)} |");
        }

        var traced = report.Migrations.Where(m => m.Trace.Any(Notable)).ToList();
        if (traced.Count > 0)
        {
            Line(output, string.Empty);
            Line(output, "## Locks on tables that existed before each migration");
            foreach (var m in traced)
            {
                Line(output, string.Empty);
                Line(output, $"`{m.Name}`");
                Line(output, string.Empty);
                foreach (var statement in m.Trace.Where(Notable))
                {
                    Line(output, $"- {statement}{Agreement(statement)}");
                }
            }
        }

        Line(output, string.Empty);
        Line(output, report.AppQueries.ToString());
        Line(output, string.Empty);
        if (report.Backfills.Count > 0)
        {
            Line(output, "Backfills, run in batches:");
            Line(output, string.Empty);
            foreach (var backfill in report.Backfills)
            {
                Line(output, "- " + backfill);
            }

            Line(output, string.Empty);
        }

        if (report.Sized.Count > 0)
        {
            Line(output, "Sized by the restored tables:");
            Line(output, string.Empty);
            foreach (var sized in report.Sized)
            {
                Line(output, $"- {sized}");
            }

            Line(output, string.Empty);
        }

        Line(output, NotCompared);
        if (report.Diagnostics.Count > 0)
        {
            Line(output, string.Empty);
            Line(output, "## Findings");
            Line(output, string.Empty);
            foreach (var d in report.Diagnostics)
            {
                Line(output, $"- **{d.Code}** {(d.Severity == Diagnostics.DiagnosticSeverity.Error ? "error" : "warning")} at `{Path.GetFileName(d.File)}({d.Line},{d.Column})`: {d.Message}");
            }
        }
    }

    private static void WriteJson(RehearsalReport report, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("where", report.Where);
            json.WriteNumber("elapsedMs", Math.Round(report.ElapsedMs));
            json.WriteBoolean("passed", !report.Failed);
            json.WriteStartArray("migrations");
            foreach (var m in report.Migrations)
            {
                json.WriteStartObject();
                json.WriteString("name", m.Name);
                json.WriteString("outcome", JsonNamingPolicy.CamelCase.ConvertName(m.Outcome.ToString()));
                json.WriteNumber("applyMs", Math.Round(m.ApplyMs, 1));
                json.WriteNumber("rollbackMs", Math.Round(m.RollbackMs, 1));
                json.WriteStartArray("differences");
                foreach (var change in m.Differences)
                {
                    json.WriteStartObject();
                    json.WriteString("kind", change.Kind.ToString().ToLowerInvariant());
                    json.WriteString("object", change.Name);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteStartArray("trace");
                foreach (var statement in m.Trace)
                {
                    json.WriteStartObject();
                    json.WriteNumber("line", statement.Line);
                    json.WriteNumber("ms", Math.Round(statement.Milliseconds, 2));
                    json.WriteStartArray("locks");
                    foreach (var (taken, heldMs) in statement.Locks)
                    {
                        json.WriteStartObject();
                        json.WriteString("table", taken.Table);
                        json.WriteString("mode", taken.Mode.Describe());
                        json.WriteNumber("heldMs", Math.Round(heldMs, 1));
                        json.WriteBoolean("predicted", LockPrediction.Predicted(statement.Predicted, taken));
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    json.WriteStartArray("rewritten");
                    statement.Rewritten.ToList().ForEach(json.WriteStringValue);
                    json.WriteEndArray();
                    json.WriteStartArray("scanned");
                    statement.Scanned.ToList().ForEach(json.WriteStringValue);
                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("appQueries");
            json.WriteNumber("checked", report.AppQueries.Checked);
            json.WriteNumber("notPrepared", report.AppQueries.NeverPrepared);
            json.WriteStartArray("sources");
            report.AppQueries.Sources.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("sized");
            report.Sized.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteStartArray("backfills");
            report.Backfills.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteStartArray("notCompared");
            SchemaSnapshot.NotCompared.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteStartArray("diagnostics");
            foreach (var d in report.Diagnostics)
            {
                json.WriteStartObject();
                json.WriteString("code", d.Code);
                json.WriteString("severity", d.Severity == Diagnostics.DiagnosticSeverity.Error ? "error" : "warning");
                json.WriteString("file", d.File);
                json.WriteNumber("line", d.Line);
                json.WriteNumber("column", d.Column);
                json.WriteString("message", d.Message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    // A statement worth a line: it locked a pre-existing table against writes, rewrote or scanned one.
    private static bool Notable(TracedStatement statement) =>
        statement.Locks.Any(l => l.Lock.Mode.BlocksWrites()) || statement.Rewritten.Count > 0 || statement.Scanned.Count > 0;

    /// <summary>Where the measurement and the safety lint's prediction differ, said so.</summary>
    private static string Agreement(TracedStatement statement)
    {
        return LockPrediction.Unpredicted(statement.Predicted, statement.Locks.Select(l => l.Lock)).Count == 0
            ? string.Empty
            : $" [not what the lint's reading predicted: {Predicted(statement)}]";
    }

    /// <summary>What the lock classifier predicted for the statement: "ACCESS EXCLUSIVE on giveaways", or "no lock".</summary>
    internal static string Predicted(TracedStatement statement) =>
        statement.Predicted.Count == 0 ? "no lock" : string.Join(", ", statement.Predicted.Select(p => $"{p.Mode.Describe()} on {p.Table}"));

    private static string Count(RehearsalReport report)
    {
        var passed = report.Migrations.Count(m => m.Outcome == RehearsalOutcome.Passed);
        var failed = report.Migrations.Count(m => m.Outcome == RehearsalOutcome.Failed);
        return $"{report.Migrations.Count} migration(s), {passed} passed, {failed} failed";
    }

    /// <summary>A migration's outcome in a word or two, as every report format names it.</summary>
    internal static string Result(RehearsalOutcome outcome) => outcome switch
    {
        RehearsalOutcome.Passed => "passed",
        RehearsalOutcome.Failed => "failed",
        RehearsalOutcome.RollbackSkipped => "applied; rollback not recommended",
        RehearsalOutcome.AlreadyApplied => "in the backup",
        _ => "not reached",
    };

    /// <summary>A time in whole milliseconds, or "-" for a step that did not run.</summary>
    internal static string Ms(double ms) => ms <= 0 ? "-" : ms.ToString("0", CultureInfo.InvariantCulture) + " ms";

    private static void Line(TextWriter output, string text) => output.WriteLine(Printable.Of(text));
}
