using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Postgres.Backup;

/// <summary>
/// Takes a plain-SQL pg_dump that <c>psql "$DATABASE_URL" &lt; file</c> restores over the existing database
/// (<c>--clean --if-exists</c>). The dump goes to a temporary name first and is renamed only once pg_dump exited 0
/// and the file ends with pg_dump's completion marker, so a half-written backup never carries a backup's name.
/// The password reaches pg_dump through its environment; the file is readable by its owner only.
/// </summary>
internal static partial class PgDumpBackup
{
    private const string CompletionMarker = "-- PostgreSQL database dump complete";

    [GeneratedRegex(@"(\d+)(?:\.(\d+))?")]
    private static partial Regex VersionNumber();

    /// <summary>
    /// Dumps the database to a new backup file, with its manifest (schema and row counts, read in the dump's own
    /// snapshot) beside it, then prunes expired backups. Returns the backup's path.
    /// </summary>
    public static async Task<string> CreateAsync(ConnectionSettings settings, BackupOptions options, int serverVersionNum, IReadOnlyCollection<string> toolTables,
        IRunLog log, CancellationToken cancellation = default)
    {
        var pgDump = FindOnPath("pg_dump") ?? throw new MigrationException(BackupDiagnostics.PgDumpMissing());
        await CheckVersionAsync(pgDump, serverVersionNum).ConfigureAwait(false);

        var directory = Path.GetFullPath(options.Directory);
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unwritable(directory, e);
        }

        // A run killed during its dump leaves a .partial file. Its name already keeps it from being taken for a
        // backup, so it is only clutter, unless a dump is being written to it right now: the writer holds the file
        // exclusively (FileShare.None, an flock on Unix), so a file that cannot be opened exclusively is left alone.
        try
        {
            foreach (var stale in Directory.GetFiles(directory, $"{options.Prefix}_*.sql.partial"))
            {
                if (InUse(stale))
                {
                    log.Info($"Left {Path.GetFileName(stale)}: a dump is being written to it.");
                    continue;
                }

                TryDelete(stale);
                log.Info($"Removed {Path.GetFileName(stale)}, the unfinished dump of an interrupted run.");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable directory is reported below, when the dump cannot be written.
        }

        var stamp = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH-mm-ss", CultureInfo.InvariantCulture);
        var path = Path.Combine(directory, $"{options.Prefix}_{stamp}.sql");
        for (var n = 2; File.Exists(path); n++)
        {
            path = Path.Combine(directory, $"{options.Prefix}_{stamp}_{n}.sql");
        }

        var partial = path + ".partial";
        var clock = Stopwatch.StartNew();
        BackupManifest? manifest = null;
        try
        {
            // One snapshot for the dump and the manifest: pg_dump imports it, this session reads the schema and counts the rows in it.
            await using var snapshot = await Database.OpenAsync(settings, "backup manifest", cancellation).ConfigureAwait(false);
            await using var transaction = await snapshot.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellation).ConfigureAwait(false);
            string id;
            await using (var export = new Npgsql.NpgsqlCommand("SELECT pg_export_snapshot()", snapshot, transaction))
            {
                id = (string)(await export.ExecuteScalarAsync(cancellation).ConfigureAwait(false))!;
            }

            var dump = DumpAsync(pgDump, settings, partial, id, cancellation);
            manifest = await BackupManifest.TakeAsync(snapshot, transaction, path, settings.Describe(), toolTables, cancellation).ConfigureAwait(false);
            await dump.ConfigureAwait(false);
            File.Move(partial, path);
            manifest.Write(path);
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            TryDelete(partial);
            throw new MigrationException(BackupDiagnostics.DiskFull(directory));
        }
        catch (Npgsql.PostgresException e)
        {
            // Reading the snapshot's schema or counting a table's rows for the manifest (a table this role may not read).
            TryDelete(partial);
            throw new MigrationException(BackupDiagnostics.ManifestNotTaken(path, settings.Redact($"{e.MessageText} (SQLSTATE {e.SqlState})")));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(partial);
            throw Unwritable(directory, e);
        }
        catch
        {
            TryDelete(partial);
            throw;
        }

        log.Info($"Backup written to {path} ({new FileInfo(path).Length / 1024.0:F0} KiB in {clock.Elapsed.TotalSeconds:F1} s; {manifest.Rows.Count} table(s), {manifest.Rows.Values.Sum()} row(s) recorded in {Path.GetFileName(BackupManifest.PathFor(path))}).");
        options.Retention.Prune(directory, options.Prefix, path, log);
        return path;
    }

    private static async Task DumpAsync(string pgDump, ConnectionSettings settings, string target, string snapshot, CancellationToken cancellation)
    {
        // Created 0600 before a single byte is written: the dump holds OAuth tokens.
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var info = new ProcessStartInfo(pgDump)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--format=plain", "--clean", "--if-exists", "--no-password", "--exclude-table-data=public.migration_lock", "--snapshot=" + snapshot })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in settings.LibpqEnvironment())
        {
            info.Environment[key] = value;
        }

        using var serviceFile = SslPasswordServiceFile.For(settings, info);
        using var process = StartOrExplain(info);
        // An interrupted run kills its pg_dump, which ends the streams below; the caller removes the unfinished file.
        await using var stop = cancellation.Register(() => process.Kill(entireProcessTree: true));
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        long written;
        await using (var file = new FileStream(target, fileOptions))
        {
            await process.StandardOutput.BaseStream.CopyToAsync(file, CancellationToken.None).ConfigureAwait(false);
            await file.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
            written = file.Length;
        }

        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        cancellation.ThrowIfCancellationRequested();
        var errors = settings.Redact((await stderr.ConfigureAwait(false)).Trim());
        if (process.ExitCode != 0)
        {
            throw new MigrationException(BackupDiagnostics.PgDumpFailed(target, process.ExitCode, errors));
        }

        if (!EndsWithMarker(target, written))
        {
            throw new MigrationException(BackupDiagnostics.DumpIncomplete(target));
        }
    }

    private static bool InUse(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return File.Exists(path);
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Whether <paramref name="path"/> ends with pg_dump's completion marker (a cut file does not).</summary>
    internal static bool IsComplete(string path) => EndsWithMarker(path, new FileInfo(path).Length);

    private static bool EndsWithMarker(string path, long length)
    {
        using var file = File.OpenRead(path);
        var tail = new byte[Math.Min(256, length)];
        file.Seek(-tail.Length, SeekOrigin.End);
        file.ReadExactly(tail);
        return Encoding.UTF8.GetString(tail).Contains(CompletionMarker, StringComparison.Ordinal);
    }

    private static async Task CheckVersionAsync(string pgDump, int serverVersionNum)
    {
        var info = new ProcessStartInfo(pgDump, "--version") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = StartOrExplain(info);
        var text = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        var match = VersionNumber().Match(text);
        var major = match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var serverMajor = serverVersionNum / 10000;
        if (major < serverMajor)
        {
            throw new MigrationException(BackupDiagnostics.PgDumpTooOld(pgDump, major, serverMajor));
        }
    }

    private static Process StartOrExplain(ProcessStartInfo info)
    {
        try
        {
            return Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new MigrationException(BackupDiagnostics.PgDumpCannotStart(info.FileName, e.Message));
        }
    }

    private static MigrationException Unwritable(string directory, Exception e) =>
        new(BackupDiagnostics.DirectoryUnwritable(directory, e.Message));

    // ENOSPC (28) on Unix; ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.
    private static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 112 or 39;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal static string? FindOnPath(string program)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
