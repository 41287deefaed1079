using System.Diagnostics;
using System.Globalization;
using StreamBot.Migrations.Discovery;

namespace StreamBot.Migrations.Authoring;

/// <summary>When a migration file was added: which of two files sharing a number came first, for renumber.</summary>
public static class FileHistory
{
    /// <summary>When git first saw the file; a file git does not know is the newest; without git, its modification time.</summary>
    public static DateTimeOffset AddedAt(MigrationFile file)
    {
        try
        {
            var info = new ProcessStartInfo("git", ["log", "--diff-filter=A", "--format=%ct", "--", file.FullPath])
            {
                WorkingDirectory = Path.GetDirectoryName(file.FullPath)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var git = Process.Start(info)!;
            var output = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            if (git.ExitCode == 0)
            {
                var first = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
                return first is null ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeSeconds(long.Parse(first, CultureInfo.InvariantCulture));
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No git: the file's own time is the next best witness.
        }

        return File.GetLastWriteTimeUtc(file.FullPath);
    }
}
