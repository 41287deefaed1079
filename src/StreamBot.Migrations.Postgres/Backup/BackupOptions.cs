namespace StreamBot.Migrations.Postgres.Backup;

/// <summary>Where backups go and how they are named: <c>{Directory}/{Prefix}_YYYY-MM-DDTHH-MM-SS.sql</c> (UTC).</summary>
public sealed record BackupOptions(bool Enabled, string Directory, string Prefix)
{
    /// <summary>The runbook's layout: backups/streambot_....sql under the working directory.</summary>
    public static BackupOptions Default { get; } = new(true, "backups", "streambot");
}
