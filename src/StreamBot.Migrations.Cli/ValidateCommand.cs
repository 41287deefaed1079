using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Reporting;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Cli;

/// <summary>
/// <c>validate [DIR]</c>: the build's checks, printed in MSBuild's <c>file(line,col): error CODE</c> form, or as a SARIF
/// log (<c>--format sarif</c>) that is standard output's whole content; the Markdown summary goes to the CI job's page.
/// </summary>
internal static class ValidateCommand
{
    private static readonly string[] Formats = ["text", "sarif"];

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentList parsed;
        try
        {
            parsed = ArgumentList.Parse(args, new HashSet<string>(StringComparer.Ordinal) { "--dir", "--lint-from", "--postgres-version", "--format", "--docs-url", "--source-root" },
                new HashSet<string>(StringComparer.Ordinal), "validate");
        }
        catch (FormatException e)
        {
            return CommandLine.UsageError(stderr, e.Message);
        }

        var named = parsed.Options.Where(o => o.Name == "--dir").Select(o => o.Value!).ToList();
        var lint = LintOptions.From(Last(parsed, "--lint-from"), Last(parsed, "--postgres-version"));
        if (parsed.Positional.Count + named.Count > 1)
        {
            return CommandLine.UsageError(stderr, "validate takes one directory (DIR or --dir DIR).");
        }

        var format = Last(parsed, "--format") ?? "text";
        if (!Formats.Contains(format, StringComparer.Ordinal))
        {
            return CommandLine.UsageError(stderr, $"--format '{format}' is not one of {string.Join(", ", Formats)}.");
        }

        var directory = named.Concat(parsed.Positional).FirstOrDefault() ?? "migrations";
        if (string.IsNullOrWhiteSpace(directory))
        {
            return CommandLine.UsageError(stderr, "validate takes a directory; the one given is empty.");
        }

        var root = Last(parsed, "--source-root");
        if (root is not null && (string.IsNullOrWhiteSpace(root) || !Directory.Exists(root)))
        {
            return CommandLine.UsageError(stderr, $"--source-root '{root}' is not a directory (give the repository's root, which SARIF paths are relative to).");
        }

        var sourceRoot = root is not null ? Path.GetFullPath(root) : SarifSettings.RepositoryRoot(directory, Environment.CurrentDirectory);

        if (SarifSettings.Documentation(Last(parsed, "--docs-url"), AppContext.BaseDirectory, "--docs-url", out var docsProblem) is not { } docs)
        {
            return CommandLine.UsageError(stderr, docsProblem!.FullMessage);
        }

        var report = MigrationsValidator.Validate(directory, lint: lint);
        var errors = report.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        if (format == "sarif")
        {
            var settings = new SarifSettings(sourceRoot, docs, CommandLine.Version);
            using var log = new MemoryStream();
            SarifLog.Write(report, settings, log);
            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(log.ToArray()));
        }
        else
        {
            foreach (var diagnostic in report.Diagnostics)
            {
                // File names are anybody's text: a newline in one must not split its diagnostic over two lines.
                (diagnostic.Severity == DiagnosticSeverity.Error ? stderr : stdout).WriteLine(Printable.Of(diagnostic.ToString()));
            }

            stdout.WriteLine(Printable.Of($"{report.Migrations.Count} migration(s) in {report.Directory}: {errors} error(s), {report.Diagnostics.Count - errors} warning(s)."));
        }

        if (StepSummary.Append(() => ValidationSummary.Markdown(report, sourceRoot)) is { } problem)
        {
            stderr.WriteLine(Printable.Of(problem));
        }

        return errors > 0 ? CommandLine.Failed : CommandLine.Success;
    }

    private static string? Last(ArgumentList parsed, string option) => parsed.Options.LastOrDefault(o => o.Name == option).Value;
}
