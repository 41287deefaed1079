using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Postgres.Rehearsal;

/// <summary>
/// A PostgreSQL cluster of its own for a rehearsal with no connection configured: initdb and pg_ctl from the server
/// binaries on PATH (or Debian's /usr/lib/postgresql/&lt;version&gt;/bin, newest first), a temporary directory, a free
/// loopback port, a random password over TCP, fsync off (nothing in it needs to survive), run as the postgres user
/// when this process is root (PostgreSQL refuses root). Stopped by its data directory's pid and deleted when disposed.
/// The tests find their server the same way.
/// </summary>
public sealed class ThrowawayServer : IDisposable
{
    private readonly string _pgCtl;
    private readonly bool _asRoot = Environment.UserName == "root";
    private bool _running;

    private ThrowawayServer(string bin)
    {
        _pgCtl = Path.Combine(bin, "pg_ctl");
        Directory = Path.Combine(Path.GetTempPath(), "streambot-rehearsal-" + Guid.NewGuid().ToString("N")[..12]);
        Password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
    }

    /// <summary>Holds the data directory and the socket; deleted on dispose.</summary>
    public string Directory { get; }

    /// <summary>The cluster's data directory.</summary>
    public string DataDirectory => Path.Combine(Directory, "data");

    private string Password { get; }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; private set; }

    /// <summary>Where the server is, as the tool's connection settings.</summary>
    public ConnectionSettings Settings { get; private set; } = null!;

    /// <summary>The directory of initdb and pg_ctl, or null when this machine has none.</summary>
    public static string? FindServerBinaries()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            if (File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")))
            {
                return directory;
            }
        }

        const string Debian = "/usr/lib/postgresql";
        return System.IO.Directory.Exists(Debian)
            ? System.IO.Directory.GetDirectories(Debian)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
    }

    /// <summary>Creates and starts a cluster; SBM7007 when this machine cannot.</summary>
    public static ThrowawayServer Start()
    {
        var bin = FindServerBinaries() ?? throw new MigrationException(RehearsalDiagnostics.ScratchUnavailable(
            "no connection is configured (--connection or DATABASE_URL) and no PostgreSQL server binaries (initdb, pg_ctl) were found on PATH or under /usr/lib/postgresql."));
        var server = new ThrowawayServer(bin);
        try
        {
            server.Create(bin);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private void Create(string bin)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var passwordFile = Path.Combine(Directory, "pw");
        File.WriteAllText(passwordFile, Password);
        if (_asRoot)
        {
            Run("chown", ["-R", "postgres:postgres", Directory], asPostgres: false);
        }

        Run(Path.Combine(bin, "initdb"), ["-D", DataDirectory, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--no-locale", "--no-sync"], _asRoot);
        File.Delete(passwordFile);
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var options = $"-p {Port} -k {Directory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off";
        Run(_pgCtl, ["-D", DataDirectory, "-o", options, "-l", Path.Combine(Directory, "server.log"), "-w", "-t", "60", "start"], _asRoot);
        _running = true;
        Settings = ConnectionSettings.Parse($"postgres://postgres:{Password}@127.0.0.1:{Port}/postgres", "rehearsal", out var problem)
            ?? throw new MigrationException(problem!);
    }

    /// <summary>Stops the server (immediate: nothing in it is kept) and deletes its directory.</summary>
    public void Dispose()
    {
        try
        {
            if (_running)
            {
                Run(_pgCtl, ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], _asRoot);
            }
        }
        catch (MigrationException)
        {
            // Already stopped; the directory goes anyway.
        }
        finally
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A leftover temporary directory of a stopped server is harmless.
            }
        }
    }

    private static void Run(string fileName, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var info = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", fileName, .. arguments]) : new ProcessStartInfo(fileName, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new MigrationException(RehearsalDiagnostics.ScratchUnavailable($"{info.FileName} could not be started ({e.Message.TrimEnd('.')})."));
        }

        using var _ = process;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new MigrationException(RehearsalDiagnostics.ScratchUnavailable(
                $"{Path.GetFileName(fileName)} failed (exit code {process.ExitCode}): {(error.Result + output).Trim().Split('\n').LastOrDefault()}"));
        }
    }
}
