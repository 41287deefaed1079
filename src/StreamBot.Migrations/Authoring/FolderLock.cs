using System.Security.Cryptography;
using System.Text;

namespace StreamBot.Migrations.Authoring;

/// <summary>
/// An exclusive lock on a migrations folder for the commands that write it (<c>new</c>, <c>renumber</c>,
/// <c>draft-rollback</c>): two run at once would both pick the same next number or both rewrite the README, one
/// losing the other's section. The lock is an operating-system file lock (released by the kernel when the process
/// ends, however it ends) on a file named after the folder's full path in the temporary directory, so the
/// repository gets no lock file to ignore. A second writer waits for the first, then plans from what it left.
/// </summary>
public sealed class FolderLock : IDisposable
{
    private readonly FileStream _file;

    private FolderLock(FileStream file) => _file = file;

    /// <summary>
    /// Waits up to <paramref name="patience"/> for the folder; null when another writer still holds it. Any other
    /// failure to open the lock file (a temporary directory that cannot be written) is thrown at once.
    /// </summary>
    public static FolderLock? Take(string directory, TimeSpan patience)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar)))).ToLowerInvariant()[..16];
        var path = Path.Combine(Path.GetTempPath(), $"streambot-migrate-folder-{key}.lock");
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock() on Unix and a sharing lock on Windows.
                return new FolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (HeldByAnother(e) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(Random.Shared.Next(20, 60));
            }
            catch (IOException e) when (HeldByAnother(e))
            {
                return null;
            }
        }
    }

    // The lock is taken: EWOULDBLOCK from flock (11 on Linux, 35 on macOS), a sharing violation on Windows.
    private static bool HeldByAnother(IOException e) => e.HResult is 11 or 35 or unchecked((int)0x80070020);

    /// <summary>Releases the folder.</summary>
    public void Dispose() => _file.Dispose();
}
