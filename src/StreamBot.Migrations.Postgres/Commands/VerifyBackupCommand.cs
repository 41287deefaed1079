using StreamBot.Migrations.Postgres.Backup;
using StreamBot.Migrations.Postgres.Schema;

namespace StreamBot.Migrations.Postgres.Commands;

/// <summary>
/// <c>verify-backup [FILE]</c>: restore a backup (the newest by default) into a scratch database on the configured
/// server and compare its schema and row counts with its manifest. Needs no migrations folder and takes no lock.
/// </summary>
internal static class VerifyBackupCommand
{
    public static Task RunAsync(RunSession session, string? backup) => session.RunAsync("verify-backup", "nothing was changed", async () =>
    {
        var file = backup is null ? BackupVerification.Newest(session.Options.Backup) : Path.GetFullPath(backup);
        session.Stage = $"while verifying {Path.GetFileName(file)} (the configured database is untouched)";
        await BackupVerification.VerifyAsync(session.Options.Connection, file, SchemaReader.ToolTables(session.Options.JournalTable), session.Log, session.Cancellation).ConfigureAwait(false);
        return 0;
    });
}
