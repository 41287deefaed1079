using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Documentation;
using StreamBot.Migrations.Drizzle;

namespace StreamBot.Migrations.Validation;

/// <summary>The outcome of validating a migrations directory.</summary>
/// <param name="Directory">The validated directory, as a full path.</param>
/// <param name="Migrations">The well-named migration files, in number order.</param>
/// <param name="Docs">The README sections that document a migration, by migration name.</param>
/// <param name="Diagnostics">Every problem found, errors and warnings.</param>
public sealed record ValidationReport(
    string Directory,
    IReadOnlyList<MigrationFile> Migrations,
    IReadOnlyDictionary<string, RollbackDoc> Docs,
    IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>
    /// Every migration validation could read, with its bytes, split script, hash and rollback doc, in number order, when
    /// validation was asked to keep them (empty otherwise). What a command runs is exactly this.
    /// </summary>
    public IReadOnlyList<ValidatedMigration> Validated { get; init; } = [];

    /// <summary>The lint's findings silenced by a <c>-- streambot:allow ... because ...</c> comment, with its reason.</summary>
    public IReadOnlyList<SuppressedDiagnostic> Suppressed { get; init; } = [];

    /// <summary>drizzle-kit's meta/_journal.json, when the folder has one that could be read.</summary>
    public DrizzleKitJournal? DrizzleKit { get; init; }

    /// <summary>Whether any diagnostic is an error.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
