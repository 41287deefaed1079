using Npgsql;
using StreamBot.Migrations.Backfills;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Backfills;

/// <summary>
/// The key a backfill's batches walk, read from the catalog: the table's primary key, or the columns the
/// <c>-- streambot:backfill key (...)</c> mark names, which must be NOT NULL (a row with a NULL key falls in no range
/// and would be skipped) and lead a valid btree index (without one, every batch would scan the table).
/// </summary>
/// <param name="Oid">The table's oid.</param>
/// <param name="Table">The table schema-qualified and quoted, for the tool's own queries.</param>
/// <param name="Columns">The key's columns, in index order.</param>
/// <param name="Types">Their SQL types, as format_type writes them.</param>
internal sealed record BackfillKey(uint Oid, string Table, IReadOnlyList<string> Columns, IReadOnlyList<string> Types)
{
    private const string ColumnsSql = """
        SELECT c.oid, format('%I.%I', n.nspname, c.relname), a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attnum,
               coalesce((SELECT array_agg(k.attnum ORDER BY k.ord) FROM pg_index i, unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                         WHERE i.indrelid = c.oid AND i.indisprimary), '{}')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p')
        """;

    // Valid, non-partial btree indexes: their column numbers in order.
    private const string IndexesSql = """
        SELECT i.indkey::int2[] FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
        WHERE i.indrelid = $1::oid AND i.indisvalid AND i.indpred IS NULL AND am.amname = 'btree'
        """;

    /// <summary>
    /// The key of <paramref name="backfill"/>'s table; null when the table does not exist yet (a pending statement
    /// creates it: the key is read again when the backfill starts). SBM2015 when it has no usable key;
    /// <paramref name="beforeAnything"/> says whether that is before up changed anything (the preflight) or mid-run.
    /// </summary>
    public static async Task<BackfillKey?> ReadAsync(NpgsqlConnection connection, ValidatedMigration migration, Backfill backfill, bool beforeAnything, CancellationToken cancellation)
    {
        uint oid = 0;
        var table = string.Empty;
        var columns = new Dictionary<string, (string Type, bool NotNull, short Number)>(StringComparer.Ordinal);
        short[] primary = [];
        await using (var command = Database.Command(connection, ColumnsSql, backfill.Table))
        await using (var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                oid = reader.GetFieldValue<uint>(0);
                table = reader.GetString(1);
                primary = reader.GetFieldValue<short[]>(6);
                if (!reader.IsDBNull(2))
                {
                    columns[reader.GetString(2)] = (reader.GetString(3), reader.GetBoolean(4), reader.GetInt16(5));
                }
            }
        }

        if (oid == 0)
        {
            return null;
        }

        string? Refuse(string reason) => throw new MigrationException(BackfillDiagnostics.KeyUnusable(migration.File.FullPath, backfill.Line, backfill.Column,
            backfill.TableName, reason, beforeAnything ? "Nothing was locked, backed up or applied." : "The statements before it stay applied; the migration is not in the journal."));

        List<string> key;
        if (backfill.Key is { } named)
        {
            if (named.FirstOrDefault(c => !columns.ContainsKey(c)) is { } missing)
            {
                Refuse($"the named key column {missing} is not a column of the table");
            }

            if (named.FirstOrDefault(c => !columns[c].NotNull) is { } nullable)
            {
                Refuse($"the named key column {nullable} may be NULL, and a row whose key is NULL falls in no batch (add NOT NULL, or name another key)");
            }

            var wanted = named.Select(c => columns[c].Number).ToArray();
            var indexed = false;
            await using (var command = Database.Command(connection, IndexesSql, (long)oid))
            await using (var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
                {
                    indexed |= reader.GetFieldValue<short[]>(0).Take(wanted.Length).SequenceEqual(wanted);
                }
            }

            if (!indexed)
            {
                Refuse($"no valid btree index starts with ({string.Join(", ", named)}), so every batch would scan the whole table (create one first, CONCURRENTLY, in an earlier migration)");
            }

            key = [.. named];
        }
        else
        {
            if (primary.Length == 0)
            {
                Refuse("the table has no primary key, and no key is named");
            }

            key = primary.Select(n => columns.First(c => c.Value.Number == n).Key).ToList();
        }

        if (backfill.SetColumns.FirstOrDefault(key.Contains) is { } moved)
        {
            Refuse($"the UPDATE sets the key column {moved}, which would move rows across the batches' ranges");
        }

        return new BackfillKey(oid, table, key, key.Select(c => columns[c].Type).ToList());
    }
}
