namespace StreamBot.Migrations.Reporting;

/// <summary>Where a SARIF log's paths and links point.</summary>
/// <param name="SourceRoot">The folder result paths are relative to: the repository's root, as code scanning expects.</param>
/// <param name="DocumentationUri">The absolute URI of docs/diagnostics.md; each rule links its <c>#sbmxxxx</c> section.</param>
/// <param name="ToolVersion">The package's version.</param>
public sealed record SarifSettings(string SourceRoot, Uri DocumentationUri, string ToolVersion)
{
    /// <summary>
    /// The repository root holding <paramref name="migrationsDirectory"/> (the nearest folder with a <c>.git</c>), or
    /// <paramref name="fallback"/> when it is not in a repository.
    /// </summary>
    public static string RepositoryRoot(string migrationsDirectory, string fallback)
    {
        for (var folder = new DirectoryInfo(Path.GetFullPath(migrationsDirectory)); folder is not null; folder = folder.Parent)
        {
            if (Directory.Exists(Path.Combine(folder.FullName, ".git")) || File.Exists(Path.Combine(folder.FullName, ".git")))
            {
                return folder.FullName;
            }
        }

        return Path.GetFullPath(fallback);
    }

    /// <summary>
    /// docs/diagnostics.md as shipped with the package (or in this repository), found by walking up from
    /// <paramref name="start"/>, the running tool's folder; null when there is none.
    /// </summary>
    public static Uri? ShippedDocumentation(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "docs", "diagnostics.md");
            if (File.Exists(candidate))
            {
                return new Uri(candidate);
            }
        }

        return null;
    }
}
