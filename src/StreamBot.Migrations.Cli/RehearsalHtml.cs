using System.Globalization;
using System.Net;
using System.Text;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Rehearsal;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Schema;

namespace StreamBot.Migrations.Cli;

/// <summary>
/// A rehearsal as one self-contained HTML page (no script, font, stylesheet or image from elsewhere; a Content
/// Security Policy forbids any): per migration, a lock timeline in inline SVG with a lane per pre-existing table the
/// migration touched, each statement's lock a bar coloured by its mode from the statement's start to the commit
/// (the part the statement itself ran drawn darker), rewrites and full scans marked; below it a table of every
/// statement with its measured locks beside what the lint's reading predicted, the rollback and re-apply outcome, and
/// the schema differences when the rollback left some. Every bar and marker says its line on hover.
/// </summary>
internal static class RehearsalHtml
{
    // Geometry of a timeline, in SVG user units (the picture scales to the page's width).
    private const int Width = 960;
    private const int LabelWidth = 190;
    private const int PlotWidth = Width - LabelWidth - 40;
    private const int AxisHeight = 26;
    private const int LaneHeight = 24;
    private const int BarHeight = 14;
    private const int MinBarWidth = 3;

    private static readonly LockMode[] Modes = Enum.GetValues<LockMode>();

    private static readonly int[] StepFactors = [1, 2, 5, 10];

