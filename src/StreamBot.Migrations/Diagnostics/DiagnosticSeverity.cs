namespace StreamBot.Migrations.Diagnostics;

/// <summary>How serious a <see cref="Diagnostic"/> is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Worth fixing; does not fail the build unless warnings are treated as errors.</summary>
    Warning,

    /// <summary>Fails the build: the migrations cannot be trusted as they are.</summary>
    Error,
}
