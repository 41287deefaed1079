namespace StreamBot.Migrations.Diagnostics;

/// <summary>The messages of the SBM5xxx codes: the pg_dump backup taken before up and down.</summary>
internal static class BackupDiagnostics
{
    private const string OptOut = "opt out with --no-backup / -p:MigrationsBackup=false";

    public static Diagnostic PgDumpMissing() =>
        DiagnosticCatalog.PgDumpMissing.AtFile(ConnectionDiagnostics.Tool,
            "pg_dump was not found on PATH, so no backup can be taken and nothing was applied.",
            $"Install the PostgreSQL client tools (e.g. apt-get install postgresql-client) matching the server's major version, or {OptOut}.");

    public static Diagnostic PgDumpCannotStart(string pgDump, string reason) =>
        DiagnosticCatalog.PgDumpMissing.AtFile(pgDump,
            $"{pgDump} cannot be started ({reason}), so no backup can be taken and nothing was applied.",
            $"Check that it is an executable pg_dump (permissions, architecture), or {OptOut}.");

    public static Diagnostic PgDumpTooOld(string pgDump, int major, int serverMajor) =>
        DiagnosticCatalog.PgDumpTooOld.AtFile(pgDump,
            $"pg_dump is version {major} but the server is version {serverMajor}; pg_dump cannot dump a newer server, so nothing was applied.",
            $"Install pg_dump {serverMajor} or later and put it first on PATH.");

    public static Diagnostic DirectoryUnwritable(string directory, string reason) =>
        DiagnosticCatalog.BackupDirectoryUnwritable.AtFile(directory,
            $"The backup directory {directory} cannot be written ({reason}); nothing was applied.",
            "Make it writable by this user, or set MigrationsBackupDirectory (--backup-dir) to a directory that is.");

    public static Diagnostic DiskFull(string directory) =>
        DiagnosticCatalog.BackupDiskFull.AtFile(directory,
            $"The disk holding {directory} is full; the backup is incomplete and nothing was applied.",
            "Free space (retention removes only backups older than MigrationsBackupRetentionDays, after a successful backup) or point MigrationsBackupDirectory elsewhere.");

    public static Diagnostic PgDumpFailed(string target, int exitCode, string errors) =>
        DiagnosticCatalog.BackupFailed.AtFile(target,
            $"pg_dump exited with code {exitCode}, so nothing was applied: {errors}",
            $"Fix what pg_dump reports (permissions on every table are needed), or {OptOut}.");

    public static Diagnostic DumpIncomplete(string target) =>
        DiagnosticCatalog.BackupFailed.AtFile(target,
            "pg_dump exited 0 but the dump lacks its completion marker, so it cannot be trusted and nothing was applied.",
            "Check the disk and pg_dump, then run again.");

    public static Diagnostic ManifestNotTaken(string target, string reason) =>
        DiagnosticCatalog.BackupFailed.AtFile(target,
            $"The backup's manifest (its schema and row counts, read in the dump's snapshot) could not be taken: {reason}. No backup was kept and nothing was applied.",
            $"Give this role SELECT on every table (pg_dump needs it too), or {OptOut}.");

    public static Diagnostic DoesNotRestore(string backup, string why) =>
        DiagnosticCatalog.BackupDoesNotRestore.AtFile(backup,
            $"The backup {Path.GetFileName(backup)} does not restore: {why} It cannot be relied on.",
            "Take a new backup (up takes one before every run); keep this file only for forensics.");

    public static Diagnostic RestoresToSomethingElse(string backup, DateTimeOffset takenAt, IReadOnlyList<string> differences) =>
        DiagnosticCatalog.BackupRestoresOtherwise.AtFile(backup,
            $"The backup {Path.GetFileName(backup)} restores, but not to what was recorded when it was taken ({takenAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC): {string.Join("; ", differences.Take(20))}{(differences.Count > 20 ? $"; and {differences.Count - 20} more" : string.Empty)}.",
            "The file or its manifest was changed or cut since; take a new backup and keep this one only for forensics.");

    public static Diagnostic NoManifest(string backup) =>
        DiagnosticCatalog.BackupWithoutManifest.AtFile(backup,
            $"The backup {Path.GetFileName(backup)} restores without error, but it has no manifest ({Path.GetFileName(backup)}.manifest.json), so its schema and row counts were not compared with anything.",
            "Backups taken by this version record one; take a new backup to have it verified fully.");

    public static Diagnostic ManifestUnreadable(string backup, string problem) =>
        DiagnosticCatalog.BackupManifestUnreadable.AtFile(backup,
            $"The manifest of {Path.GetFileName(backup)} cannot be used: {problem}. Nothing was restored.",
            "Restore the manifest from where the backup was copied from, or take a new backup.");

    public static Diagnostic NoBackupToVerify(string directory, string prefix) =>
        DiagnosticCatalog.NoBackupToVerify.AtFile(directory,
            $"There is no backup named {prefix}_YYYY-MM-DDTHH-MM-SS.sql in {directory} to verify.",
            "Give the file (verify-backup FILE), or the directory and prefix the backups were written with (--backup-dir, --backup-prefix).");

    public static Diagnostic Disabled() =>
        DiagnosticCatalog.BackupDisabled.AtFile(ConnectionDiagnostics.Tool,
            "No backup is taken before this run (MigrationsBackup=false / --no-backup).",
            "Make sure a recent backup exists; the runbook keeps one per run for 30 days.");
}
