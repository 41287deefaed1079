using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Postgres;

/// <summary>
/// An expected failure (one a user can cause and fix), carrying the diagnostic to show. Commands catch it and print
/// the diagnostic; anything else escaping is a bug.
/// </summary>
public sealed class MigrationException : Exception
{
    /// <summary>Creates the exception for <paramref name="diagnostic"/>.</summary>
    public MigrationException(Diagnostic diagnostic)
        : this([diagnostic])
    {
    }

    /// <summary>Creates the exception for several problems found at once, so that one run reports them all.</summary>
    public MigrationException(IReadOnlyList<Diagnostic> diagnostics)
        : base(diagnostics[0].FullMessage) => Diagnostics = diagnostics;

    /// <summary>What to show the user (the first problem, when there are several).</summary>
    public Diagnostic Diagnostic => Diagnostics[0];

    /// <summary>Every problem, in the order found.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }
}
