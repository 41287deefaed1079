using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using StreamBot.Migrations.Postgres;
using StreamBot.Migrations.Postgres.Rehearsal;

namespace StreamBot.Migrations.Testing;

/// <summary>
/// The tests' PostgreSQL server: the product's <see cref="ThrowawayServer"/> (one implementation for the rehearsal, the
/// tests and the main job), with a password the leak tests search for, more connections, and optionally TLS. The
/// shared test server is one; a test that must crash a server or needs TLS starts its own, so the shared one never
/// changes under other tests.
/// </summary>
public sealed class LocalPostgresServer : IDisposable
{
    public const string Password = "Sb-Pw_7f3a9c2e!";

    private readonly ThrowawayServer _server;

    /// <param name="tls">Serve TLS with a certificate for 127.0.0.1 and localhost signed by <see cref="RootCertificatePath"/>.</param>
    /// <param name="fsync">Whether the server flushes to disk (off for speed, on where durability is what a test checks).</param>
    public LocalPostgresServer(bool tls = false, bool fsync = false)
    {
        try
        {
            _server = ThrowawayServer.Start(new ThrowawayServerOptions
            {
                Fsync = fsync,
                Password = Password,
                // pg_stat_statements records the queries the tests' app runs, as the rehearsal reads them in production.
                Settings = ["max_connections=200", "shared_preload_libraries=pg_stat_statements"],
                Prepare = tls ? WriteCertificates : null,
                DirectoryPrefix = "sbm-pg-",
            });
        }
        catch (MigrationException e)
        {
            throw new InvalidOperationException(
                $"{e.Diagnostic.FullMessage} The tests need PostgreSQL server binaries (initdb and pg_ctl on PATH or under /usr/lib/postgresql/<version>/bin), " +
                "or STREAMBOT_TEST_DATABASE_URL for the tests that can use any server.");
        }
    }

    /// <summary>Holds the data directory, the socket and (with TLS) the certificates.</summary>
    public string Directory => _server.Directory;

    public string DataDirectory => _server.DataDirectory;

    public int Port => _server.Port;

    /// <summary>The directory of the server's Unix socket.</summary>
    public string SocketDirectory => _server.Directory;

    /// <summary>The CA that signed the server's certificate (with TLS).</summary>
    public string? RootCertificatePath { get; private set; }

    /// <summary>A CA that signed nothing the server has: verify-ca against it must fail.</summary>
    public string? UnrelatedRootCertificatePath { get; private set; }

    /// <summary>URL of the server over TCP, without a database name.</summary>
    public string ServerUrl => _server.ServerUrl;

    public void Start() => _server.Start();

    /// <summary>Stops the server; <paramref name="immediate"/> is a crash (no checkpoint, recovery on the next start).</summary>
    public void Stop(bool immediate) => _server.Stop(immediate);

    public void Dispose() => _server.Dispose();

    /// <summary>
    /// Hands the server's end to a watcher outside this process's tree (setsid -f): once this process has exited, for
    /// whatever reason (the runner ending the test host, a crash, a kill), the watcher stops the server and deletes
    /// its files. A server shared by a whole test process has no fixture whose Dispose is sure to run last.
    /// </summary>
    public void StopWhenThisProcessExits()
    {
        var stop = ThrowawayServer.RunsAsPostgres ? $"runuser -u postgres -- \"{_server.PgCtl}\"" : $"\"{_server.PgCtl}\"";
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 0.5; done; " +
                     $"{stop} -D \"{DataDirectory}\" -m immediate -w stop >/dev/null 2>&1; rm -rf \"{Directory}\"";
        // Not through ChildProcess: the watcher must not hold a pipe that the test process waits to see closed.
        using var watcher = Process.Start(new ProcessStartInfo("setsid", ["-f", "sh", "-c", script]) { UseShellExecute = false });
    }

    /// <summary>A CA, a server certificate for 127.0.0.1 and localhost signed by it, and an unrelated CA.</summary>
    private IReadOnlyList<string> WriteCertificates(string directory)
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

        RootCertificatePath = Path.Combine(directory, "root.crt");
        UnrelatedRootCertificatePath = Path.Combine(directory, "other-root.crt");
        File.WriteAllText(RootCertificatePath, ca.ExportCertificatePem());
        File.WriteAllText(UnrelatedRootCertificatePath, other.ExportCertificatePem());
        var certificate = Path.Combine(directory, "server.crt");
        var key = Path.Combine(directory, "server.key");
        File.WriteAllText(certificate, server.ExportCertificatePem());
        File.WriteAllText(key, serverKey.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            // PostgreSQL refuses a key file that others can read.
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return ["ssl=on", $"ssl_cert_file={certificate}", $"ssl_key_file={key}"];
    }

    private static X509Certificate2 SelfSignedCa(string name, RSA key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));
    }
}
