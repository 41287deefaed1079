using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamBot.Migrations.Authoring;

/// <summary>
/// Keeps a drizzle-kit folder's meta/_journal.json in step when new adds a migration or renumber moves one: entries in
/// idx order, <c>when</c> increasing, as drizzle-orm's migrator and the build's checks (SBM1008-1012) expect.
/// </summary>
public static class DrizzleJournalEdit
{
    /// <summary>Where drizzle-kit keeps its journal, relative to the migrations folder.</summary>
    public const string RelativePath = "meta/_journal.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The journal is not the JSON drizzle-kit writes (the build reports where, as SBM1008).</summary>
    public sealed class UnreadableJournalException(string problem) : Exception(problem);

    private static (JsonObject Root, JsonArray Entries) Read(string journal)
    {
        try
        {
            return JsonNode.Parse(journal) is JsonObject root && root["entries"] is JsonArray entries
                ? (root, entries)
                : throw new UnreadableJournalException("it has no \"entries\" array");
        }
        catch (JsonException e)
        {
            throw new UnreadableJournalException($"it is not valid JSON: {e.Message.TrimEnd('.')}");
        }
    }

    /// <summary>Adds an entry for a new migration, after the last one.</summary>
    public static string Add(string journal, int number, string tag, DateTimeOffset now) =>
        Checked(() => AddEntry(journal, number, tag, now));

    /// <summary>Moves the entry of <paramref name="oldTag"/> to <paramref name="newNumber"/>/<paramref name="newTag"/>, last, with a later <c>when</c>.</summary>
    public static string Move(string journal, string oldTag, int newNumber, string newTag) =>
        Checked(() => MoveEntry(journal, oldTag, newNumber, newTag));

    // A value of the wrong JSON kind ("when": "soon") surfaces as the journal's problem, not as a crash.
    private static string Checked(Func<string> edit)
    {
        try
        {
            return edit();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new UnreadableJournalException($"a value has an unexpected type: {e.Message.TrimEnd('.')}");
        }
    }

    private static string AddEntry(string journal, int number, string tag, DateTimeOffset now)
    {
        var (root, entries) = Read(journal);
        var last = entries.LastOrDefault();
        var when = Math.Max(now.ToUnixTimeMilliseconds(), (last?["when"]?.GetValue<long>() ?? 0) + 1);
        entries.Add((JsonNode)new JsonObject
        {
            ["idx"] = number,
            ["version"] = last?["version"]?.GetValue<string>() ?? "7",
            ["when"] = when,
            ["tag"] = tag,
            ["breakpoints"] = last?["breakpoints"]?.GetValue<bool>() ?? true,
        });
        return root.ToJsonString(Indented) + "\n";
    }

    private static string MoveEntry(string journal, string oldTag, int newNumber, string newTag)
    {
        var (root, entries) = Read(journal);
        var entry = entries.FirstOrDefault(e => e?["tag"]?.GetValue<string>() == oldTag)?.AsObject();
        if (entry is null)
        {
            return journal;
        }

        entries.Remove(entry);
        var latest = entries.Select(e => e?["when"]?.GetValue<long>() ?? 0).DefaultIfEmpty(0).Max();
        entry["idx"] = newNumber;
        entry["tag"] = newTag;
        entry["when"] = Math.Max(entry["when"]?.GetValue<long>() ?? 0, latest + 1);
        entries.Add((JsonNode)entry);
        return root.ToJsonString(Indented) + "\n";
    }
}
