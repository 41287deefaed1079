using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Authoring;

/// <summary>
/// What the migrations before a number leave created, so that a drafted rollback can tell "created here" (drop it)
/// from "replaced here" (put the old definition back). Each earlier file is read and split once.
/// </summary>
internal static class EarlierObjects
{
    public static List<SchemaObject> Before(IReadOnlyList<MigrationFile> migrations, int number)
    {
        var objects = new List<SchemaObject>();
        foreach (var earlier in migrations.Where(m => m.Number < number))
        {
            CreatedObjects.Apply(objects, SqlSplitter.Split(File.ReadAllBytes(earlier.FullPath)));
        }

        return objects;
    }
}
