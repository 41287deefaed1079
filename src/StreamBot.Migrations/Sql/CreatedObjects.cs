namespace StreamBot.Migrations.Sql;

/// <summary>What kind of schema object a statement creates.</summary>
public enum SchemaObjectKind
{
    /// <summary>A table (CREATE TABLE).</summary>
    Table,

    /// <summary>A column added to a table (ALTER TABLE ... ADD [COLUMN]).</summary>
    Column,

    /// <summary>An index (CREATE [UNIQUE] INDEX).</summary>
    Index,

    /// <summary>A named constraint (in CREATE TABLE or ALTER TABLE ... ADD CONSTRAINT).</summary>
    Constraint,

    /// <summary>A sequence.</summary>
    Sequence,

    /// <summary>A view or materialized view.</summary>
    View,

    /// <summary>A function or procedure.</summary>
    Function,

    /// <summary>A trigger (its table is <see cref="SchemaObject.Table"/>).</summary>
    Trigger,

    /// <summary>A type (enum, composite, domain).</summary>
    Type,
}

/// <summary>A schema object a migration creates, where the statement that creates it is.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Name">Its name as PostgreSQL stores it (unquoted names folded to lower case), without a schema.</param>
/// <param name="Table">For a column, a constraint or a trigger: its table, likewise.</param>
/// <param name="Line">The statement's line.</param>
/// <param name="Column">The statement's column.</param>
public sealed record SchemaObject(SchemaObjectKind Kind, string Name, string? Table, int Line, int Column)
{
    /// <summary>The schema the statement names for it (<c>CREATE TABLE archive.users</c>); null when it names none.</summary>
    public string? Schema { get; init; }

    /// <summary>The object as a person names it: "index idx_x", "column users.email".</summary>
    public override string ToString() => Kind switch
    {
        SchemaObjectKind.Column => $"column {Table}.{Name}",
        SchemaObjectKind.Constraint => $"constraint {Name} on {Table}",
        SchemaObjectKind.Trigger => $"trigger {Name} on {Table}",
        _ => $"{Kind.ToString().ToLowerInvariant()} {Name}",
    };
}

/// <summary>
/// The objects a script creates, read from its tokens: CREATE TABLE (and the constraints named in it), ALTER TABLE
/// ... ADD [COLUMN | CONSTRAINT], CREATE INDEX, SEQUENCE, VIEW, FUNCTION, PROCEDURE, TRIGGER, TYPE and DOMAIN; an
/// object a later statement drops (DROP TABLE / INDEX / ..., ALTER TABLE ... DROP COLUMN | CONSTRAINT) is forgotten.
/// What a verified baseline checks is in the catalog before trusting that the script ran.
/// </summary>
public static class CreatedObjects
{
    /// <summary>The objects <paramref name="script"/> leaves created, in statement order.</summary>
    public static List<SchemaObject> Of(SqlScript script, int firstLine = 1) => Apply([], script, firstLine);

    /// <summary>Adds what <paramref name="script"/> creates to <paramref name="objects"/> and removes what it drops.</summary>
    public static List<SchemaObject> Apply(List<SchemaObject> objects, SqlScript script, int firstLine = 1)
    {
        foreach (var statement in script.Statements)
        {
            var words = new TokenCursor(new StatementView(script, statement));
            var (line, column) = (statement.Line + firstLine - 1, statement.Column);
            if (words.Take("create"))
            {
                Create(words, objects, line, column);
            }
            else if (words.Take("alter") && words.Take("table"))
            {
                AlterTable(words, objects, line, column);
            }
            else if (words.Take("drop"))
            {
                Drop(words, objects);
            }
        }

        return objects;
    }

