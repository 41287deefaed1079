using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StreamBot.Migrations.Testing;

/// <summary>
/// A real PgBouncer (Debian's package) in front of the tests' server, in one pool mode, on a free loopback port. When
/// the machine has no pgbouncer, the package and the two libraries it needs are fetched with apt-get download and
/// unpacked under artifacts/tools (no maintainer scripts run, no service starts); without apt either, the test fails
/// with what to install. Stopped by its pid when disposed, or when the test process ends.
/// </summary>
public sealed class PgBouncer : IDisposable
{
    private static readonly Lazy<(string Binary, string? Libraries)> Installed = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly ChildProcess _process;
    private readonly string _directory;

    private PgBouncer(ChildProcess process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts PgBouncer in <paramref name="poolMode"/> (transaction, session, statement) in front of the server at <paramref name="serverUrl"/>.</summary>
    public static PgBouncer Start(string serverUrl, string poolMode)
    {
        var (binary, libraries) = Installed.Value;
        var server = new Uri(serverUrl);
        var password = Uri.UnescapeDataString(server.UserInfo.Split(':', 2)[1]);
        var user = Uri.UnescapeDataString(server.UserInfo.Split(':', 2)[0]);
        var directory = Path.Combine(Path.GetTempPath(), "sbm-pgbouncer-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var port = FreeLoopbackPort();
        File.WriteAllText(Path.Combine(directory, "userlist.txt"), $"\"{user}\" \"{password}\"\n");
        File.WriteAllText(Path.Combine(directory, "pgbouncer.ini"), $"""
            [databases]
            * = host={server.Host} port={server.Port} user={user} password={password}

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = trust
            auth_file = {directory}/userlist.txt
            pool_mode = {poolMode}
            max_client_conn = 200
            default_pool_size = 20
            ignore_startup_parameters = extra_float_digits,options,search_path
            """);
        ChildProcess.Run("chmod", $"-R a+rX \"{directory}\"");
        var asRoot = Environment.UserName == "root";
        var environment = new Dictionary<string, string?> { ["LD_LIBRARY_PATH"] = libraries };
        // PgBouncer refuses to run as root; -u drops to postgres after start-up.
        var process = ChildProcess.Start(binary, $"{(asRoot ? "-u postgres " : string.Empty)}\"{Path.Combine(directory, "pgbouncer.ini")}\"", environment);
        var bouncer = new PgBouncer(process, directory, port);
        bouncer.StopWhenThisProcessExits();
        var clock = Stopwatch.StartNew();
        while (!Listening(port))
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                bouncer.Dispose();
                throw new InvalidOperationException($"PgBouncer did not start on port {port}: {process.Output}");
            }

            Thread.Sleep(50);
        }

        return bouncer;
    }

    /// <summary>A URL to <paramref name="databaseUrl"/>'s database through this PgBouncer.</summary>
    public string Url(string databaseUrl)
    {
        var builder = new UriBuilder(databaseUrl) { Host = "127.0.0.1", Port = Port };
        return builder.Uri.ToString();
    }

    public void Dispose()
    {
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void StopWhenThisProcessExits()
    {
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 0.5; done; kill {_process.Pid} 2>/dev/null; rm -rf \"{_directory}\"";
        using var watcher = Process.Start(new ProcessStartInfo("setsid", ["-f", "sh", "-c", script]) { UseShellExecute = false });
    }

    private static (string Binary, string? Libraries) Install()
    {
        foreach (var candidate in new[] { "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer" })
        {
            if (File.Exists(candidate))
            {
                return (candidate, null);
            }
        }

        var root = Path.Combine(RepoPaths.Root, "artifacts", "tools", "pgbouncer");
        var binary = Path.Combine(root, "usr", "sbin", "pgbouncer");
        var libraries = Path.Combine(root, "usr", "lib", "x86_64-linux-gnu");
        if (File.Exists(binary))
        {
            return (binary, libraries);
        }

        var downloads = Path.Combine(root, "debs");
        Directory.CreateDirectory(downloads);
        const string Packages = "pgbouncer libevent-2.1-7 libc-ares2";
        var download = ChildProcess.Run("apt-get", $"download {Packages}", workingDirectory: downloads);
        if (download.ExitCode != 0)
        {
            // A fresh machine has no package lists yet.
            var update = ChildProcess.Run("apt-get", "update -qq");
            download = update.ExitCode == 0 ? ChildProcess.Run("apt-get", $"download {Packages}", workingDirectory: downloads) : update;
        }

        if (download.ExitCode != 0)
        {
            throw new InvalidOperationException($"PgBouncer is not installed and 'apt-get download {Packages}' failed: {download.Output}. Install it (apt-get install pgbouncer) and run the tests again.");
        }

        foreach (var deb in Directory.GetFiles(downloads, "*.deb"))
        {
            var unpack = ChildProcess.Run("dpkg", $"-x \"{deb}\" \"{root}\"");
            if (unpack.ExitCode != 0)
            {
                throw new InvalidOperationException($"Could not unpack {deb}: {unpack.Output}");
            }
        }

        return File.Exists(binary) ? (binary, libraries) : throw new InvalidOperationException($"The pgbouncer package did not contain {binary}.");
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
