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
            "Free space (old backups are never deleted automatically) or point MigrationsBackupDirectory elsewhere.");

    public static Diagnostic PgDumpFailed(string target, int exitCode, string errors) =>
        DiagnosticCatalog.BackupFailed.AtFile(target,
            $"pg_dump exited with code {exitCode}, so nothing was applied: {errors}",
            $"Fix what pg_dump reports (permissions on every table are needed), or {OptOut}.");

    public static Diagnostic DumpIncomplete(string target) =>
        DiagnosticCatalog.BackupFailed.AtFile(target,
            "pg_dump exited 0 but the dump lacks its completion marker, so it cannot be trusted and nothing was applied.",
            "Check the disk and pg_dump, then run again.");

    public static Diagnostic Disabled() =>
        DiagnosticCatalog.BackupDisabled.AtFile(ConnectionDiagnostics.Tool,
            "No backup is taken before this run (MigrationsBackup=false / --no-backup).",
            "Make sure a recent backup exists; the runbook keeps one per run for 30 days.");
}
