using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Backfills;

/// <summary>
/// The build's half of "no usable key": a backfill that walks the primary key of a table this folder creates without
/// one is refused at build time (SBM2015). Tables the folder does not create, or creates in a way this reading does
/// not follow (LIKE, AS SELECT, PARTITION OF), are left to the run, which reads the key from the catalog before
/// anything is locked.
/// </summary>
internal static class BackfillKeyCheck
{
    public static void Run(IReadOnlyList<MigrationFile> migrations, IReadOnlyList<SqlScript?> scripts, IReadOnlyList<IReadOnlyList<Backfill>> backfills, List<Diagnostic> diagnostics)
    {
        // Every build validates the folder: without a backfill mark there is nothing to follow the tables for.
        if (backfills.All(b => b.Count == 0))
        {
            return;
        }

        // Table name -> whether the folder gave it a primary key so far; absent: not known from the folder.
        var hasPrimaryKey = new Dictionary<string, bool>(StringComparer.Ordinal);
        for (var m = 0; m < migrations.Count; m++)
        {
            if (scripts[m] is not { HasProblems: false } script)
            {
                continue;
            }

            var marked = backfills[m].ToDictionary(b => b.Statement);
            for (var s = 0; s < script.Statements.Count; s++)
            {
                if (marked.TryGetValue(s, out var backfill) && backfill.Key is null && hasPrimaryKey.TryGetValue(backfill.TableName, out var known) && !known)
                {
                    diagnostics.Add(BackfillDiagnostics.KeyUnusable(migrations[m].FullPath, backfill.Line, backfill.Column, backfill.TableName,
                        "this folder creates the table without a primary key, and no key is named"));
                }

                Follow(new StatementView(script, script.Statements[s]), hasPrimaryKey);
            }
        }
    }

    private static void Follow(StatementView view, Dictionary<string, bool> hasPrimaryKey)
    {
        var at = 1;
        if (view.Is(0, "create"))
        {
            while (view.Is(at, "unlogged") || view.Is(at, "temp") || view.Is(at, "temporary") || view.Is(at, "global") || view.Is(at, "local"))
            {
                at++;
            }

            if (!view.Is(at, "table"))
            {
                return;
            }

            at += view.Are(at + 1, "if", "not", "exists") ? 4 : 1;
            if (view.QualifiedName(ref at) is not { } table)
            {
                return;
            }

            var open = view.IsPunctuation(at, '(') ? at : -1;
            var followed = open >= 0 && !view.Is(open + 1, "like") && view.TopLevelIndexOf("as", at) < 0 && view.TopLevelIndexOf("partition", at) < 0;
            if (!followed)
            {
                hasPrimaryKey.Remove(table);
                return;
            }

            hasPrimaryKey[table] = PrimaryKeyIn(view, open + 1, view.Closing(open));
        }
        else if (view.Is(0, "alter") && view.Is(1, "table"))
        {
            at = view.Are(2, "if", "exists") ? 4 : 2;
            at += view.Is(at, "only") ? 1 : 0;
            if (view.QualifiedName(ref at) is { } table && hasPrimaryKey.ContainsKey(table) && PrimaryKeyIn(view, at, view.Count))
            {
                hasPrimaryKey[table] = true;
            }
        }
        else if (view.Is(0, "drop") && view.Is(1, "table"))
        {
            at = view.Are(2, "if", "exists") ? 4 : 2;
            if (view.QualifiedName(ref at) is { } table)
            {
                hasPrimaryKey.Remove(table);
            }
        }
    }

    private static bool PrimaryKeyIn(StatementView view, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (view.Are(i, "primary", "key"))
            {
                return true;
            }
        }

        return false;
    }
}
