using StreamBot.Migrations.Validation;
using System.Security.Cryptography;
using StreamBot.Migrations.Drizzle;

namespace StreamBot.Migrations.Planning;

/// <summary>Where a migration file stands in drizzle-orm's journal.</summary>
public enum DrizzleFileState
{
    /// <summary>drizzle-orm applied it: a row has the file's hash.</summary>
    Applied,

    /// <summary>drizzle-orm would apply it next: its <c>when</c> is newer than every row.</summary>
    Pending,

    /// <summary>A row has the file's <c>when</c> but another hash: the file changed after drizzle-orm applied it.</summary>
    Edited,

    /// <summary>
    /// Not applied, yet older than the newest row: drizzle-orm compares timestamps only, so it never applies this file
    /// and never says so.
    /// </summary>
    Skipped,
}

/// <summary>One row of a drizzle-orm journal table (<c>id</c>, <c>hash</c>, <c>created_at</c>).</summary>
/// <param name="Id">The row's id.</param>
/// <param name="Hash">Hex SHA-256 of the file's text when drizzle-orm applied it.</param>
/// <param name="CreatedAt">The file's <c>when</c> in the drizzle-kit journal, in milliseconds (null in a hand-made row).</param>
public sealed record DrizzleRow(long Id, string Hash, long? CreatedAt);

/// <summary>A migration file and what drizzle-orm's journal says of it.</summary>
/// <param name="Migration">The file.</param>
/// <param name="When">Its <c>when</c> in meta/_journal.json.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Row">The row that matched it (by hash, or by <c>when</c> for an edited file).</param>
/// <param name="MatchedAs">For an applied file whose bytes differ from what drizzle-orm hashed: how (e.g. "with CRLF line ends").</param>
public sealed record DrizzleFileStatus(ValidatedMigration Migration, long When, DrizzleFileState State, DrizzleRow? Row, string? MatchedAs);

/// <summary>A row of drizzle-orm's journal that is wrong in a way drizzle-orm's migrator does not say.</summary>
/// <param name="Row">The row.</param>
/// <param name="What">What is wrong, and what drizzle-orm's migrator does because of it.</param>
/// <param name="Fix">The SQL that repairs it.</param>
/// <param name="StopsAdoption">Whether adopt refuses until it is fixed (drizzle-orm would run migrations again).</param>
public sealed record DrizzleRowProblem(DrizzleRow Row, string What, string Fix, bool StopsAdoption);

/// <summary>
/// The folder against a drizzle-orm journal: one status per file, the rows that match no file, and rows that are
/// wrong (a NULL created_at, a duplicate).
/// </summary>
public sealed record DrizzleMatch(IReadOnlyList<DrizzleFileStatus> Files, IReadOnlyList<DrizzleRow> UnknownRows)
{
    /// <summary>Rows with a NULL created_at or that repeat another row's hash, each with what it does and its fix.</summary>
    public IReadOnlyList<DrizzleRowProblem> RowProblems { get; init; } = [];

