using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamBot.Migrations.Authoring;

/// <summary>
/// Keeps a drizzle-kit folder's meta/_journal.json in step when new adds a migration or renumber moves one: entries in
/// idx order, <c>when</c> increasing, as drizzle-orm's migrator and the build's checks (SBM1008-1012) expect.
/// </summary>
public static class DrizzleJournalEdit
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Adds an entry for a new migration, after the last one.</summary>
    public static string Add(string journal, int number, string tag, DateTimeOffset now)
    {
        var root = JsonNode.Parse(journal)!.AsObject();
        var entries = root["entries"]!.AsArray();
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

    /// <summary>Moves the entry of <paramref name="oldTag"/> to <paramref name="newNumber"/>/<paramref name="newTag"/>, last, with a later <c>when</c>.</summary>
    public static string Move(string journal, string oldTag, int newNumber, string newTag)
    {
        var root = JsonNode.Parse(journal)!.AsObject();
        var entries = root["entries"]!.AsArray();
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
