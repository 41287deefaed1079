using System.Text;
using System.Text.Json;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Reporting;

/// <summary>
/// A validation report as a SARIF 2.1.0 log, the format code-scanning services read: one rule per SBM code with its
/// documentation link, one result per finding with its file relative to <see cref="SarifSettings.SourceRoot"/>, and the
/// findings a <c>-- streambot:allow ... because ...</c> comment silenced as suppressed results with that reason.
/// </summary>
public static class SarifLog
{
    /// <summary>The tool's name in the log.</summary>
    public const string ToolName = "StreamBot.Migrations.Build";

    private const string SourceRootId = "SRCROOT";

    /// <summary>Writes <paramref name="report"/> as a SARIF log to <paramref name="output"/> (UTF-8, no byte order mark).</summary>
    public static void Write(ValidationReport report, SarifSettings settings, Stream output)
    {
        var rules = DiagnosticCatalog.All;
        var ruleIndex = rules.Select((rule, index) => (rule.Code, index)).ToDictionary(r => r.Code, r => r.index, StringComparer.Ordinal);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();

        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", ToolName);
        json.WriteString("semanticVersion", settings.ToolVersion);
        json.WriteString("informationUri", settings.DocumentationUri.GetLeftPart(UriPartial.Path));
        json.WriteStartArray("rules");
        foreach (var rule in rules)
        {
            json.WriteStartObject();
            json.WriteString("id", rule.Code);
            json.WriteString("name", RuleName(rule.Title));
            json.WriteStartObject("shortDescription");
            json.WriteString("text", rule.Title);
            json.WriteEndObject();
            json.WriteString("helpUri", settings.DocumentationUri.GetLeftPart(UriPartial.Query) + "#" + rule.Code.ToLowerInvariant());
            json.WriteStartObject("defaultConfiguration");
            json.WriteString("level", Level(rule.Severity));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.SourceRoot)) + Path.DirectorySeparatorChar;
        json.WriteStartObject("originalUriBaseIds");
        json.WriteStartObject(SourceRootId);
        json.WriteString("uri", new Uri(root).AbsoluteUri);
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartArray("results");
        foreach (var finding in report.Diagnostics)
        {
            WriteResult(json, finding, ruleIndex, root, justification: null);
        }

        foreach (var silenced in report.Suppressed)
        {
            WriteResult(json, silenced.Finding, ruleIndex, root, silenced.Justification);
        }

        json.WriteEndArray();
        json.WriteStartArray("invocations");
        json.WriteStartObject();
        json.WriteBoolean("executionSuccessful", true);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, Diagnostic finding, Dictionary<string, int> ruleIndex, string root, string? justification)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", finding.Code);
        json.WriteNumber("ruleIndex", ruleIndex[finding.Code]);
        json.WriteString("level", Level(finding.Severity));
        json.WriteStartObject("message");
        json.WriteString("text", finding.FullMessage);
        json.WriteEndObject();
        if (finding.File.Length > 0)
        {
            json.WriteStartArray("locations");
            json.WriteStartObject();
            json.WriteStartObject("physicalLocation");
            WriteArtifact(json, finding.File, root);
            // A finding about the whole file is anchored at its first line, where code scanning shows file-level alerts.
            json.WriteStartObject("region");
            json.WriteNumber("startLine", Math.Max(finding.Line, 1));
            if (finding.Line > 0 && finding.Column > 0)
            {
                json.WriteNumber("startColumn", finding.Column);
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        if (justification is not null)
        {
            json.WriteStartArray("suppressions");
            json.WriteStartObject();
            json.WriteString("kind", "inSource");
            json.WriteString("status", "accepted");
            json.WriteString("justification", justification);
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    // Inside the source root a file is a path relative to it (what code scanning matches against the repository);
    // outside it, an absolute file URI, so nothing is mislabelled.
    private static void WriteArtifact(Utf8JsonWriter json, string file, string root)
    {
        var full = Path.GetFullPath(file);
        json.WriteStartObject("artifactLocation");
        if (full.StartsWith(root, StringComparison.Ordinal))
        {
            json.WriteString("uri", RelativeUri(full[root.Length..]));
            json.WriteString("uriBaseId", SourceRootId);
        }
        else
        {
            json.WriteString("uri", new Uri(full).AbsoluteUri);
        }

        json.WriteEndObject();
    }

    private static string RelativeUri(string relativePath) =>
        string.Join('/', relativePath.Split(Path.DirectorySeparatorChar).Select(Uri.EscapeDataString));

    private static string Level(DiagnosticSeverity severity) => severity == DiagnosticSeverity.Error ? "error" : "warning";

    // "CREATE INDEX without CONCURRENTLY" -> "CreateIndexWithoutConcurrently": SARIF's name is one identifier-like word.
    private static string RuleName(string title)
    {
        var name = new StringBuilder();
        foreach (var word in title.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var letters = new string(word.Where(char.IsLetterOrDigit).ToArray());
            if (letters.Length > 0)
            {
                name.Append(char.ToUpperInvariant(letters[0])).Append(letters[1..].ToLowerInvariant());
            }
        }

        return name.ToString();
    }
}
