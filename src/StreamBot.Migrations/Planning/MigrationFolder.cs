using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Planning;

/// <summary>
/// What a plan is made from on the folder's side: the validated migrations, the names of every well-named file
/// (an unreadable one included), where they are, and the journal they are checked against.
/// </summary>
/// <param name="Directory">The migrations directory, as a full path.</param>
/// <param name="Migrations">Every migration validation could read, in number order.</param>
/// <param name="FileNames">The name (without .sql) of every well-named file, read or not.</param>
/// <param name="Journal">The journal table's name, for messages.</param>
public sealed record MigrationFolder(string Directory, IReadOnlyList<ValidatedMigration> Migrations, IReadOnlySet<string> FileNames, string Journal)
{
    /// <summary>The folder as <paramref name="report"/> validated it (with its scripts kept).</summary>
    public static MigrationFolder From(ValidationReport report, string journal) =>
        new(report.Directory, report.Validated, report.Migrations.Select(m => m.Name).ToHashSet(StringComparer.Ordinal), journal) { DrizzleKit = report.DrizzleKit };

    /// <summary>drizzle-kit's meta/_journal.json, for a folder drizzle-orm's migrator can read.</summary>
    public Drizzle.DrizzleKitJournal? DrizzleKit { get; init; }

    /// <summary>How many migration files the folder has.</summary>
    public int FileCount => FileNames.Count;

    /// <summary>Whether a file of that name is in the folder.</summary>
    public bool Contains(string name) => FileNames.Contains(name);

    /// <summary>Where the file of that name is (or would be).</summary>
    public string PathOf(string name) => Path.Combine(Directory, name + ".sql");

    /// <summary>The README that documents the folder.</summary>
    public string ReadmePath => Path.Combine(Directory, Discovery.MigrationDiscovery.ReadmeFileName);
}