    public static void Write(RehearsalReport report, TextWriter output)
    {
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Migration rehearsal</title>
            <style>
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1040px; padding: 0 16px; color: #1f2328; }
            h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
            code { font: 12px ui-monospace, "SFMono-Regular", Menlo, monospace; } h2 code { font-size: 16px; }
            table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; }
            th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
            th { background: #f6f8fa; }
            .passed { color: #1a7f37; } .failed { color: #cf222e; font-weight: 600; } .other { color: #57606a; }
            .legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 12px; margin: 8px 0 16px; }
            .legend span { display: inline-flex; align-items: center; gap: 5px; }
            .swatch { width: 14px; height: 14px; border-radius: 2px; display: inline-block; }
            svg.timeline { width: 100%; height: auto; display: block; }
            svg.timeline text { font: 12px system-ui, sans-serif; fill: #1f2328; }
            svg.timeline .tick { fill: #57606a; font-size: 11px; }
            .quiet { color: #57606a; }
            .differs { color: #cf222e; }
            </style>
            </head>
            <body>

            """);
        var passed = report.Migrations.Count(m => m.Outcome == RehearsalOutcome.Passed);
        var failed = report.Migrations.Count(m => m.Outcome == RehearsalOutcome.Failed);
        html.Append("<h1>Migration rehearsal</h1>\n");
        html.Append(Invariant($"<p>{report.Migrations.Count} migration(s): <span class=\"passed\">{passed} passed</span>, <span class=\"{(failed > 0 ? "failed" : "other")}\">{failed} failed</span>, on <code>{E(report.Where)}</code> in {report.ElapsedMs / 1000:0.0} s.</p>\n"));
        Legend(html);
        Summary(html, report);
        for (var i = 0; i < report.Migrations.Count; i++)
        {
            Migration(html, report.Migrations[i], i, report.Diagnostics);
        }

        html.Append(Invariant($"<h2>What this rehearsal did not compare</h2>\n<p class=\"quiet\">{E(string.Join("; ", SchemaSnapshot.NotCompared))}.</p>\n"));
        html.Append(Invariant($"<p class=\"quiet\">{E(report.AppQueries.ToString())}</p>\n"));
        html.Append("</body>\n</html>\n");
        output.Write(html.ToString());
    }

    private static void Legend(StringBuilder html)
    {
        html.Append("<div class=\"legend\" aria-label=\"legend\">\n");
        foreach (var mode in Modes)
        {
            html.Append(Invariant($"<span><i class=\"swatch\" style=\"background:{Colour(mode)}\"></i>{E(mode.Describe())} ({Blocks(mode)})</span>\n"));
        }

        html.Append("<span><svg width=\"14\" height=\"14\" aria-hidden=\"true\"><path d=\"M7 1 L13 7 L7 13 L1 7 Z\" fill=\"#1f2328\"/></svg>rewrites the table (a new file)</span>\n");
        html.Append("<span><svg width=\"14\" height=\"14\" aria-hidden=\"true\"><circle cx=\"7\" cy=\"7\" r=\"5\" fill=\"#ffffff\" stroke=\"#1f2328\" stroke-width=\"2\"/></svg>reads the whole table</span>\n");
        html.Append("<span>darker part: the statement running; lighter: the lock held until the migration commits</span>\n");
        html.Append("</div>\n");
    }

    private static void Summary(StringBuilder html, RehearsalReport report)
    {
        html.Append("<table>\n<tr><th>migration</th><th>result</th><th>apply</th><th>rollback</th><th>strongest lock on a pre-existing table</th></tr>\n");
        for (var i = 0; i < report.Migrations.Count; i++)
        {
            var m = report.Migrations[i];
            var strongest = m.Trace.SelectMany(t => t.Locks).OrderByDescending(l => l.Lock.Mode).Select(l => $"{l.Lock.Mode.Describe()} on {l.Lock.Table}").FirstOrDefault() ?? "none";
            html.Append(Invariant($"<tr><td><a href=\"#m{i}\"><code>{E(m.Name)}</code></a></td><td class=\"{OutcomeClass(m.Outcome)}\">{E(RehearsalWriter.Result(m.Outcome))}</td><td>{RehearsalWriter.Ms(m.ApplyMs)}</td><td>{RehearsalWriter.Ms(m.RollbackMs)}</td><td>{E(strongest)}</td></tr>\n"));
        }

        html.Append("</table>\n");
    }

    private static void Migration(StringBuilder html, RehearsedMigration m, int index, IReadOnlyList<Diagnostic> diagnostics)
    {
        html.Append(Invariant($"<section id=\"m{index}\">\n<h2><code>{E(m.Name)}</code></h2>\n"));
        html.Append(Invariant($"<p class=\"{OutcomeClass(m.Outcome)}\">{E(MigrationRehearsal.Summary(m))}</p>\n"));
        var lanes = m.Trace.SelectMany(t => t.Locks.Select(l => l.Lock.Table).Concat(t.Scanned).Concat(t.Rewritten)).Distinct(StringComparer.Ordinal).ToList();
        if (lanes.Count == 0)
        {
            html.Append("<p class=\"quiet\">No lock, rewrite or full read of a table that existed before this migration.</p>\n");
        }
        else
        {
            Timeline(html, m, lanes);
            Statements(html, m);
        }

        if (m.Differences.Count > 0)
        {
            html.Append("<p class=\"differs\">Left different by the rollback or the second apply:</p>\n<ul>\n");
            foreach (var change in m.Differences)
            {
                html.Append(Invariant($"<li><code>{E(change.ToString())}</code></li>\n"));
            }

            html.Append("</ul>\n");
        }

        var own = diagnostics.Where(d => Path.GetFileNameWithoutExtension(d.File) == m.Name || d.Message.StartsWith(m.Name, StringComparison.Ordinal)).ToList();
        if (own.Count > 0)
        {
            html.Append("<ul>\n");
            foreach (var d in own)
            {
                html.Append(Invariant($"<li class=\"{(d.Severity == DiagnosticSeverity.Error ? "failed" : "other")}\"><b>{E(d.Code)}</b> line {d.Line}: {E(d.Message)}</li>\n"));
            }

            html.Append("</ul>\n");
        }

        html.Append("</section>\n");
    }

    private static void Timeline(StringBuilder html, RehearsedMigration m, List<string> lanes)
    {
        var end = Math.Max(1e-3, m.Trace.Max(t => Math.Max(t.StartMs + t.Milliseconds, t.Locks.Count == 0 ? 0 : t.StartMs + t.Locks.Max(l => l.HeldMs))));
        var (step, ticks) = Ticks(end);
        var scale = PlotWidth / (ticks * step);
        var height = AxisHeight + (lanes.Count * LaneHeight) + 6;
        html.Append(Invariant($"<svg class=\"timeline\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"lock timeline of {E(m.Name)}\" data-lanes=\"{E(string.Join(",", lanes))}\">\n"));
        for (var t = 0; t <= ticks; t++)
        {
            var x = LabelWidth + (t * step * scale);
            html.Append(Invariant($"<line x1=\"{x:0.#}\" y1=\"{AxisHeight - 6}\" x2=\"{x:0.#}\" y2=\"{height - 4}\" stroke=\"#d0d7de\"/><text class=\"tick\" x=\"{x:0.#}\" y=\"{AxisHeight - 10}\" text-anchor=\"middle\">{TickLabel(t * step)}</text>\n"));
        }

        for (var lane = 0; lane < lanes.Count; lane++)
        {
            var y = AxisHeight + (lane * LaneHeight);
            var label = lanes[lane].Length > 26 ? lanes[lane][..25] + "…" : lanes[lane];
            html.Append(Invariant($"<g class=\"lane\" data-table=\"{E(lanes[lane])}\"><rect x=\"0\" y=\"{y}\" width=\"{Width}\" height=\"{LaneHeight}\" fill=\"{(lane % 2 == 0 ? "#f6f8fa" : "#ffffff")}\"/><text x=\"8\" y=\"{y + 16}\"><title>{E(lanes[lane])}</title>{E(label)}</text></g>\n"));
        }

        foreach (var statement in m.Trace)
        {
            var x = LabelWidth + (statement.StartMs * scale);
            foreach (var (taken, heldMs) in statement.Locks)
            {
                var y = AxisHeight + (lanes.IndexOf(taken.Table) * LaneHeight) + ((LaneHeight - BarHeight) / 2);
                var predicted = LockPrediction.Predicted(statement.Predicted, taken) ? "the lint predicted it" : "the lint did not predict it";
                var tip = E(Invariant($"line {statement.Line}: {taken.Mode.Describe()} on {taken.Table}, held {heldMs:0.##} ms until the commit; the statement ran {statement.Milliseconds:0.##} ms; {predicted}"));
                html.Append(Invariant($"<g class=\"lock\" data-line=\"{statement.Line}\" data-mode=\"{taken.Mode}\"><title>{tip}</title>"));
                html.Append(Invariant($"<rect x=\"{x:0.##}\" y=\"{y}\" width=\"{Math.Max(MinBarWidth, heldMs * scale):0.##}\" height=\"{BarHeight}\" rx=\"2\" fill=\"{Colour(taken.Mode)}\" fill-opacity=\"0.55\"/>"));
                html.Append(Invariant($"<rect x=\"{x:0.##}\" y=\"{y}\" width=\"{Math.Max(MinBarWidth, statement.Milliseconds * scale):0.##}\" height=\"{BarHeight}\" rx=\"2\" fill=\"{Colour(taken.Mode)}\"/></g>\n"));
            }

            foreach (var table in statement.Rewritten)
            {
                var cy = AxisHeight + (lanes.IndexOf(table) * LaneHeight) + (LaneHeight / 2);
                html.Append(Invariant($"<path class=\"rewrite\" d=\"M{x:0.##} {cy - 6} L{x + 6:0.##} {cy} L{x:0.##} {cy + 6} L{x - 6:0.##} {cy} Z\" fill=\"#1f2328\"><title>{E(Invariant($"line {statement.Line}: rewrites {table}"))}</title></path>\n"));
            }

            foreach (var table in statement.Scanned)
            {
                var cy = AxisHeight + (lanes.IndexOf(table) * LaneHeight) + (LaneHeight / 2);
                html.Append(Invariant($"<circle class=\"scan\" cx=\"{x + 5:0.##}\" cy=\"{cy}\" r=\"5\" fill=\"#ffffff\" stroke=\"#1f2328\" stroke-width=\"2\"><title>{E(Invariant($"line {statement.Line}: reads all of {table}"))}</title></circle>\n"));
            }
        }

        html.Append("</svg>\n");
    }

    private static void Statements(StringBuilder html, RehearsedMigration m)
    {
        html.Append("<table>\n<tr><th>line</th><th>measured on pre-existing tables</th><th>the lint's reading predicted</th><th>ran</th></tr>\n");
        foreach (var statement in m.Trace.Where(t => t.Locks.Count > 0 || t.Rewritten.Count > 0 || t.Scanned.Count > 0 || t.Predicted.Count > 0))
        {
            var measured = statement.Locks.Select(l => Invariant($"{l.Lock.Mode.Describe()} on {l.Lock.Table} (held {l.HeldMs:0.##} ms)"))
                .Concat(statement.Rewritten.Select(r => $"rewrites {r}")).Concat(statement.Scanned.Select(s => $"reads all of {s}")).ToList();
            var unpredicted = LockPrediction.Unpredicted(statement.Predicted, statement.Locks.Select(l => l.Lock)).Count > 0;
            var predicted = RehearsalWriter.Predicted(statement);
            html.Append(Invariant($"<tr data-line=\"{statement.Line}\"><td>{statement.Line}</td><td>{E(measured.Count == 0 ? "no new or stronger lock" : string.Join("; ", measured))}</td><td{(unpredicted ? " class=\"differs\"" : string.Empty)}>{E(predicted)}{(unpredicted ? " (differs from what was measured)" : string.Empty)}</td><td>{statement.Milliseconds:0.##} ms</td></tr>\n"));
        }

        html.Append("</table>\n");
    }

    // A round step (1, 2 or 5 times a power of ten) that splits the extent into at most 6 intervals.
    private static (double Step, int Count) Ticks(double extent)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(extent / 6)));
        var step = StepFactors.Select(f => f * power).First(s => extent / s <= 6);
        return (step, (int)Math.Ceiling(extent / step));
    }

    private static string TickLabel(double ms) => ms >= 1000 ? Invariant($"{ms / 1000:0.##} s") : Invariant($"{ms:0.###} ms");

    // Weak (reads and writes go on) to exclusive (nothing else touches the table): green, amber, orange, red.
    private static string Colour(LockMode mode) => mode switch
    {
        LockMode.AccessShare => "#8fd19e",
        LockMode.RowShare => "#56b870",
        LockMode.RowExclusive => "#2e9a4f",
        LockMode.ShareUpdateExclusive => "#d4a72c",
        LockMode.Share => "#f0883e",
        LockMode.ShareRowExclusive => "#db6d28",
        LockMode.Exclusive => "#e5534b",
        _ => "#a40e26",
    };

    private static string Blocks(LockMode mode) => mode switch
    {
        LockMode.AccessExclusive => "blocks reads and writes",
        LockMode.Exclusive => "blocks writes and locking reads",
        _ when mode.BlocksWrites() => "blocks writes",
        _ => "reads and writes go on",
    };

    private static string OutcomeClass(RehearsalOutcome outcome) => outcome switch
    {
        RehearsalOutcome.Passed => "passed",
        RehearsalOutcome.Failed => "failed",
        _ => "other",
    };

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
