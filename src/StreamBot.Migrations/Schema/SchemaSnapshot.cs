using System.Security.Cryptography;
using System.Text;

namespace StreamBot.Migrations.Schema;

/// <summary>
/// A database schema as the catalogs describe it, reduced to what a migration changes and what changes the
/// application's behaviour: one entry per object, keyed by what a person calls it ("index idx_x on giveaways",
/// "column users.email", "policy own_rows on users"), with a canonical definition. Row data is left out, so two
/// databases built by the same migrations compare equal; <see cref="NotCompared"/> names every kind of object that
/// is not read, so no report says "restored" or "no drift" about something it did not look at.
/// </summary>
public sealed class SchemaSnapshot
{
    /// <summary>The format this version reads and writes; a stored snapshot without it was taken by an earlier version.</summary>
    public const int CurrentFormat = 2;

    private const string FormatLine = "# streambot-migrate schema snapshot, format ";

    /// <summary>Kinds of object no snapshot reads: a report that compares snapshots names them as not compared.</summary>
    public static readonly IReadOnlyList<string> NotCompared =
    [
        "row data and sequence values", "roles and role memberships", "database and role settings (ALTER DATABASE/ROLE ... SET)",
        "event triggers", "publications and subscriptions", "foreign servers and user mappings",
        "operators, casts, collations and text search configurations", "security labels",
    ];

    private readonly SortedDictionary<string, string> _objects;

    /// <summary>A snapshot of these objects (name, definition); a name given twice keeps its last definition.</summary>
    public SchemaSnapshot(IEnumerable<KeyValuePair<string, string>> objects)
        : this(objects, CurrentFormat)
    {
    }

    private SchemaSnapshot(IEnumerable<KeyValuePair<string, string>> objects, int format)
    {
        Format = format;
        _objects = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, definition) in objects)
        {
            _objects[key] = definition;
        }
    }

    /// <summary>Every object, by name, in ordinal order.</summary>
    public IReadOnlyDictionary<string, string> Objects => _objects;

    /// <summary>
    /// The format it was taken in: 1 for a snapshot stored by a version before <see cref="CurrentFormat"/>, which read
    /// fewer kinds of object, so comparing it with a current one would report every table as changed.
    /// </summary>
    public int Format { get; }

    /// <summary>One line per object, "name\tdefinition", tabs and newlines in either escaped, after a line naming the format: the stored form.</summary>
    public string ToCanonicalText()
    {
        var text = new StringBuilder(FormatLine).Append(Format).Append('\n');
        foreach (var (key, definition) in _objects)
        {
            text.Append(Escape(key)).Append('\t').Append(Escape(definition)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Lower-case hex SHA-256 of the canonical text: equal schemas, equal fingerprints.</summary>
    public string Fingerprint => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ToCanonicalText()))).ToLowerInvariant();

    /// <summary>Reads the stored form back (a form without a format line is format 1).</summary>
    public static SchemaSnapshot Parse(string canonical)
    {
        var lines = canonical.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var format = lines.Length > 0 && lines[0].StartsWith(FormatLine, StringComparison.Ordinal)
            && int.TryParse(lines[0].AsSpan(FormatLine.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var stored) ? stored : 1;
        return new SchemaSnapshot(
            lines.Skip(format == 1 ? 0 : 1).Select(line => line.Split('\t', 2))
                .Select(parts => KeyValuePair.Create(Unescape(parts[0]), parts.Length > 1 ? Unescape(parts[1]) : string.Empty)),
            format);
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);

    private static string Unescape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                result.Append(text[++i] switch { 't' => '\t', 'n' => '\n', 'r' => '\r', var c => c });
            }
            else
            {
                result.Append(text[i]);
            }
        }

        return result.ToString();
    }
}

/// <summary>How an object differs between two snapshots.</summary>
public enum SchemaChangeKind
{
    /// <summary>Only in the second snapshot.</summary>
    Added,

    /// <summary>Only in the first.</summary>
    Removed,

    /// <summary>In both, defined differently.</summary>
    Changed,
}

/// <summary>One object that differs.</summary>
/// <param name="Kind">Added, removed or changed.</param>
/// <param name="Name">The object as a person names it ("index idx_x on giveaways").</param>
/// <param name="Before">Its definition in the first snapshot, if there.</param>
/// <param name="After">Its definition in the second, if there.</param>
public sealed record SchemaChange(SchemaChangeKind Kind, string Name, string? Before, string? After)
{
    /// <summary>"index idx_x on giveaways (added)", "column users.email (changed: varchar(50) -> text)".</summary>
    public override string ToString() => Kind switch
    {
        SchemaChangeKind.Added => $"{Name} (added)",
        SchemaChangeKind.Removed => $"{Name} (removed)",
        _ => $"{Name} (changed: {Before} -> {After})",
    };
}

/// <summary>Compares two snapshots object by object.</summary>
public static class SchemaDiff
{
    /// <summary>Every object that differs, in name order.</summary>
    public static IReadOnlyList<SchemaChange> Compare(SchemaSnapshot before, SchemaSnapshot after)
    {
        var changes = new List<SchemaChange>();
        foreach (var (name, definition) in before.Objects)
        {
            if (!after.Objects.TryGetValue(name, out var now))
            {
                changes.Add(new SchemaChange(SchemaChangeKind.Removed, name, definition, null));
            }
            else if (now != definition)
            {
                changes.Add(new SchemaChange(SchemaChangeKind.Changed, name, definition, now));
            }
        }

        changes.AddRange(after.Objects.Where(o => !before.Objects.ContainsKey(o.Key)).Select(o => new SchemaChange(SchemaChangeKind.Added, o.Key, null, o.Value)));
        return changes.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }
}
