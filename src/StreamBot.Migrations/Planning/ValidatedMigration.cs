using System.Security.Cryptography;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Documentation;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Planning;

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

    /// <summary>Whether every statement can run inside one transaction.</summary>
    public bool IsTransactional => Script.Statements.All(s => s.IsTransactional);

    /// <summary>The journal's checksum of a file's bytes.</summary>
    public static string Checksum(ReadOnlySpan<byte> fileBytes) => Convert.ToHexString(SHA256.HashData(fileBytes)).ToLowerInvariant();

    internal static ValidatedMigration From(MigrationFile file, SqlScript script, RollbackDoc? doc, MigrationSettings? settings = null) =>
        new(file, script, Checksum(script.Bytes.Span), doc) { Settings = settings ?? MigrationSettings.None };
}
