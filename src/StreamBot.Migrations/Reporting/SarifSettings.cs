using StreamBot.Migrations.Diagnostics;

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
    /// Where SARIF rules link: <paramref name="docsUrl"/> when given (an absolute http(s) or file URL, else
    /// <paramref name="problem"/> names <paramref name="setting"/>), otherwise docs/diagnostics.md as shipped beside the
    /// tool (found walking up from <paramref name="toolFolder"/>: the package's root holds docs/), otherwise the package's page.
    /// </summary>
    public static Uri? Documentation(string? docsUrl, string toolFolder, string setting, out Diagnostic? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(docsUrl))
        {
            return ShippedDocumentation(toolFolder) ?? new Uri("https://www.nuget.org/packages/" + SarifLog.ToolName);
        }

        if (Uri.TryCreate(docsUrl, UriKind.Absolute, out var docs) && docs.Scheme is "https" or "http" or "file")
        {
            return docs;
        }

        problem = ToolDiagnostics.DocsUrlInvalid(docsUrl, setting);
        return null;
    }

    private static Uri? ShippedDocumentation(string start)
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
