using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Discovery;

/// <summary>
/// Finds the migration files of a directory and checks their names and numbering: <c>NNNN_snake_case.sql</c>,
/// starting at 0000, no gaps and no duplicates. Other <c>.sql</c> files are errors rather than silently ignored;
/// other files (README.md, drizzle's meta/ folder) are left alone.
/// </summary>
internal static partial class MigrationDiscovery
{
    public const string ReadmeFileName = "README.md";

    [GeneratedRegex(@"^(?<number>[0-9]{4})_(?<description>[a-z0-9]+(?:_[a-z0-9]+)*)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex MigrationName();

    public static (IReadOnlyList<MigrationFile> Migrations, IReadOnlyList<Diagnostic> Diagnostics) Discover(string directory)
    {
        var diagnostics = new List<Diagnostic>();
        if (!Directory.Exists(directory))
        {
            diagnostics.Add(DiagnosticCatalog.DirectoryNotFound.AtFile(directory,
                $"The migrations directory '{directory}' does not exist.",
                "Create it, or point MigrationsDirectory (streambot-migrate: --dir) at the folder that holds the NNNN_name.sql files."));
            return ([], diagnostics);
        }

        var candidates = new List<MigrationFile>();
        foreach (var path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            var fileName = Path.GetFileName(path);
            if (!fileName.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var match = MigrationName().Match(fileName);
            if (!match.Success)
            {
                diagnostics.Add(DiagnosticCatalog.InvalidFileName.AtFile(path,
                    $"'{fileName}' is not a valid migration file name: names are four digits, an underscore and a lower-case snake_case description, ending in .sql.",
                    SuggestName(fileName)));
                continue;
            }

            var number = int.Parse(match.Groups["number"].ValueSpan, CultureInfo.InvariantCulture);
            candidates.Add(new MigrationFile(number, fileName[..^4], Path.GetFullPath(path)));
        }

        // A directory named like a migration is a mistake worth saying out loud, not something to skip silently.
        foreach (var path in Directory.EnumerateDirectories(directory).Where(d => d.EndsWith(".sql", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
        {
            diagnostics.Add(DiagnosticCatalog.FileUnreadable.AtFile(path,
                $"'{Path.GetFileName(path)}' is a directory, not a migration file.",
                "Move what it holds out of the migrations folder, or rename it so it does not end in .sql."));
        }

        candidates.Sort((a, b) => a.Number != b.Number ? a.Number.CompareTo(b.Number) : string.CompareOrdinal(a.Name, b.Name));
        CheckNumbering(directory, candidates, diagnostics);
        return (candidates, diagnostics);
    }

    private static void CheckNumbering(string directory, List<MigrationFile> migrations, List<Diagnostic> diagnostics)
    {
        if (migrations.Count == 0)
        {
            if (diagnostics.Count == 0)
            {
                diagnostics.Add(DiagnosticCatalog.NoMigrations.AtFile(directory,
                    $"The migrations directory '{directory}' holds no NNNN_name.sql files.",
                    "Add 0000_initial_schema.sql, or check that MigrationsDirectory points at the right folder."));
            }

            return;
        }

        if (migrations[0].Number != 0)
        {
            diagnostics.Add(DiagnosticCatalog.FirstNumberNotZero.AtFile(migrations[0].FullPath,
                $"The first migration is {migrations[0].FileName}, but numbering starts at 0000.",
                $"Renumber the migrations from 0000, or restore the missing files before {migrations[0].FileName}."));
        }

        for (var i = 1; i < migrations.Count; i++)
        {
            var previous = migrations[i - 1];
            var current = migrations[i];
            if (current.Number == previous.Number)
            {
                diagnostics.Add(DiagnosticCatalog.DuplicateNumber.AtFile(current.FullPath,
                    $"{current.FileName} and {previous.FileName} share the number {current.Number:D4}.",
                    "Give the newer migration the next free number (and rename its README section); two files must never share one."));
            }
            else if (current.Number != previous.Number + 1)
            {
                var missing = current.Number - previous.Number == 2
                    ? $"{previous.Number + 1:D4} is"
                    : $"{previous.Number + 1:D4} to {current.Number - 1:D4} are";
                diagnostics.Add(DiagnosticCatalog.NumberingGap.AtFile(current.FullPath,
                    $"Numbering has a gap: {missing} missing between {previous.FileName} and {current.FileName}.",
                    $"Renumber {current.FileName} (and the files after it) to close the gap, or restore the missing migration."));
            }
        }
    }

    private static string SuggestName(string fileName)
    {
        var stem = fileName[..^4];
        var builder = new StringBuilder();
        foreach (var c in stem.ToLowerInvariant())
        {
            var keep = c is >= 'a' and <= 'z' or >= '0' and <= '9';
            if (keep)
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '_')
            {
                builder.Append('_');
            }
        }

        var suggestion = builder.ToString().Trim('_');
        var digits = suggestion.TakeWhile(char.IsAsciiDigit).Count();
        if (digits == 4 && suggestion.Length > 5 && suggestion[4] == '_')
        {
            return $"Rename it, for example to '{suggestion}.sql'.";
        }

        return "Rename it to NNNN_description.sql (for example 0005_add_stream_markers.sql), or move it out of the migrations directory if it is not a migration.";
    }
}
