using System.Diagnostics;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Reliability;

/// <summary>
/// The runbook's disaster recovery, end to end with the real tools: apply, let up take its backup, damage the
/// database, restore with exactly <c>psql "$DATABASE_URL" &lt; backups/streambot_....sql</c>, and status must show
/// the state at the moment of the backup, with no lock left behind by the restore.
/// </summary>
[Trait(Tier.Name, Tier.Reliability)]
public sealed class RestoreRoundTripTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public void Restoring_a_backup_brings_back_the_state_of_its_moment_without_a_stale_lock()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url };
        var dir = $"--dir \"{s.Folder.Directory}\"";
        var backups = $"--backup-dir \"{s.BackupDirectory}\"";
        Assert.Equal(0, CliProcess.Run($"up --no-backup {dir}", env).ExitCode);
        using var probe = new SqlProbe(s.Url);
        probe.Execute("INSERT INTO users (name) VALUES ('streamer_one'), ('streamer_two')");

        // The backup is taken by the next up, under the lock: the migration_lock row exists while pg_dump runs.
        s.Folder.AddMigration("0003_add_giveaways", "CREATE TABLE giveaways (id int PRIMARY KEY, users_id int REFERENCES users (id));\n",
            "DROP TABLE giveaways;", "SELECT 1 FROM pg_tables WHERE tablename = 'giveaways';");
        var (upExit, upOutput) = CliProcess.Run($"up {dir} {backups}", env);
        Assert.True(upExit == 0, upOutput);
        var backup = Assert.Single(Directory.GetFiles(s.BackupDirectory, "*.sql"));

        // Damage: data gone, a table gone, the journal emptied, and a lock row left by some crashed tool.
        probe.Execute("DELETE FROM users WHERE name = 'streamer_two'");
        probe.Execute("DROP TABLE giveaways");
        probe.Execute("DROP TABLE user_balances");
        probe.Execute("DELETE FROM drizzle_migrations");
        probe.Execute("INSERT INTO migration_lock (lock_id, locked_by, locked_at) VALUES (1, 'crashed tool', now())");

        using (var psql = Process.Start(new ProcessStartInfo("sh", ["-c", "psql -X -q -v ON_ERROR_STOP=1 \"$DATABASE_URL\" < \"$BACKUP\""])
        {
            Environment = { ["DATABASE_URL"] = s.Url, ["BACKUP"] = backup },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!)
        {
            var errors = psql.StandardError.ReadToEnd();
            psql.StandardOutput.ReadToEnd();
            Assert.True(psql.WaitForExit(TimeSpan.FromMinutes(1)), "psql did not finish");
            Assert.True(psql.ExitCode == 0, errors);
        }

        // The moment of the backup: 0000..0002 applied with their data, 0003 not yet.
        Assert.Equal(2, probe.Count("SELECT count(*) FROM users"));
        Assert.Equal(1, probe.Count("SELECT count(*) FROM pg_tables WHERE tablename = 'user_balances'"));
        Assert.Equal(0, probe.Count("SELECT count(*) FROM pg_tables WHERE tablename = 'giveaways'"));
        var (exit, status) = CliProcess.Run($"status {dir}", env);
        Assert.Equal(0, exit);
        Assert.Contains("4 migration(s): 3 applied, 1 pending.", status, StringComparison.Ordinal);
        Assert.Matches(@"0003_add_giveaways\s+pending", status);
        // The dump carries migration_lock's definition but never its rows, so restoring cannot bring a lock back;
        // --clean replaced the table, and with it the crashed tool's row.
        Assert.Contains("Lock: free", status, StringComparison.Ordinal);
        Assert.Equal(0, probe.Count("SELECT count(*) FROM migration_lock"));

        var (again, output) = CliProcess.Run($"up --lock-timeout 5 {dir} {backups}", env);
        Assert.True(again == 0, output);
        Assert.Contains("4 migration(s): 4 applied.", CliProcess.Run($"status {dir}", env).Output, StringComparison.Ordinal);
    }
}
