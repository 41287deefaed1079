using StreamBot.Migrations.Validation;
using System.Text;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Documentation;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Tests.Unit.Planning;

/// <summary>
/// A migrations folder and journal built in memory, so that every decision of a run can be tested without a file
/// system or a server.
/// </summary>
internal sealed class PlannedFolder
{
    public const string Directory = "/srv/streambot/migrations";

    private readonly List<ValidatedMigration> _migrations = [];
    private readonly HashSet<string> _unreadable = new(StringComparer.Ordinal);

    public List<JournalRow> Journal { get; } = [];

    public List<ProgressRow> Progress { get; } = [];

    public MigrationFolder Folder => new(Directory, _migrations,
        _migrations.Select(m => m.Name).Concat(_unreadable).ToHashSet(StringComparer.Ordinal), "public.drizzle_migrations");

    public PlannedFolder With(string name, string sql = "CREATE TABLE t (id int);\n", string? notRecommended = null)
    {
        var file = new MigrationFile(int.Parse(name[..4], System.Globalization.CultureInfo.InvariantCulture), name, Path.Combine(Directory, name + ".sql"));
        var doc = new RollbackDoc(name, 10 * (_migrations.Count + 1), "Applied", "Test", new DateOnly(2026, 11, 30),
            notRecommended is null ? RollbackRisk.Low : RollbackRisk.None, notRecommended,
            notRecommended is null ? [new RollbackStatement("DROP TABLE t", 12, 1, null)] : []);
        _migrations.Add(ValidatedMigration.From(file, SqlSplitter.Split(Encoding.UTF8.GetBytes(sql)), doc));
        return this;
    }

    public PlannedFolder WithUnreadable(string name)
    {
        _unreadable.Add(name);
        return this;
    }

    public PlannedFolder Applied(string name, string? hash = null)
    {
        var migration = _migrations.FirstOrDefault(m => m.Name == name);
        Journal.Add(new JournalRow(Journal.Count + 1, name, hash ?? migration?.Hash ?? new string('0', 64),
            new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero), 42, "deploy@ci"));
        return this;
    }

    public PlannedFolder Stopped(string name, int done, string? hash = null)
    {
        var migration = _migrations.First(m => m.Name == name);
        Progress.Add(new ProgressRow(name, hash ?? migration.Hash, done, migration.Script.Statements.Count,
            new DateTimeOffset(2026, 11, 2, 8, 30, 0, TimeSpan.Zero), "deploy@ci"));
        return this;
    }
}
