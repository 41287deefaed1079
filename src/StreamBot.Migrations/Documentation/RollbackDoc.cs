namespace StreamBot.Migrations.Documentation;

/// <summary>A migration's section of migrations/README.md: what it does and how to undo it.</summary>
/// <param name="MigrationName">The documented migration, without <c>.sql</c>.</param>
/// <param name="HeadingLine">Line of the <c>### NNNN_name.sql</c> heading.</param>
/// <param name="Status">The Status field, e.g. "✅ Production-Ready".</param>
/// <param name="Purpose">The Purpose field.</param>
/// <param name="Date">The Date field, when it is a valid ISO date.</param>
/// <param name="Risk">The Rollback Risk level; <see cref="RollbackRisk.None"/> when not recommended.</param>
/// <param name="NotRecommendedReason">Why the migration must not be rolled back, or null when it has a procedure.</param>
/// <param name="Statements">The rollback statements and verify queries, in order.</param>
public sealed record RollbackDoc(
    string MigrationName,
    int HeadingLine,
    string? Status,
    string? Purpose,
    DateOnly? Date,
    RollbackRisk Risk,
    string? NotRecommendedReason,
    IReadOnlyList<RollbackStatement> Statements)
{
    /// <summary>Whether the README says the migration must not be rolled back.</summary>
    public bool IsRollbackNotRecommended => NotRecommendedReason is not null;
}
