using Npgsql;
using StreamBot.Migrations.Postgres;
using StreamBot.Migrations.Postgres.Backup;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Postgres.Running;

namespace StreamBot.Migrations.Tests.Support;

/// <summary>A fresh database, a migrations folder and a backup folder: one test's world.</summary>
public sealed class DatabaseScenario : IDisposable
{
    public DatabaseScenario(TestPostgres postgres, MigrationsFolder? folder = null)
        : this(postgres.CreateDatabase(), folder ?? MigrationsFolder.Valid())
    {
    }

    /// <summary>A scenario on a database of another server (the replication tests' own primary).</summary>
    public DatabaseScenario(string databaseUrl, MigrationsFolder folder)
    {
        Url = databaseUrl;
        Folder = folder;
        BackupDirectory = Path.GetFullPath(Path.Combine(Folder.Directory, "..", Path.GetFileName(Folder.Directory) + "-backups"));
        Settings = ConnectionSettings.Parse(Url, "test", out var problem) ?? throw new InvalidOperationException(problem!.ToString());
    }

    public string Url { get; }

    public MigrationsFolder Folder { get; }

    public string BackupDirectory { get; }

    public ConnectionSettings Settings { get; }

    public CapturingLog Log { get; } = new();

    public RunOptions Options(bool backup = false, bool dryRun = false, bool force = false, LockOptions? lockOptions = null) =>
        new(Folder.Directory, Settings, StreamBot.Migrations.Sql.QualifiedName.Parse(RunOptions.DefaultJournalTable), lockOptions ?? new LockOptions(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10)),
            new BackupOptions(backup, BackupDirectory, "streambot"), dryRun, force);

    public MigrationRunner Runner(bool backup = false, bool dryRun = false, bool force = false, LockOptions? lockOptions = null) =>
        new(Options(backup, dryRun, force, lockOptions), Log);

    /// <summary>Runs an action expected to fail with a coded error and returns the diagnostic.</summary>
    public static async Task<StreamBot.Migrations.Diagnostics.Diagnostic> FailsWith(string code, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<MigrationException>(action);
        Assert.True(e.Diagnostic.Code == code, $"expected {code}, got {e.Diagnostic}");
        return e.Diagnostic;
    }

    public T Scalar<T>(string sql)
    {
        using var connection = new NpgsqlConnection(Settings.ToNpgsql("test"));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return (T)command.ExecuteScalar()!;
    }

    public void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(Settings.ToNpgsql("test"));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>Several statements, as psql runs a script (one command takes one statement).</summary>
    public void ExecuteScript(string sql)
    {
        var path = Path.Combine(Path.GetTempPath(), "sbm-script-" + Guid.NewGuid().ToString("N") + ".sql");
        File.WriteAllText(path, sql);
        try
        {
            var (exit, _, error) = TestPostgres.Psql(Url, $"-q -v ON_ERROR_STOP=1 -f \"{path}\"");
            Assert.True(exit == 0, error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public bool TableExists(string name) => Scalar<bool>($"SELECT to_regclass('{name}') IS NOT NULL");

    public long JournalCount() => TableExists("drizzle_migrations") ? Scalar<long>("SELECT count(*) FROM drizzle_migrations") : 0;

    public void Dispose()
    {
        Folder.Dispose();
        try
        {
            if (Directory.Exists(BackupDirectory))
            {
                Directory.Delete(BackupDirectory, true);
            }
        }
        catch (IOException)
        {
        }
    }
}
