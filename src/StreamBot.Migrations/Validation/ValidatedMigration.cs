using System.Security.Cryptography;
using StreamBot.Migrations.Backfills;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Documentation;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Validation;

/// <summary>
/// A migration exactly as validation read it: the file, its split script (which holds the bytes), their SHA-256
/// and the README rollback doc. Commands run this, never a second read of the file.
/// </summary>
/// <param name="File">Where the file is and its number and name.</param>
/// <param name="Script">The file's bytes, split into statements.</param>
/// <param name="Hash">Lower-case hex SHA-256 of the file's bytes, as the journal records it.</param>
/// <param name="Doc">The README section documenting it, if it parsed.</param>
public sealed record ValidatedMigration(MigrationFile File, SqlScript Script, string Hash, RollbackDoc? Doc)
{
    /// <summary>The migration's number.</summary>
    public int Number => File.Number;

    /// <summary>The file name without <c>.sql</c>, as the journal records it.</summary>
    public string Name => File.Name;

    /// <summary>The lock settings of its <c>-- streambot:</c> header comments.</summary>
    public MigrationSettings Settings { get; init; } = MigrationSettings.None;

    private IReadOnlyList<IReadOnlyList<TableLock>>? _locks;
    private IReadOnlyList<IReadOnlyList<TableLock>>? _rollbackLocks;

    /// <summary>
    /// Each statement's locks on tables that existed before the migration, classified once (ARCHITECTURE.md section 7)
    /// and read by the status's blocker check, the dry run, the apply-time lock policy and the rehearsal's comparison.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<TableLock>> Locks => _locks ??= LockClassifier.Of(Script);

    /// <summary>The same for each statement of its README rollback (none without a rollback).</summary>
    public IReadOnlyList<IReadOnlyList<TableLock>> RollbackLocks => _rollbackLocks ??= Doc is null ? []
        : Doc.Statements.Select(s => LockClassifier.Of(SqlSplitter.Split(s.Text + "\n")) is [var first, ..] ? first : []).ToList();

    /// <summary>The tables it locks in a mode that blocks the application's writes, each once.</summary>
    public IReadOnlyList<string> TablesLockedAgainstWrites =>
        Locks.SelectMany(l => l).Where(l => l.Mode.BlocksWrites()).Select(l => l.Table).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The statements marked <c>-- streambot:backfill</c>, in order: each runs in batches of its own transactions.</summary>
    public IReadOnlyList<Backfill> Backfills { get; init; } = [];

    /// <summary>
    /// Whether the migration runs in one transaction: every statement can, and none is a backfill. Otherwise it is
    /// applied in phases (statement by statement, or runs of statements and backfill batches) with its progress recorded.
    /// </summary>
    public bool IsTransactional => Backfills.Count == 0 && Script.Statements.All(s => s.IsTransactional);

    /// <summary>The journal's checksum of a file's bytes.</summary>
    public static string Checksum(ReadOnlySpan<byte> fileBytes) => Convert.ToHexString(SHA256.HashData(fileBytes)).ToLowerInvariant();

    internal static ValidatedMigration From(MigrationFile file, SqlScript script, RollbackDoc? doc, MigrationSettings? settings = null, IReadOnlyList<Backfill>? backfills = null) =>
        new(file, script, Checksum(script.Bytes.Span), doc) { Settings = settings ?? MigrationSettings.None, Backfills = backfills ?? [] };
}
