using Npgsql;
using StreamBot.Migrations.Planning;

namespace StreamBot.Migrations.Postgres.Journal;

/// <summary>
/// A journal table drizzle-orm's migrator wrote (<c>id</c>, <c>hash</c>, <c>created_at</c>): its default
/// <c>drizzle.__drizzle_migrations</c>, or a configured table of that shape under this tool's journal name (the
/// runbook's <c>drizzle_migrations</c>). Read only; its rows are never changed.
/// </summary>
internal static class DrizzleJournalTable
{
    /// <summary>A drizzle-orm journal found in the database.</summary>
    /// <param name="Name">Its name as shown in messages.</param>
    /// <param name="Quoted">Its name as SQL.</param>
    /// <param name="UnderJournalName">Whether it sits under this tool's configured journal name.</param>
    /// <param name="Rows">Its rows, by id.</param>
    public sealed record Found(string Name, string Quoted, bool UnderJournalName, IReadOnlyList<DrizzleRow> Rows);

    public const string DefaultName = "drizzle.__drizzle_migrations";

    /// <summary>Whether a table's columns are drizzle-orm's journal and not this tool's.</summary>
    public static bool IsDrizzleShaped(IReadOnlySet<string> columns) =>
        columns.Contains("id") && columns.Contains("hash") && columns.Contains("created_at") && !columns.Contains("name");

    // Text casts: drizzle-orm creates id serial and created_at bigint, but a hand-made table may differ.
    public static string SelectSql(string quotedTable) => $"SELECT id::text, hash::text, created_at::text FROM {quotedTable} ORDER BY id";

    /// <summary>The rows of <see cref="SelectSql"/>'s result.</summary>
    public static async Task<List<DrizzleRow>> ReadRowsAsync(NpgsqlDataReader reader, CancellationToken cancellation)
    {
        var rows = new List<DrizzleRow>();
        while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            var created = reader.IsDBNull(2) ? null : reader.GetString(2);
            rows.Add(new DrizzleRow(
                long.TryParse(reader.GetString(0), System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : rows.Count + 1,
                reader.IsDBNull(1) ? string.Empty : reader.GetString(1),
                long.TryParse(created, System.Globalization.CultureInfo.InvariantCulture, out var ms) ? ms : null));
        }

        return rows;
    }
}
