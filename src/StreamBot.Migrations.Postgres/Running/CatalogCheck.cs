using Npgsql;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>Where an object a migration creates was looked for, and where it was found.</summary>
/// <param name="Object">The object.</param>
/// <param name="Schema">The schema it belongs in: the one the migration names, else the connection's current schema (null: any, for an object that lives with its table).</param>
/// <param name="FoundIn">The schemas that have an object of that kind and name (empty: none).</param>
internal sealed record CatalogLookup(SchemaObject Object, string? Schema, IReadOnlyList<string> FoundIn)
{
    /// <summary>Whether it is where the migrations put it.</summary>
    public bool IsThere => Schema is null ? FoundIn.Count > 0 : FoundIn.Contains(Schema);
}

/// <summary>
/// Which of the objects migrations create are not where those migrations would put them. Tables, views, sequences,
/// functions and types belong in the schema their statement names, or else in the connection's current schema (the
/// first of its search_path that exists), where an unqualified CREATE puts them: the same tables in another schema
/// are not the migrations' tables. Indexes, columns, constraints and triggers are looked up with their table.
/// </summary>
internal static class CatalogCheck
{
    public static async Task<(List<CatalogLookup> NotThere, string CurrentSchema)> LookUpAsync(NpgsqlConnection connection, IEnumerable<SchemaObject> objects)
    {
        await using var current = Database.Command(connection, "SELECT current_schema()");
        var currentSchema = await current.ExecuteScalarAsync().ConfigureAwait(false) as string ?? "public";
        var notThere = new List<CatalogLookup>();
        foreach (var o in objects)
        {
            var sql = o.Kind switch
            {
                SchemaObjectKind.Table => "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = $1 AND c.relkind IN ('r', 'p')",
                SchemaObjectKind.Index => "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = $1 AND c.relkind IN ('i', 'I')",
                SchemaObjectKind.Sequence => "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = $1 AND c.relkind = 'S'",
                SchemaObjectKind.View => "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = $1 AND c.relkind IN ('v', 'm')",
                SchemaObjectKind.Function => "SELECT DISTINCT n.nspname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = $1",
                SchemaObjectKind.Type => "SELECT n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typname = $1",
                SchemaObjectKind.Column => """
                    SELECT n.nspname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE a.attname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
                    """,
                SchemaObjectKind.Constraint => "SELECT n.nspname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.conname = $1 AND c.relname = $2",
                _ => "SELECT n.nspname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.tgname = $1 AND c.relname = $2",
            };
            var withTable = o.Table is not null && o.Kind is SchemaObjectKind.Column or SchemaObjectKind.Constraint or SchemaObjectKind.Trigger;
            await using var command = withTable ? Database.Command(connection, sql, o.Name, o.Table!) : Database.Command(connection, sql, o.Name);
            var found = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    found.Add(reader.GetString(0));
                }
            }

            var lookup = new CatalogLookup(o, LivesWithItsTable(o.Kind) ? null : o.Schema ?? currentSchema, found);
            if (!lookup.IsThere)
            {
                notThere.Add(lookup);
            }
        }

        return (notThere, currentSchema);
    }

    private static bool LivesWithItsTable(SchemaObjectKind kind) => kind is SchemaObjectKind.Index or SchemaObjectKind.Column or SchemaObjectKind.Constraint or SchemaObjectKind.Trigger;
}
