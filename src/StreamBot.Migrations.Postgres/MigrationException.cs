using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres;

/// <summary>
/// An expected failure (one a user can cause and fix), carrying the diagnostic to show. Commands catch it and print
/// the diagnostic; anything else escaping is a bug.
/// </summary>
public sealed class MigrationException : Exception
{
    /// <summary>Creates the exception for <paramref name="diagnostic"/>.</summary>
    public MigrationException(Diagnostic diagnostic)
        : base(diagnostic.FullMessage) => Diagnostic = diagnostic;

    /// <summary>What to show the user.</summary>
    public Diagnostic Diagnostic { get; }
}
