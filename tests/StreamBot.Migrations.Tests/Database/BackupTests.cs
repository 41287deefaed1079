using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

[Trait(Tier.Name, Tier.Database)]
public sealed class BackupTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public async Task Backup_is_owner_only_complete_and_restores_with_psql_over_the_damaged_database()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        s.Execute("INSERT INTO users (name) VALUES ('streamer_one')");
        s.Folder.AddMigration("0003_more", "CREATE TABLE more (id int);\n", "DROP TABLE more;", "SELECT 1 FROM pg_tables WHERE tablename = 'more';");
        await s.Runner(backup: true).UpAsync();

        var backup = Assert.Single(Directory.GetFiles(s.BackupDirectory, "*.sql"));
        Assert.True(File.Exists(backup + ".manifest.json"), "the manifest is written beside the backup");
        Assert.Matches(@"streambot_\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.sql$", backup);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup));
        }
        // pg_dump's completion marker closes the dump (recent versions add only a \unrestrict line after it).
        var text = File.ReadAllText(backup);
        Assert.Contains("-- PostgreSQL database dump complete", text[^Math.Min(text.Length, 256)..], StringComparison.Ordinal);
        Assert.Contains(s.Log.Lines, l => l.Contains("Backup: " + backup, StringComparison.Ordinal));

        // Damage, then the runbook's restore: psql "$DATABASE_URL" < backups/streambot_....sql
        s.Execute("DROP TABLE user_balances");
        s.Execute("DELETE FROM users");
        s.Execute("DELETE FROM drizzle_migrations");
        var (exit, _, error) = TestPostgres.Psql(s.Url, $"-q -v ON_ERROR_STOP=1 -f \"{backup}\"");
        Assert.True(exit == 0, error);
        Assert.Equal("streamer_one", s.Scalar<string>("SELECT name FROM users"));
        Assert.True(s.TableExists("user_balances"));
        // pg_dump --clean drops and recreates what the dump holds; objects created after the backup (the table
        // "more") are not in it and stay. The README says so next to the restore command.
        Assert.Equal(3L, s.JournalCount());
        Assert.Equal(0L, s.Scalar<long>("SELECT count(*) FROM migration_lock"));
    }

    [Fact]
    public void Missing_pg_dump_stops_the_run_before_anything_is_applied()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url, ["PATH"] = "/nonexistent-bin" };
        var (exit, output) = CliProcess.Run($"up --dir \"{s.Folder.Directory}\" --backup-dir \"{s.BackupDirectory}\"", env);
        Assert.Equal(1, exit);
        Assert.Contains("error SBM5001", output, StringComparison.Ordinal);
        Assert.False(s.TableExists("users"));
        Assert.Equal(0L, s.JournalCount());
    }

    [Theory]
    [InlineData("echo 'pg_dump (PostgreSQL) 9.6.24'", "SBM5002")]
    [InlineData("printf -- '--\\n-- PostgreSQL database dump\\n--\\nCREATE TABLE half (\\n'", "SBM5004")]
    [InlineData("echo 'pg_dump: error: connection failed' >&2; exit 1", "SBM5004")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the stand-in pg_dump is a shell script
    public void A_pg_dump_that_is_too_old_or_fails_or_stops_short_applies_nothing(string script, string code)
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        // A stand-in pg_dump first on PATH: --version answers like the real one, a dump does what the case says.
        var bin = Path.Combine(s.Folder.Directory, "fake-bin");
        Directory.CreateDirectory(bin);
        var fake = Path.Combine(bin, "pg_dump");
        var body = code == "SBM5002" ? script : $"if [ \"$1\" = --version ]; then echo 'pg_dump (PostgreSQL) 99.0'; exit 0; fi\n{script}";
        File.WriteAllText(fake, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url, ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH") };
        var (exit, output) = CliProcess.Run($"up --dir \"{s.Folder.Directory}\" --backup-dir \"{s.BackupDirectory}\"", env);
        Assert.Equal(1, exit);
        Assert.Contains("error " + code, output, StringComparison.Ordinal);
        Assert.False(s.TableExists("users"));
        Assert.Equal(0L, s.JournalCount());
        // A half-written dump never carries a backup's name.
        Assert.Empty(Directory.Exists(s.BackupDirectory) ? Directory.GetFiles(s.BackupDirectory) : []);
    }

    [Fact]
    public async Task Unwritable_backup_directory_stops_the_run_before_anything_is_applied()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        // A directory cannot be created under a regular file, whoever runs the tests (root included).
        var file = Path.Combine(s.Folder.Directory, "not-a-directory");
        await File.WriteAllTextAsync(file, "x");
        var options = s.Options(backup: true) with { Backup = new(true, Path.Combine(file, "backups"), "streambot") };
        await DatabaseScenario.FailsWith("SBM5003", () => new StreamBot.Migrations.Postgres.Running.MigrationRunner(options, s.Log).UpAsync());
        Assert.False(s.TableExists("users"));
    }

    [Fact]
    public async Task Opting_out_of_the_backup_warns()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner(backup: false).UpAsync();
        Assert.Contains(s.Log.Diagnostics, d => d.Code == "SBM5006");
        Assert.False(Directory.Exists(s.BackupDirectory));
    }

    [Fact]
    public async Task No_backup_is_taken_when_there_is_nothing_to_do()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        await s.Runner().UpAsync();
        await s.Runner(backup: true).UpAsync();
        Assert.False(Directory.Exists(s.BackupDirectory) && Directory.GetFiles(s.BackupDirectory).Length > 0);
    }
}