    private static void Create(TokenCursor words, List<SchemaObject> objects, int line, int column)
    {
        if (words.Take("or"))
        {
            words.Take("replace");
        }

        words.Take("unique");
        words.Take("materialized");
        words.Take("temporary");
        words.Take("temp");
        words.Take("unlogged");
        var kind = words.Word() switch
        {
            "table" => SchemaObjectKind.Table,
            "index" => SchemaObjectKind.Index,
            "sequence" => SchemaObjectKind.Sequence,
            "view" => SchemaObjectKind.View,
            "function" or "procedure" => SchemaObjectKind.Function,
            "trigger" or "constraint" => SchemaObjectKind.Trigger,
            "type" or "domain" => SchemaObjectKind.Type,
            _ => (SchemaObjectKind?)null,
        };
        if (kind is not { } k)
        {
            return;
        }

        if (k == SchemaObjectKind.Trigger && words.Previous("constraint"))
        {
            words.Take("trigger");
        }

        if (k == SchemaObjectKind.Index)
        {
            words.Take("concurrently");
        }

        words.SkipIfNotExists();
        if (k == SchemaObjectKind.Index && words.Is("on"))
        {
            return; // an unnamed index: PostgreSQL chooses its name
        }

        var schema = words.SchemaOfNextName();
        if (words.QualifiedName() is not { } name)
        {
            return;
        }

        if (k == SchemaObjectKind.Trigger)
        {
            var table = words.SkipTo("on") ? words.QualifiedName() : null;
            objects.Add(new SchemaObject(k, name, table, line, column));
            return;
        }

        objects.Add(new SchemaObject(k, name, null, line, column) { Schema = schema });
        if (k == SchemaObjectKind.Table)
        {
            // Named constraints inside the column list: CONSTRAINT name ...
            while (words.SkipTo("constraint"))
            {
                if (words.Name() is { } constraint)
                {
                    objects.Add(new SchemaObject(SchemaObjectKind.Constraint, constraint, name, line, column));
                }
            }
        }
    }

    private static void AlterTable(TokenCursor words, List<SchemaObject> objects, int line, int column)
    {
        words.SkipIfExists();
        words.Take("only");
        if (words.QualifiedName() is not { } table)
        {
            return;
        }

        // Several actions, separated by commas: ADD [COLUMN] [IF NOT EXISTS] c ..., ADD CONSTRAINT n ..., DROP ...
        do
        {
            if (words.Take("add"))
            {
                if (words.Take("constraint"))
                {
                    if (words.Name() is { } constraint)
                    {
                        objects.Add(new SchemaObject(SchemaObjectKind.Constraint, constraint, table, line, column));
                    }
                }
                else if (!words.Is("primary") && !words.Is("unique") && !words.Is("check") && !words.Is("foreign") && !words.Is("exclude"))
                {
                    words.Take("column");
                    words.SkipIfNotExists();
                    if (words.Name() is { } added)
                    {
                        objects.Add(new SchemaObject(SchemaObjectKind.Column, added, table, line, column));
                    }
                }
            }
            else if (words.Take("drop"))
            {
                var constraint = words.Take("constraint");
                if (!constraint)
                {
                    words.Take("column");
                }

                words.SkipIfExists();
                if (words.Name() is { } dropped)
                {
                    objects.RemoveAll(o => o.Table == table && o.Name == dropped && o.Kind == (constraint ? SchemaObjectKind.Constraint : SchemaObjectKind.Column));
                }
            }
        }
        while (words.SkipToTopLevelComma());
    }

    private static void Drop(TokenCursor words, List<SchemaObject> objects)
    {
        words.Take("materialized");
        var kinds = words.Word() switch
        {
            "table" => new[] { SchemaObjectKind.Table },
            "index" => [SchemaObjectKind.Index],
            "sequence" => [SchemaObjectKind.Sequence],
            "view" => [SchemaObjectKind.View],
            "function" or "procedure" => [SchemaObjectKind.Function],
            "trigger" => [SchemaObjectKind.Trigger],
            "type" or "domain" => [SchemaObjectKind.Type],
            _ => [],
        };
        words.Take("concurrently");
        words.SkipIfExists();
        while (kinds.Length > 0 && words.QualifiedName() is { } name)
        {
            objects.RemoveAll(o => kinds.Contains(o.Kind) && o.Name == name);
            if (kinds[0] == SchemaObjectKind.Table)
            {
                // A dropped table takes its columns, constraints, indexes and triggers with it; the indexes are not
                // tracked by table here, so only what names the table goes.
                objects.RemoveAll(o => o.Table == name);
            }

            if (!words.TakePunctuation(','))
            {
                break;
            }
        }
    }
}
