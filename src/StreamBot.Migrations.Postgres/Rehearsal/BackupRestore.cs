using System.Diagnostics;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Postgres.Rehearsal;

/// <summary>
/// Restores one of up's plain-SQL backups into the scratch database with psql (ON_ERROR_STOP), so a rehearsal runs on
/// real data sizes. The password reaches psql through its environment; what psql prints is never shown, since a
/// failing statement would quote the data.
/// </summary>
internal static class BackupRestore
{
    /// <param name="scratch">The database to restore into.</param>
    /// <param name="file">The backup.</param>
    /// <param name="cancellation">Ctrl-C.</param>
    /// <param name="failure">The diagnostic for a restore that fails, given why (default: the rehearsal's SBM7007).</param>
    public static async Task RestoreAsync(ConnectionSettings scratch, string file, CancellationToken cancellation, Func<string, Diagnostic>? failure = null)
    {
        failure ??= RehearsalDiagnostics.ScratchUnavailable;
        if (!File.Exists(file))
        {
            throw new MigrationException(failure($"the backup {file} does not exist."));
        }

        var info = new ProcessStartInfo("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", Path.GetFullPath(file)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in scratch.LibpqEnvironment())
        {
            info.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new MigrationException(RehearsalDiagnostics.ScratchUnavailable("psql is not on PATH; it restores the backup."));
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync(cancellation);
            await process.StandardOutput.ReadToEndAsync(cancellation).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
            var text = await errors.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                var where = text.Split('\n').FirstOrDefault(l => l.Contains("ERROR", StringComparison.Ordinal)) is { } line && line.IndexOf("ERROR", StringComparison.Ordinal) is var at
                    ? line[..at].TrimEnd(' ', ':')
                    : "psql";
                throw new MigrationException(failure($"restoring {Path.GetFileName(file)} failed at {where} (psql exit code {process.ExitCode}; its message is not shown, it may quote data)."));
            }
        }
    }
}
