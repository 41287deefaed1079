using StreamBot.Migrations.Postgres.Backup;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// Backups kept as long as the runbook says and proven to restore: a successful backup prunes exactly the expired
/// backups (never the one just written, a dump being written, or a file not named as a backup), and verify-backup
/// restores a backup of the Stream Bot database into a scratch database and compares it with its manifest.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class BackupRetentionTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public async Task A_backup_removes_exactly_the_expired_backups_and_keep_newest_keeps_that_many()
    {
        using var s = new DatabaseScenario(postgres);
        Directory.CreateDirectory(s.BackupDirectory);
        var now = DateTime.UtcNow;
        string File_(string name, double daysOld)
        {
            var path = Path.Combine(s.BackupDirectory, name);
            File.WriteAllText(path, "-- a backup\n");
            File.SetLastWriteTimeUtc(path, now.AddDays(-daysOld));
            return name;
        }

        var expired = new[] { File_("streambot_2026-09-01T10-00-00.sql", 96), File_("streambot_2026-11-04T10-00-00.sql", 32), File_("streambot_2026-09-01T10-00-00.sql.manifest.json", 96) };
        var kept = new[]
        {
            File_("streambot_2026-11-08T10-00-00.sql", 28), File_("streambot_2026-12-05T10-00-00_2.sql", 1),
            File_("notes.txt", 200), File_("other_2026-01-01T00-00-00.sql", 300), File_("streambot_2026-01-01T00-00-00.sql.bak", 300), File_("streambot-by-hand.sql", 300),
            File_("streambot_2026-08-01T00-00-00.sql.partial", 120),
        };
        // A dump being written: its writer holds the file exclusively.
        using (new FileStream(Path.Combine(s.BackupDirectory, "streambot_2026-08-01T00-00-00.sql.partial"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            Assert.Equal(3, await s.Runner(backup: true).UpAsync());
        }

        var names = Directory.GetFiles(s.BackupDirectory).Select(Path.GetFileName).ToHashSet();
        Assert.All(expired, e => Assert.DoesNotContain(e, names));
        Assert.All(kept, k => Assert.Contains(k, names));
        var written = Assert.Single(names, n => n!.EndsWith(".sql", StringComparison.Ordinal) && !kept.Contains(n) && !expired.Contains(n));
        Assert.Contains(written + ".manifest.json", names);
        Assert.Equal(
            ["Removed the backup streambot_2026-09-01T10-00-00.sql (96 days old; keeping 30 days).", "Removed the backup streambot_2026-11-04T10-00-00.sql (32 days old; keeping 30 days)."],
            s.Log.Lines.Where(l => l.StartsWith("Removed the backup", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Contains("Left streambot_2026-08-01T00-00-00.sql.partial: a dump is being written to it.", s.Log.Lines);

        // Keep the newest 2: the one this rollback writes and the newest before it.
        var keepTwo = s.Options(backup: true) with { Backup = s.Options(backup: true).Backup with { Retention = new BackupRetention(30, KeepNewest: 2) } };
        Assert.Equal(1, await new StreamBot.Migrations.Postgres.Running.MigrationRunner(keepTwo, s.Log).DownAsync(null));
        var backups = Directory.GetFiles(s.BackupDirectory).Select(Path.GetFileName).Where(n => BackupRetention.IsBackup(n!, "streambot")).ToList();
        Assert.Equal(2, backups.Count);
        Assert.Contains(written, backups);
    }

    [Fact]
    public async Task Verify_backup_passes_on_a_good_backup_of_the_stream_bot_database_and_names_a_cut_or_miscounted_one()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.StreamBot());
        Assert.Equal(5, await s.Runner().UpAsync());
        s.ExecuteScript("""
            INSERT INTO users (email, display_name) SELECT 'viewer' || g || '@example.com', 'Viewer ' || g FROM generate_series(1, 300) g;
            INSERT INTO platform_connections (user_id, platform, platform_user_id, access_token) SELECT id, 'twitch', 'tw-' || email, 'oauth-secret-token' FROM users;
            INSERT INTO giveaways (user_id, title, keyword) SELECT id, 'Giveaway of ' || email, '!join' FROM users LIMIT 40;
            """);

        // A run verifies its own backup before it changes anything (here down, which backs up as up does).
        var verifying = s.Options(backup: true) with { Backup = s.Options(backup: true).Backup with { Verify = true } };
        Assert.Equal(1, await new StreamBot.Migrations.Postgres.Running.MigrationRunner(verifying, s.Log).DownAsync(null));
        var verified = Assert.Single(s.Log.Lines, l => l.StartsWith("Backup streambot_", StringComparison.Ordinal) && l.Contains(" verified in ", StringComparison.Ordinal));
        Assert.Matches(@"its schema is the one recorded when it was taken \(\d+ objects; not compared: .*\), and all \d+ table\(s\) hold the recorded rows \(\d+ in all\)\.$", verified);
        var backup = Directory.GetFiles(s.BackupDirectory, "streambot_*.sql").Single();
        var manifest = File.ReadAllText(BackupManifest.PathFor(backup));
        Assert.Contains("\"public.users\": 300", manifest, StringComparison.Ordinal);
        Assert.Contains("\"public.platform_connections\": 300", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("oauth-secret-token", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("viewer1@example.com", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain(postgres.ServerPassword, manifest, StringComparison.Ordinal);

        // The newest backup by default, verified on its own.
        await s.Runner().VerifyBackupAsync(null);
        Assert.Equal(2, s.Log.Lines.Count(l => l.Contains(" verified in ", StringComparison.Ordinal)));

        // Cut short: the newest by name now, and refused before any restore.
        var cut = Path.Combine(s.BackupDirectory, "streambot_2099-01-01T00-00-00.sql");
        var bytes = File.ReadAllBytes(backup);
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        File.Copy(BackupManifest.PathFor(backup), BackupManifest.PathFor(cut));
        var truncated = await DatabaseScenario.FailsWith("SBM5007", () => s.Runner().VerifyBackupAsync(null));
        Assert.Equal("The backup streambot_2099-01-01T00-00-00.sql does not restore: it does not end with pg_dump's completion marker, so it was cut short (copied incompletely, or the disk filled). It cannot be relied on.", truncated.Message);

        // Counts that do not match what restores.
        File.WriteAllText(BackupManifest.PathFor(backup), manifest.Replace("\"public.giveaways\": 40", "\"public.giveaways\": 41", StringComparison.Ordinal));
        var miscounted = await DatabaseScenario.FailsWith("SBM5008", () => s.Runner().VerifyBackupAsync(backup));
        Assert.Matches(@"^The backup streambot_[-0-9T]+\.sql restores, but not to what was recorded when it was taken \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\): public\.giveaways: 41 row\(s\) recorded, 40 restored\.$", miscounted.Message);
        Assert.DoesNotContain("oauth-secret-token", s.Log.Text, StringComparison.Ordinal);
    }
}