    /// <summary>
    /// Matches the folder's files (through their drizzle-kit journal entries) with drizzle-orm's rows, the way
    /// drizzle-orm's migrator decides: a file is applied when a row has its hash, and pending only when its <c>when</c>
    /// is newer than the newest row's <c>created_at</c>. drizzle-orm hashes the file's text as its checkout had it, so
    /// the text is also tried with LF and with CRLF line ends, and without a byte order mark.
    /// </summary>
    public static DrizzleMatch Of(IReadOnlyList<ValidatedMigration> migrations, DrizzleKitJournal journal, IReadOnlyList<DrizzleRow> rows, string table = "the journal")
    {
        var when = journal.Entries.GroupBy(e => e.Tag, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().When, StringComparer.Ordinal);
        var newest = rows.Where(r => r.CreatedAt is not null).Select(r => r.CreatedAt!.Value).DefaultIfEmpty(long.MinValue).Max();
        var used = new HashSet<long>();
        var files = new List<DrizzleFileStatus>();
        foreach (var migration in migrations.Where(m => when.ContainsKey(m.Name)))
        {
            var entryWhen = when[migration.Name];
            var byHash = HashVariants(migration.Script.Bytes.Span)
                .Select(v => (Row: rows.FirstOrDefault(r => !used.Contains(r.Id) && string.Equals(r.Hash, v.Hash, StringComparison.OrdinalIgnoreCase)), v.Variant))
                .FirstOrDefault(m => m.Row is not null);
            if (byHash.Row is { } applied)
            {
                used.Add(applied.Id);
                files.Add(new DrizzleFileStatus(migration, entryWhen, DrizzleFileState.Applied, applied, byHash.Variant));
            }
            else if (rows.FirstOrDefault(r => !used.Contains(r.Id) && r.CreatedAt == entryWhen) is { } edited)
            {
                used.Add(edited.Id);
                files.Add(new DrizzleFileStatus(migration, entryWhen, DrizzleFileState.Edited, edited, null));
            }
            else
            {
                files.Add(new DrizzleFileStatus(migration, entryWhen, entryWhen <= newest ? DrizzleFileState.Skipped : DrizzleFileState.Pending, null, null));
            }
        }

        var unmatched = rows.Where(r => !used.Contains(r.Id)).ToList();
        var problems = new List<DrizzleRowProblem>();
        foreach (var row in rows.Where(r => r.CreatedAt is null))
        {
            var file = files.FirstOrDefault(f => f.Row?.Id == row.Id);
            problems.Add(new DrizzleRowProblem(row,
                $"row id {row.Id} has created_at NULL: drizzle-orm's migrator reads its newest row with ORDER BY created_at DESC, which puts NULL first, "
                + "takes 0 as the time of the last migration, and runs every migration again",
                file is null
                    ? $"DELETE FROM {table} WHERE id = {row.Id};"
                    : $"UPDATE {table} SET created_at = {file.When} WHERE id = {row.Id}; -- {file.Migration.Name}'s when in meta/_journal.json",
                StopsAdoption: true));
        }

        var duplicates = unmatched.Where(r => files.Any(f => f.Row is { } first && string.Equals(first.Hash, r.Hash, StringComparison.OrdinalIgnoreCase))).ToList();
        foreach (var row in duplicates)
        {
            var first = files.First(f => f.Row is { } original && string.Equals(original.Hash, row.Hash, StringComparison.OrdinalIgnoreCase));
            problems.Add(new DrizzleRowProblem(row,
                $"row id {row.Id} repeats row id {first.Row!.Id} ({first.Migration.Name}, the same hash): drizzle-orm's migrator ignores it, as long as its created_at is not the newest",
                $"DELETE FROM {table} WHERE id = {row.Id};", StopsAdoption: false));
        }

        return new DrizzleMatch(files, unmatched.Except(duplicates).ToList()) { RowProblems = problems };
    }

    /// <summary>The file's hash as read, then as other checkouts of it would read; null variant for the file as it is.</summary>
    private static List<(string Hash, string? Variant)> HashVariants(ReadOnlySpan<byte> bytes)
    {
        var variants = new List<(string Hash, string? Variant)> { (Hash(bytes), null) };
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        var withoutBom = bytes.StartsWith(bom) ? bytes[3..].ToArray() : null;
        var lf = ToLf(bytes);
        var crlf = ToCrlf(bytes);
        if (lf is not null) variants.Add((Hash(lf), "with LF line ends"));
        if (crlf is not null) variants.Add((Hash(crlf), "with CRLF line ends"));
        if (withoutBom is not null)
        {
            variants.Add((Hash(withoutBom), "without its byte order mark"));
            if (ToLf(withoutBom) is { } both) variants.Add((Hash(both), "without its byte order mark and with LF line ends"));
            if (ToCrlf(withoutBom) is { } both2) variants.Add((Hash(both2), "without its byte order mark and with CRLF line ends"));
        }

        return variants;
    }

    private static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    private static byte[]? ToLf(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IndexOf("\r\n"u8) < 0)
        {
            return null;
        }

        var result = new List<byte>(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (!(bytes[i] == '\r' && i + 1 < bytes.Length && bytes[i + 1] == '\n'))
            {
                result.Add(bytes[i]);
            }
        }

        return [.. result];
    }

    private static byte[]? ToCrlf(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IndexOf((byte)'\n') < 0 || bytes.IndexOf("\r\n"u8) >= 0)
        {
            return null;
        }

        var result = new List<byte>(bytes.Length + bytes.Length / 16);
        foreach (var b in bytes)
        {
            if (b == '\n')
            {
                result.Add((byte)'\r');
            }

            result.Add(b);
        }

        return [.. result];
    }
}
