using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Documentation;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>A migration file read from disk: its statements, its checksum and its README rollback doc.</summary>
internal sealed record LoadedMigration(MigrationFile File, SqlScript Script, string Hash, RollbackDoc? Doc)
{
    public int Number => File.Number;

    public string Name => File.Name;

    public bool IsTransactional => Script.Statements.All(s => s.IsTransactional);

    public static LoadedMigration Load(MigrationFile file, RollbackDoc? doc)
    {
        var bytes = System.IO.File.ReadAllBytes(file.FullPath);
        return new LoadedMigration(file, SqlSplitter.Split(bytes), MigrationJournal.Checksum(bytes), doc);
    }
}
