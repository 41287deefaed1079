using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StreamBot.Migrations.Diagnostics;

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

    /// <summary>The number a new migration takes: one past the highest (0000 in an empty folder).</summary>
    public static int NextNumber(IReadOnlyList<MigrationFile> migrations) => migrations.Count == 0 ? 0 : migrations.Max(m => m.Number) + 1;

    /// <summary>The number of a migration name (<c>0004_x</c> is 4).</summary>
    public static int NumberOf(string name) => int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="description"/> makes a valid migration name after its number (lower-case snake_case).</summary>
    public static bool IsValidDescription(string description) => MigrationName().IsMatch($"0000_{description}.sql");

    public static (IReadOnlyList<MigrationFile> Migrations, IReadOnlyList<Diagnostic> Diagnostics) Discover(string directory)
    {
        var diagnostics = new List<Diagnostic>();
        if (!Directory.Exists(directory))
        {
            diagnostics.Add(FolderDiagnostics.DirectoryNotFound(directory));
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
                diagnostics.Add(FolderDiagnostics.InvalidFileName(path, SuggestName(fileName)));
                continue;
            }

            var number = int.Parse(match.Groups["number"].ValueSpan, CultureInfo.InvariantCulture);
            candidates.Add(new MigrationFile(number, fileName[..^4], Path.GetFullPath(path)));
        }

        // A directory named like a migration is a mistake worth saying out loud, not something to skip silently.
        foreach (var path in Directory.EnumerateDirectories(directory).Where(d => d.EndsWith(".sql", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
        {
            diagnostics.Add(FolderDiagnostics.DirectoryNamedLikeMigration(path));
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
                diagnostics.Add(FolderDiagnostics.NoMigrations(directory));
            }

            return;
        }

        if (migrations[0].Number != 0)
        {
            diagnostics.Add(FolderDiagnostics.FirstNumberNotZero(migrations[0].FullPath, migrations[0].FileName));
        }

        for (var i = 1; i < migrations.Count; i++)
        {
            var previous = migrations[i - 1];
            var current = migrations[i];
            if (current.Number == previous.Number)
            {
                diagnostics.Add(FolderDiagnostics.DuplicateNumber(current.FullPath, current.FileName, previous.FileName, current.Number));
            }
            else if (current.Number != previous.Number + 1)
            {
                diagnostics.Add(FolderDiagnostics.NumberingGap(current.FullPath, previous.FileName, previous.Number, current.FileName, current.Number));
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
