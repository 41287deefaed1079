namespace StreamBot.Migrations.Sql;

/// <summary>
/// Where a server error happened, in the file a person edits. PostgreSQL reports an error's position as a 1-based
/// count of characters (code points) into the statement text it was sent, or 0 when it has none; without one, the
/// statement's own start is the answer.
/// </summary>
public static class ServerErrorPosition
{
    /// <summary>The line and column in the migration file of <paramref name="position"/> within <paramref name="statement"/>.</summary>
    public static (int Line, int Column) InMigration(SqlScript script, in SqlStatement statement, int position) =>
        position > 0 ? script.Locate(statement, position - 1) : (statement.Line, statement.Column);

    /// <summary>
    /// The line and column of <paramref name="position"/> within <paramref name="text"/>, a statement that starts at
    /// <paramref name="line"/> and <paramref name="column"/> of its file (a README rollback statement).
    /// </summary>
    public static (int Line, int Column) InText(string text, int line, int column, int position)
    {
        var seen = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (++seen >= position)
            {
                break;
            }

            (line, column) = rune.Value == '\n' ? (line + 1, 1) : (line, column + 1);
        }

        return (line, column);
    }
}
