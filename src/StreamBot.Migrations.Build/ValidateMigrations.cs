using Microsoft.Build.Framework;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Reporting;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Validation;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace StreamBot.Migrations.Build;

/// <summary>
/// Validates a migrations directory and logs every problem as an MSBuild error or warning with its code, file,
/// line and column. All logic lives in <see cref="MigrationsValidator"/>; this class only adapts it to MSBuild.
/// </summary>
public sealed class ValidateMigrations : MSBuildTask
{
    /// <summary>The directory holding the NNNN_name.sql files and README.md.</summary>
    [Required]
    public string Directory { get; set; } = string.Empty;

    /// <summary>Log warnings as errors, so that they fail the build.</summary>
    public bool TreatWarningsAsErrors { get; set; }

    /// <summary>The first migration the safety lint checks (MigrationsLintFrom); empty: all of them.</summary>
    public string LintFrom { get; set; } = string.Empty;

    /// <summary>The server's major version (MigrationsPostgresVersion); empty: the oldest supported one.</summary>
    public string PostgresVersion { get; set; } = string.Empty;

    /// <summary>Where to write the findings as a SARIF 2.1.0 log (MigrationsSarifFile); empty: nowhere.</summary>
    public string SarifFile { get; set; } = string.Empty;

    /// <summary>The URL of docs/diagnostics.md the SARIF rules link to (MigrationsDocsUrl); empty: the package's own copy.</summary>
    public string DocsUrl { get; set; } = string.Empty;

    /// <summary>The project's folder: SARIF paths are relative to the git repository around the migrations, or else to it.</summary>
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>Number of migration files found (an output, for targets that want to report it).</summary>
    [Output]
    public int MigrationCount { get; private set; }

    /// <inheritdoc />
    public override bool Execute()
    {
        var report = MigrationsValidator.Validate(Directory, lint: LintOptions.From(LintFrom, PostgresVersion));
        MigrationCount = report.Migrations.Count;
        foreach (var d in report.Diagnostics)
        {
            if (d.Severity == DiagnosticSeverity.Error || TreatWarningsAsErrors)
            {
                LogError(d);
            }
            else
            {
                Log.LogWarning(null, d.Code, null, d.File, d.Line, d.Column, 0, 0, d.FullMessage);
            }
        }

        if (SarifFile.Length > 0)
        {
            WriteSarif(report, SourceRoot());
        }

        if (StepSummary.Append(() => ValidationSummary.Markdown(report, SourceRoot())) is { } problem)
        {
            Log.LogWarning(problem);
        }

        if (!Log.HasLoggedErrors)
        {
            Log.LogMessage(MessageImportance.Normal, "StreamBot.Migrations: {0} migration(s) in {1} are valid.", report.Migrations.Count, report.Directory);
        }

        return !Log.HasLoggedErrors;
    }

    // Paths in reports are relative to the repository around the migrations, else to the project.
    private string SourceRoot() => SarifSettings.RepositoryRoot(Directory, ProjectDirectory.Length > 0 ? ProjectDirectory : Directory);

    private void WriteSarif(ValidationReport report, string sourceRoot)
    {
        // The task's own folder is tasks/net8.0/ in the package, whose root holds docs/diagnostics.md.
        if (SarifSettings.Documentation(DocsUrl, Path.GetDirectoryName(typeof(ValidateMigrations).Assembly.Location)!, "MigrationsDocsUrl", out var problem) is not { } docs)
        {
            LogError(problem!);
            return;
        }

        var version = typeof(ValidateMigrations).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0";
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(SarifFile))!);
            using var file = File.Create(SarifFile);
            SarifLog.Write(report, new SarifSettings(sourceRoot, docs, version), file);
            Log.LogMessage(MessageImportance.High, "StreamBot.Migrations: SARIF log written to {0}.", Path.GetFullPath(SarifFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogError(ToolDiagnostics.ReportNotWritten(Path.GetFullPath(SarifFile), "SARIF log", e.Message, "MigrationsSarifFile"));
        }
    }

    private void LogError(Diagnostic d) => Log.LogError(null, d.Code, null, d.File, d.Line, d.Column, 0, 0, d.FullMessage);
}
