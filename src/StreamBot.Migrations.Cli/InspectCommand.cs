using System.Text.Encodings.Web;
using System.Text.Json;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Cli;

/// <summary>
/// <c>inspect FILE.sql [--format json|text]</c>: how the tool splits a file, statement by statement, with the
/// position of each statement's first token. Statements are printed even when the file has problems.
/// </summary>
internal static class InspectCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentList parsed;
        try
        {
            parsed = ArgumentList.Parse(args, new HashSet<string>(StringComparer.Ordinal) { "--format" }, new HashSet<string>(StringComparer.Ordinal), "inspect");
        }
        catch (FormatException e)
        {
            return CommandLine.UsageError(stderr, e.Message);
        }

        var format = parsed.Options.Select(o => o.Value).LastOrDefault() ?? "text";
        if (parsed.Positional.Count != 1 || format is not ("json" or "text"))
        {
            return CommandLine.UsageError(stderr, "inspect needs FILE.sql and an optional --format json|text.");
        }

        var file = parsed.Positional[0];
        var path = Path.GetFullPath(file);
        var diagnostics = MigrationsValidator.ValidateFile(path).ToList();
        var script = File.Exists(path) && diagnostics.All(d => d.Code != DiagnosticCatalog.FileUnreadable.Code)
            ? SqlSplitter.Split(File.ReadAllBytes(path))
            : null;

        if (script is not null)
        {
            if (format == "json")
            {
                WriteJson(script, stdout);
            }
            else
            {
                WriteText(script, stdout);
            }
        }
        else if (diagnostics.Count == 0)
        {
            diagnostics.Add(ToolDiagnostics.FileNotFound(path));
        }

        foreach (var diagnostic in diagnostics)
        {
            stderr.WriteLine(Printable.Of(diagnostic.ToString()));
        }

        return diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error) ? CommandLine.Failed : CommandLine.Success;
    }

    private static void WriteJson(SqlScript script, TextWriter stdout)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var statement in script.Statements)
            {
                json.WriteStartObject();
                json.WriteNumber("line", statement.Line);
                json.WriteNumber("column", statement.Column);
                json.WriteString("text", script.GetText(statement));
                json.WriteBoolean("transactional", statement.IsTransactional);
                if (statement.NonTransactionalReason is { } reason)
                {
                    json.WriteString("reason", reason);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteText(SqlScript script, TextWriter stdout)
    {
        for (var i = 0; i < script.Statements.Count; i++)
        {
            var statement = script.Statements[i];
            var mode = statement.IsTransactional ? "transactional" : $"non-transactional ({statement.NonTransactionalReason})";
            stdout.WriteLine($"-- statement {i + 1} at line {statement.Line}, column {statement.Column}, {mode}");
            stdout.WriteLine(script.GetText(statement));
        }
    }
}
