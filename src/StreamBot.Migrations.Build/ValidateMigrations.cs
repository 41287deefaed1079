using Microsoft.Build.Framework;
using StreamBot.Migrations.Diagnostics;
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
                Log.LogError(null, d.Code, null, d.File, d.Line, d.Column, 0, 0, d.FullMessage);
            }
            else
            {
                Log.LogWarning(null, d.Code, null, d.File, d.Line, d.Column, 0, 0, d.FullMessage);
            }
        }

        if (!Log.HasLoggedErrors)
        {
            Log.LogMessage(MessageImportance.Normal, "StreamBot.Migrations: {0} migration(s) in {1} are valid.", report.Migrations.Count, report.Directory);
        }

        return !Log.HasLoggedErrors;
    }
}
