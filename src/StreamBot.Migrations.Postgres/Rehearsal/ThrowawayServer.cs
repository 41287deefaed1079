using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Postgres.Rehearsal;

/// <summary>How a throwaway server is set up; the defaults are the rehearsal's.</summary>
public sealed record ThrowawayServerOptions
{
    /// <summary>Whether it flushes to disk: off when nothing in it needs to survive, on where durability is what is tested.</summary>
    public bool Fsync { get; init; }

    /// <summary>The postgres superuser's password over TCP; a random one when null.</summary>
    public string? Password { get; init; }

    /// <summary>More server settings, each <c>name=value</c>.</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    /// <summary>
    /// Writes files into the server's directory after initdb and before the first start (certificates), and returns the
    /// settings that use them.
    /// </summary>
    public Func<string, IReadOnlyList<string>>? Prepare { get; init; }

    /// <summary>The start of its temporary directory's name.</summary>
    public string DirectoryPrefix { get; init; } = "streambot-rehearsal-";
}

/// <summary>
/// A PostgreSQL cluster of its own: initdb and pg_ctl from the server binaries on PATH (or Debian's
/// /usr/lib/postgresql/&lt;version&gt;/bin, newest first), a temporary directory, a free loopback port, password
/// authentication over TCP, run as the postgres user when this process is root (PostgreSQL refuses root). The
/// rehearsal without a configured connection, the tests and the main job (eng/) all start theirs here. Stopped by its
/// data directory's pid and deleted when disposed.
/// </summary>
public sealed class ThrowawayServer : IDisposable
{
    private static readonly bool AsRoot = Environment.UserName == "root";
    private readonly string _startOptions;
    private string _preparedOptions = string.Empty;
    private bool _running;
    private bool _detached;

    private ThrowawayServer(string bin, ThrowawayServerOptions options)
    {
        PgCtl = Path.Combine(bin, "pg_ctl");
        Directory = Path.Combine(Path.GetTempPath(), options.DirectoryPrefix + Guid.NewGuid().ToString("N")[..12]);
        Password = options.Password ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        IEnumerable<string> settings = ["listen_addresses=127.0.0.1", .. options.Settings];
        if (!options.Fsync)
        {
            settings = settings.Concat(["fsync=off", "full_page_writes=off"]);
        }

        _startOptions = $"-p {Port} -k {Directory} " + string.Join(' ', settings.Select(s => "-c " + s));
    }

    /// <summary>Holds the data directory, the socket and whatever <see cref="ThrowawayServerOptions.Prepare"/> wrote; deleted on dispose.</summary>
    public string Directory { get; }

    /// <summary>The cluster's data directory.</summary>
    public string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>The pg_ctl that starts and stops it.</summary>
    public string PgCtl { get; }

    /// <summary>The postgres superuser's password.</summary>
    public string Password { get; }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>postgres://postgres:PASSWORD@127.0.0.1:PORT, without a database.</summary>
    public string ServerUrl => $"postgres://postgres:{Uri.EscapeDataString(Password)}@127.0.0.1:{Port}";

    /// <summary>Its postgres database, as the tool's connection settings.</summary>
    public ConnectionSettings Settings { get; private set; } = null!;

    /// <summary>Whether this process runs servers as the postgres user (it is root).</summary>
    public static bool RunsAsPostgres => AsRoot;

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
    public static ThrowawayServer Start(ThrowawayServerOptions? options = null)
    {
        var bin = FindServerBinaries() ?? throw new MigrationException(RehearsalDiagnostics.ScratchUnavailable(
            "no connection is configured (--connection or DATABASE_URL) and no PostgreSQL server binaries (initdb, pg_ctl) were found on PATH or under /usr/lib/postgresql."));
        options ??= new ThrowawayServerOptions();
        var server = new ThrowawayServer(bin, options);
        try
        {
            server.Create(bin, options);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private void Create(string bin, ThrowawayServerOptions options)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var passwordFile = Path.Combine(Directory, "pw");
        File.WriteAllText(passwordFile, Password);
        GiveToPostgres();
        Run(Path.Combine(bin, "initdb"), ["-D", DataDirectory, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--no-locale", "--no-sync"], AsRoot);
        File.Delete(passwordFile);
        if (options.Prepare is { } prepare)
        {
            _preparedOptions = string.Join(string.Empty, prepare(Directory).Select(s => " -c " + s));
            GiveToPostgres();
        }

        Start();
        Settings = ConnectionSettings.Parse(ServerUrl + "/postgres", "rehearsal", out var problem) ?? throw new MigrationException(problem!);
    }

    /// <summary>Starts it (again, after <see cref="Stop"/>).</summary>
    public void Start()
    {
        Run(PgCtl, ["-D", DataDirectory, "-o", _startOptions + _preparedOptions, "-l", Path.Combine(Directory, "server.log"), "-w", "-t", "60", "start"], AsRoot);
        _running = true;
    }

    /// <summary>Stops it; <paramref name="immediate"/> is a crash (no checkpoint, recovery on the next start).</summary>
    public void Stop(bool immediate)
    {
        Run(PgCtl, ["-D", DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "stop"], AsRoot);
        _running = false;
    }

    /// <summary>
    /// Leaves the server running when this object goes (the main job's tool starts it in one process and stops it, with
    /// <see cref="StopAndDelete"/>, from another).
    /// </summary>
    public void Detach() => _detached = true;

    /// <summary>Stops the server whose directory is <paramref name="directory"/> (by its data directory's pid) and deletes the directory.</summary>
    public static void StopAndDelete(string directory)
    {
        var bin = FindServerBinaries() ?? throw new MigrationException(RehearsalDiagnostics.ScratchUnavailable("no PostgreSQL server binaries (pg_ctl) were found on PATH or under /usr/lib/postgresql."));
        try
        {
            if (File.Exists(Path.Combine(directory, "data", "postmaster.pid")))
            {
                Run(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(directory, "data"), "-m", "fast", "-w", "stop"], AsRoot);
            }
        }
        finally
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Stops the server (immediate: nothing in it is kept) and deletes its directory, unless detached.</summary>
    public void Dispose()
    {
        if (_detached)
        {
            return;
        }

        try
        {
            if (_running || File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                Stop(immediate: true);
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

    // PostgreSQL runs as postgres under root, and must own its directory and every file it reads there.
    private void GiveToPostgres()
    {
        if (AsRoot)
        {
            Run("chown", ["-R", "postgres:postgres", Directory], asPostgres: false);
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
