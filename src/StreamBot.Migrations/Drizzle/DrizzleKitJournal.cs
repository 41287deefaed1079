using System.Text.Json;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Drizzle;

/// <summary>One entry of drizzle-kit's <c>meta/_journal.json</c>.</summary>
/// <param name="Index">Its <c>idx</c>.</param>
/// <param name="When">Its <c>when</c>: milliseconds since 1970, what drizzle-orm records as <c>created_at</c>.</param>
/// <param name="Tag">Its <c>tag</c>: the migration's file name without <c>.sql</c>.</param>
/// <param name="Line">The 1-based line where the entry starts in the journal file.</param>
public sealed record DrizzleKitEntry(int Index, long When, string Tag, int Line);

/// <summary>
/// drizzle-kit's <c>meta/_journal.json</c>, which drizzle-orm's migrator reads to know the migrations and their
/// order: every file needs an entry with its tag, <c>idx</c> runs 0..n-1 and <c>when</c> strictly increases, since
/// drizzle-orm applies a file only when its <c>when</c> is newer than the newest applied one.
/// </summary>
/// <param name="Path">The journal file's full path.</param>
/// <param name="Entries">The entries in file order.</param>
public sealed record DrizzleKitJournal(string Path, IReadOnlyList<DrizzleKitEntry> Entries)
{
    /// <summary>Where drizzle-kit keeps the journal, relative to the migrations folder.</summary>
    public static readonly string RelativePath = System.IO.Path.Combine("meta", "_journal.json");

    /// <summary>
    /// Reads and checks the folder's journal against its migration files. Null when the folder has no journal (it
    /// is not a drizzle-kit folder) or the journal cannot be read; each problem is added to <paramref name="diagnostics"/>.
    /// </summary>
    public static DrizzleKitJournal? Read(string directory, IReadOnlyList<MigrationFile> migrations, List<Diagnostic> diagnostics)
    {
        var path = System.IO.Path.Combine(directory, RelativePath);
        if (!File.Exists(path))
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(FolderDiagnostics.FileUnreadable(path, e));
            return null;
        }

        var entries = Parse(path, bytes, diagnostics);
        if (entries is null)
        {
            return null;
        }

        var journal = new DrizzleKitJournal(path, entries);
        journal.Check(migrations, diagnostics);
        return journal;
    }

    private void Check(IReadOnlyList<MigrationFile> migrations, List<Diagnostic> diagnostics)
    {
        var files = migrations.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var seen = new Dictionary<string, DrizzleKitEntry>(StringComparer.Ordinal);
        for (var i = 0; i < Entries.Count; i++)
        {
            var entry = Entries[i];
            if (seen.TryGetValue(entry.Tag, out var first))
            {
                diagnostics.Add(FolderDiagnostics.DrizzleEntryDuplicated(Path, entry.Line, entry.Tag, first.Line));
            }
            else if (!files.Contains(entry.Tag))
            {
                diagnostics.Add(FolderDiagnostics.DrizzleEntryWithoutFile(Path, entry.Line, entry.Tag));
            }

            seen.TryAdd(entry.Tag, entry);
            if (entry.Index != i)
            {
                diagnostics.Add(FolderDiagnostics.DrizzleIndexOutOfSequence(Path, entry.Line, entry.Tag, entry.Index, i));
            }

            if (i > 0 && entry.When <= Entries[i - 1].When)
            {
                diagnostics.Add(FolderDiagnostics.DrizzleWhenNotIncreasing(Path, entry.Line, entry.Tag, entry.When, Entries[i - 1].Tag, Entries[i - 1].When));
            }
        }

        foreach (var migration in migrations.Where(m => !seen.ContainsKey(m.Name)))
        {
            diagnostics.Add(FolderDiagnostics.DrizzleFileWithoutEntry(migration.FullPath, migration.FileName, Path));
        }
    }

    /// <summary>The entries, or null (with a diagnostic) when the file is not a journal drizzle-orm could read.</summary>
    private static List<DrizzleKitEntry>? Parse(string path, byte[] bytes, List<Diagnostic> diagnostics)
    {
        // drizzle-orm reads the journal with JSON.parse: no comments, no trailing commas. A BOM it would refuse too.
        var positions = new TextPositions(0);
        var reader = new Utf8JsonReader(bytes);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                diagnostics.Add(FolderDiagnostics.DrizzleJournalMalformed(path, 1, 1, "it is not a JSON object"));
                return null;
            }

            List<DrizzleKitEntry>? entries = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("entries"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    var (line, column) = positions.Locate(bytes, (int)reader.TokenStartIndex);
                    diagnostics.Add(FolderDiagnostics.DrizzleJournalMalformed(path, line, column, "\"entries\" is not an array"));
                    return null;
                }

                entries = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var (line, column) = positions.Locate(bytes, (int)reader.TokenStartIndex);
                    if (ReadEntry(ref reader, line) is not { } entry)
                    {
                        diagnostics.Add(FolderDiagnostics.DrizzleJournalMalformed(path, line, column,
                            "this entry lacks a whole-number \"idx\", a whole-number \"when\" or a text \"tag\""));
                        return null;
                    }

                    entries.Add(entry);
                }
            }

            if (entries is null)
            {
                diagnostics.Add(FolderDiagnostics.DrizzleJournalMalformed(path, 1, 1, "it has no \"entries\" array"));
            }

            return entries;
        }
        catch (JsonException e)
        {
            // The reader's positions are 0-based, the column in bytes; near enough to find the broken spot.
            diagnostics.Add(FolderDiagnostics.DrizzleJournalMalformed(path, (int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1,
                "it is not valid JSON (" + (e.Message.Split(" LineNumber:", 2)[0].TrimEnd('.')) + ")"));
            return null;
        }
    }

    private static DrizzleKitEntry? ReadEntry(ref Utf8JsonReader reader, int line)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        int? index = null;
        long? when = null;
        string? tag = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "idx" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var i):
                    index = i;
                    break;
                case "when" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var w):
                    when = w;
                    break;
                case "tag" when reader.TokenType == JsonTokenType.String:
                    tag = reader.GetString();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return index is { } idx && when is { } ms && tag is { Length: > 0 } t ? new DrizzleKitEntry(idx, ms, t, line) : null;
    }
}
