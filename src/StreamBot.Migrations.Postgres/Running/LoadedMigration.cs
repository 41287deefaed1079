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

    /// <summary>The migration as validation read it, or read now when validation did not keep it.</summary>
    public static LoadedMigration Load(MigrationFile file, RollbackDoc? doc, SqlScript? validated = null)
    {
        var script = validated ?? SqlSplitter.Split(System.IO.File.ReadAllBytes(file.FullPath));
        return new LoadedMigration(file, script, MigrationJournal.Checksum(script.Bytes.Span), doc);
    }
}
