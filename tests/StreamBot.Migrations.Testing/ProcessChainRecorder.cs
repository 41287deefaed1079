namespace StreamBot.Migrations.Testing;

/// <summary>
/// A pg_dump stand-in put first on PATH that records, before handing over to the real pg_dump, the command line
/// (/proc/PID/cmdline) of itself and of every ancestor process up to init: the CLI, the shell MSBuild's Exec starts,
/// MSBuild and dotnet. A secret in any of them would be visible to every user of the machine.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProcessChainRecorder : IDisposable
{
    public ProcessChainRecorder()
    {
        Directory = Path.Combine(Path.GetTempPath(), "sbm-chain-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        LogPath = Path.Combine(Directory, "cmdlines.log");
        var real = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "pg_dump")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("pg_dump is not on PATH");
        var script = Path.Combine(Directory, "pg_dump");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            pid=$$
            while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
              printf '%s: ' "$pid" >> "{{LogPath}}"
              tr '\0' ' ' < /proc/$pid/cmdline >> "{{LogPath}}"
              echo >> "{{LogPath}}"
              pid=$(awk '/^PPid:/ {print $2}' /proc/$pid/status)
            done
            exec "{{real}}" "$@"
            """.Replace("\r", "", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Directory { get; }

    public string LogPath { get; }

    /// <summary>PATH with the stand-in first.</summary>
    public string SearchPath => Directory + ":" + Environment.GetEnvironmentVariable("PATH");

    /// <summary>Every command line recorded so far, one per line.</summary>
    public IReadOnlyList<string> CommandLines => File.Exists(LogPath) ? File.ReadAllLines(LogPath) : [];

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
