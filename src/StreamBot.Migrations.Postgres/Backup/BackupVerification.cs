using System.Diagnostics;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Rehearsal;
using StreamBot.Migrations.Postgres.Schema;
using StreamBot.Migrations.Schema;

namespace StreamBot.Migrations.Postgres.Backup;

/// <summary>
/// Proves a backup restores: into a scratch database on the configured server (the rehearsal's machinery, dropped at
/// the end), then compares the restored schema and every table's row count with the manifest recorded when the
/// backup was taken. "Verified" only for what was compared; a backup without a manifest restores, and says that its
/// schema and rows were not compared.
/// </summary>
internal static class BackupVerification
{
    /// <summary>The newest backup of <paramref name="options"/>' directory and prefix, by the time in its name; SBM5011 when there is none.</summary>
    public static string Newest(BackupOptions options)
    {
        var directory = Path.GetFullPath(options.Directory);
        // The names sort by their UTC stamp.
        return (Directory.Exists(directory) ? Directory.EnumerateFiles(directory) : []).Where(f => BackupRetention.IsBackup(f, options.Prefix))
            .OrderDescending(StringComparer.Ordinal).FirstOrDefault()
            ?? throw new MigrationException(BackupDiagnostics.NoBackupToVerify(directory, options.Prefix));
    }

    /// <summary>Verifies <paramref name="backup"/>; SBM5007 when it does not restore, SBM5008 when it restores to something else than recorded.</summary>
    public static async Task VerifyAsync(ConnectionSettings server, string backup, IReadOnlyCollection<string> toolTables, IRunLog log, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var name = Path.GetFileName(backup);
        var manifest = BackupManifest.Read(backup, out var unreadable);
        if (unreadable is not null)
        {
            throw new MigrationException(BackupDiagnostics.ManifestUnreadable(backup, unreadable));
        }

        if (!File.Exists(backup) || new FileInfo(backup).Length == 0 || !PgDumpBackup.IsComplete(backup))
        {
            throw new MigrationException(BackupDiagnostics.DoesNotRestore(backup, !File.Exists(backup) ? "the file does not exist."
                : "it does not end with pg_dump's completion marker, so it was cut short (copied incompletely, or the disk filled)."));
        }

        await using var scratch = await ScratchDatabase.CreateAsync(server, log.Info, cancellation).ConfigureAwait(false);
        await BackupRestore.RestoreAsync(scratch.Settings, backup, cancellation, why => BackupDiagnostics.DoesNotRestore(backup, why)).ConfigureAwait(false);
        if (manifest is null)
        {
            log.Report(BackupDiagnostics.NoManifest(backup));
            return;
        }

        await using var connection = await Database.OpenAsync(scratch.Settings, "verify backup", cancellation).ConfigureAwait(false);
        var schema = await SchemaReader.ReadAsync(connection, toolTables).ConfigureAwait(false);
        var rows = await BackupManifest.CountRowsAsync(connection, null, cancellation).ConfigureAwait(false);
        var problems = SchemaDiff.Compare(manifest.Schema, schema).Select(c => $"schema: {c}").ToList();
        foreach (var table in manifest.Rows.Keys.Union(rows.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var (recorded, restored) = (manifest.Rows.GetValueOrDefault(table, -1), rows.GetValueOrDefault(table, -1));
            if (recorded != restored)
            {
                problems.Add($"{table}: {(recorded < 0 ? "not recorded" : $"{recorded} row(s) recorded")}, {(restored < 0 ? "not restored" : $"{restored} restored")}");
            }
        }

        if (problems.Count > 0)
        {
            throw new MigrationException(BackupDiagnostics.RestoresToSomethingElse(backup, manifest.TakenAt, problems));
        }

        log.Info($"Backup {name} verified in {DeployDiagnostics.Duration(clock.Elapsed)}: it restores without error into a scratch database, its schema is the one recorded when it was taken "
            + $"({manifest.Schema.Objects.Count} objects; not compared: {string.Join(", ", SchemaSnapshot.NotCompared)}), and all {rows.Count} table(s) hold the recorded rows ({rows.Values.Sum()} in all).");
    }
}
