namespace StreamBot.Migrations.Postgres.Backup;

/// <summary>Where backups go and how they are named: <c>{Directory}/{Prefix}_YYYY-MM-DDTHH-MM-SS.sql</c> (UTC).</summary>
public sealed record BackupOptions(bool Enabled, string Directory, string Prefix)
{
    /// <summary>Which older backups a successful backup prunes (default: older than 30 days).</summary>
    public BackupRetention Retention { get; init; } = BackupRetention.Default;

    /// <summary>up: restore its own backup into a scratch database and compare it with its manifest before applying anything.</summary>
    public bool Verify { get; init; }

    /// <summary>The runbook's layout: backups/streambot_....sql under the working directory.</summary>
    public static BackupOptions Default { get; } = new(true, "backups", "streambot");
}
