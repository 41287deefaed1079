using System.Globalization;
using System.Text.RegularExpressions;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Postgres.Backup;

/// <summary>How long backups are kept: the runbook's "Keep backup for 30 days", or the newest N whatever their age.</summary>
/// <param name="Days">Backups older than this many days go (0: keep every backup).</param>
/// <param name="KeepNewest">When set, the newest this many backups stay and older ones go, instead of the age rule.</param>
public sealed record BackupRetention(int Days, int? KeepNewest = null)
{
    /// <summary>The runbook's 30 days.</summary>
    public static BackupRetention Default { get; } = new(30);

    /// <summary>"30 days", "the newest 5".</summary>
    public override string ToString() => KeepNewest is { } n ? $"the newest {n}" : Days == 0 ? "every backup" : $"{Days} days";

    /// <summary>
    /// The backups of <paramref name="files"/> that retention removes: only names a backup of <paramref name="prefix"/>
    /// has (<c>{prefix}_YYYY-MM-DDTHH-MM-SS[_n].sql</c>: never a <c>.partial</c> of a dump being written, never another
    /// file), never <paramref name="justWritten"/>, by their modification time.
    /// </summary>
    public IReadOnlyList<(string Path, TimeSpan Age)> Expired(IEnumerable<(string Path, DateTime WrittenUtc)> files, string prefix, string justWritten, DateTime nowUtc)
    {
        var backups = files.Where(f => IsBackup(f.Path, prefix) && !SamePath(f.Path, justWritten))
            .OrderByDescending(f => f.WrittenUtc).ToList();
        var expired = KeepNewest is { } keep
            ? backups.Skip(Math.Max(0, keep - 1)) // the one just written is the newest of all
            : Days == 0 ? [] : backups.Where(f => nowUtc - f.WrittenUtc > TimeSpan.FromDays(Days));
        return expired.Select(f => (f.Path, nowUtc - f.WrittenUtc)).ToList();
    }

    /// <summary>Whether <paramref name="path"/> is named as up names a backup of <paramref name="prefix"/>: <c>{prefix}_YYYY-MM-DDTHH-MM-SS[_n].sql</c>.</summary>
    public static bool IsBackup(string path, string prefix) =>
        Regex.IsMatch(System.IO.Path.GetFileName(path), "^" + Regex.Escape(prefix) + @"_\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(_\d+)?\.sql$", RegexOptions.CultureInvariant);

    /// <summary>Removes what <see cref="Expired"/> selects in <paramref name="directory"/> (and each one's manifest), logging each; a file that cannot be removed is a line, not a failure.</summary>
    public void Prune(string directory, string prefix, string justWritten, IRunLog log)
    {
        var files = Directory.EnumerateFiles(directory).Select(f => (f, File.GetLastWriteTimeUtc(f)));
        foreach (var (path, age) in Expired(files, prefix, justWritten, DateTime.UtcNow))
        {
            try
            {
                File.Delete(path);
                File.Delete(BackupManifest.PathFor(path));
                log.Info(string.Create(CultureInfo.InvariantCulture, $"Removed the backup {System.IO.Path.GetFileName(path)} ({age.TotalDays:0.#} days old; keeping {this})."));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.Info($"Could not remove the expired backup {System.IO.Path.GetFileName(path)}: {e.Message}");
            }
        }
    }

    private static bool SamePath(string a, string b) => string.Equals(System.IO.Path.GetFullPath(a), System.IO.Path.GetFullPath(b), StringComparison.Ordinal);
}
