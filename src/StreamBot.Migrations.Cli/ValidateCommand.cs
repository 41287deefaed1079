using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Cli;

/// <summary><c>validate [DIR]</c>: the build's checks, printed in MSBuild's <c>file(line,col): error CODE</c> form.</summary>
internal static class ValidateCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentList parsed;
        try
        {
            parsed = ArgumentList.Parse(args, new HashSet<string>(StringComparer.Ordinal) { "--dir", "--lint-from", "--postgres-version" }, new HashSet<string>(StringComparer.Ordinal), "validate");
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

        var directory = named.Concat(parsed.Positional).FirstOrDefault() ?? "migrations";
        var report = MigrationsValidator.Validate(directory, lint: lint);
        foreach (var diagnostic in report.Diagnostics)
        {
            // File names are anybody's text: a newline in one must not split its diagnostic over two lines.
            (diagnostic.Severity == DiagnosticSeverity.Error ? stderr : stdout).WriteLine(Printable.Of(diagnostic.ToString()));
        }

        var errors = report.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        var warnings = report.Diagnostics.Count - errors;
        stdout.WriteLine(Printable.Of($"{report.Migrations.Count} migration(s) in {report.Directory}: {errors} error(s), {warnings} warning(s)."));
        return errors > 0 ? CommandLine.Failed : CommandLine.Success;
    }

    private static string? Last(ArgumentList parsed, string option) => parsed.Options.LastOrDefault(o => o.Name == option).Value;
}
