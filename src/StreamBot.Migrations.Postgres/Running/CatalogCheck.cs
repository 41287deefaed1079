using Npgsql;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// Which of the objects migrations create are missing from the database's catalog. Objects are looked up by name in
/// any schema (the migrations name them as the search path resolves them).
/// </summary>
internal static class CatalogCheck
{
    public static async Task<List<SchemaObject>> MissingAsync(NpgsqlConnection connection, IEnumerable<SchemaObject> objects)
    {
        var missing = new List<SchemaObject>();
        foreach (var o in objects)
        {
            var sql = o.Kind switch
            {
                SchemaObjectKind.Table => "SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = $1 AND relkind IN ('r', 'p'))",
                SchemaObjectKind.Index => "SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = $1 AND relkind IN ('i', 'I'))",
                SchemaObjectKind.Sequence => "SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = $1 AND relkind = 'S')",
                SchemaObjectKind.View => "SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = $1 AND relkind IN ('v', 'm'))",
                SchemaObjectKind.Function => "SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = $1)",
                SchemaObjectKind.Type => "SELECT EXISTS (SELECT 1 FROM pg_type WHERE typname = $1)",
                SchemaObjectKind.Column => """
                    SELECT EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                                   WHERE a.attname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped)
                    """,
                SchemaObjectKind.Constraint => "SELECT EXISTS (SELECT 1 FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE k.conname = $1 AND c.relname = $2)",
                _ => "SELECT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = $1 AND c.relname = $2)",
            };
            await using var command = o.Table is null || o.Kind is not (SchemaObjectKind.Column or SchemaObjectKind.Constraint or SchemaObjectKind.Trigger)
                ? Database.Command(connection, sql, o.Name)
                : Database.Command(connection, sql, o.Name, o.Table);
            if (await command.ExecuteScalarAsync().ConfigureAwait(false) is not true)
            {
                missing.Add(o);
            }
        }

        return missing;
    }
}
