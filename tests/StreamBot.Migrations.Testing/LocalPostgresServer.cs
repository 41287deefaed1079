using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace StreamBot.Migrations.Testing;

/// <summary>
/// A throwaway cluster from the local server binaries (initdb, pg_ctl) on a free loopback port, run as the postgres
/// user when the tests run as root: trust on its Unix socket, a real password over TCP. The shared test server is one;
/// a test that must crash a server or needs TLS starts its own, so the shared one never changes under other tests.
/// </summary>
public sealed class LocalPostgresServer : IDisposable
{
    public const string Password = "Sb-Pw_7f3a9c2e!";

    private readonly string _pgCtl;
    private readonly bool _asRoot = Environment.UserName == "root";
    private readonly string _options;

    /// <param name="tls">Serve TLS with a certificate for 127.0.0.1 and localhost signed by <see cref="RootCertificatePath"/>.</param>
    /// <param name="fsync">Whether the server flushes to disk (off for speed, on where durability is what a test checks).</param>
    public LocalPostgresServer(bool tls = false, bool fsync = false)
    {
        var bin = FindServerBinaries() ?? throw new InvalidOperationException(
            "No PostgreSQL server binaries for the tests: install them (initdb and pg_ctl on PATH or under /usr/lib/postgresql/<version>/bin), " +
            "or set STREAMBOT_TEST_DATABASE_URL for the tests that can use any server.");
        _pgCtl = Path.Combine(bin, "pg_ctl");
        Directory = Path.Combine(Path.GetTempPath(), "sbm-pg-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        GiveToPostgres(Directory);
        var passwordFile = Path.Combine(Directory, "pw");
        File.WriteAllText(passwordFile, Password);
        GiveToPostgres(passwordFile);
        Run(Path.Combine(bin, "initdb"), $"-D \"{DataDirectory}\" -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile=\"{passwordFile}\" -E UTF8 --no-locale --no-sync", _asRoot);
        Port = FreeLoopbackPort();
        _options = $"-p {Port} -k {Directory} -c listen_addresses=127.0.0.1 -c max_connections=200" +
            (fsync ? string.Empty : " -c fsync=off -c full_page_writes=off");
        if (tls)
        {
            _options += " " + WriteCertificates();
        }

        Start();
    }

    /// <summary>Holds the data directory, the socket and (with TLS) the certificates.</summary>
    public string Directory { get; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public int Port { get; }

    /// <summary>The directory of the server's Unix socket.</summary>
    public string SocketDirectory => Directory;

    /// <summary>The CA that signed the server's certificate (with TLS).</summary>
    public string? RootCertificatePath { get; private set; }

    /// <summary>A CA that signed nothing the server has: verify-ca against it must fail.</summary>
    public string? UnrelatedRootCertificatePath { get; private set; }

    /// <summary>URL of the server over TCP, without a database name.</summary>
    public string ServerUrl => $"postgres://postgres:{Uri.EscapeDataString(Password)}@127.0.0.1:{Port}";

    public void Start() => Run(_pgCtl, $"-D \"{DataDirectory}\" -o \"{_options}\" -l \"{Directory}/server.log\" -w -t 60 start", _asRoot);

    /// <summary>Stops the server; <paramref name="immediate"/> is a crash (no checkpoint, recovery on the next start).</summary>
    public void Stop(bool immediate) => Run(_pgCtl, $"-D \"{DataDirectory}\" -m {(immediate ? "immediate" : "fast")} -w stop", _asRoot);

    public void Dispose()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                Stop(immediate: true);
            }
        }
        finally
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // The server is stopped; a leftover temp folder is harmless.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>
    /// Hands the server's end to a watcher outside this process's tree (setsid -f): once this process has exited, for
    /// whatever reason (the runner ending the test host, a crash, a kill), the watcher stops the server and deletes
    /// its files. A server shared by a whole test process has no fixture whose Dispose is sure to run last.
    /// </summary>
    public void StopWhenThisProcessExits()
    {
        var stop = _asRoot ? $"runuser -u postgres -- \"{_pgCtl}\"" : $"\"{_pgCtl}\"";
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 0.5; done; " +
                     $"{stop} -D \"{DataDirectory}\" -m immediate -w stop >/dev/null 2>&1; rm -rf \"{Directory}\"";
        // Not through ChildProcess: the watcher must not hold a pipe that the test process waits to see closed.
        using var watcher = Process.Start(new ProcessStartInfo("setsid", ["-f", "sh", "-c", script]) { UseShellExecute = false });
    }

    // The same discovery as the product's throwaway rehearsal server.
    internal static string? FindServerBinaries() => StreamBot.Migrations.Postgres.Rehearsal.ThrowawayServer.FindServerBinaries();

    /// <summary>A CA, a server certificate for 127.0.0.1 and localhost signed by it, and an unrelated CA.</summary>
    private string WriteCertificates()
    {
        using var caKey = RSA.Create(2048);
        using var ca = SelfSignedCa("StreamBot test CA", caKey);
        using var otherKey = RSA.Create(2048);
        using var other = SelfSignedCa("Somebody else's CA", otherKey);
        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var server = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(8));

        RootCertificatePath = Path.Combine(Directory, "root.crt");
        UnrelatedRootCertificatePath = Path.Combine(Directory, "other-root.crt");
        File.WriteAllText(RootCertificatePath, ca.ExportCertificatePem());
        File.WriteAllText(UnrelatedRootCertificatePath, other.ExportCertificatePem());
        var certificate = Path.Combine(Directory, "server.crt");
        var key = Path.Combine(Directory, "server.key");
        File.WriteAllText(certificate, server.ExportCertificatePem());
        File.WriteAllText(key, serverKey.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            // PostgreSQL refuses a key file that others can read.
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        GiveToPostgres(certificate);
        GiveToPostgres(key);
        return $"-c ssl=on -c ssl_cert_file={certificate} -c ssl_key_file={key}";
    }

    private static X509Certificate2 SelfSignedCa(string name, RSA key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));
    }

    private void GiveToPostgres(string path)
    {
        if (_asRoot)
        {
            Run("chown", $"postgres:postgres \"{path}\"", asPostgres: false);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string fileName, string arguments, bool asPostgres)
    {
        var result = asPostgres ? ChildProcess.Run("runuser", $"-u postgres -- {fileName} {arguments}") : ChildProcess.Run(fileName, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{fileName} {arguments}' failed: {result.Output}");
        }
    }
}
