using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StreamBot.Migrations.Tests.Support;

/// <summary>
/// A PostgreSQL server for the tests, found in the order ARCHITECTURE.md §6 gives: STREAMBOT_TEST_DATABASE_URL if
/// set; else Testcontainers.PostgreSql when a Docker engine answers; else a throwaway cluster from the local
/// binaries (initdb, pg_ctl) on a free loopback port, run as the postgres user when the tests run as root, with
/// password authentication over TCP, stopped at the end of the run. Without any of them, the tests that need it
/// fail with instructions; they are never skipped.
/// </summary>
public sealed class TestPostgres : IDisposable
{
    private const string UrlVariable = "STREAMBOT_TEST_DATABASE_URL";
    /// <summary>The superuser password of the servers this fixture starts (deliberately distinctive, so tests can grep for leaks).</summary>
    public const string Password = "Sb-Pw_7f3a9c2e!";

    private readonly string? _dataDirectory;
    private readonly string? _pgCtl;
    private readonly Testcontainers.PostgreSql.PostgreSqlContainer? _container;

    public TestPostgres()
    {
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        if (!string.IsNullOrWhiteSpace(url))
        {
            ServerUrl = url.TrimEnd('/');
            return;
        }

        _container = TryStartContainer();
        if (_container is not null)
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(_container.GetConnectionString());
            ServerUrl = $"postgres://{builder.Username}:{Uri.EscapeDataString(builder.Password!)}@{builder.Host}:{builder.Port}";
            return;
        }

        var bin = FindServerBinaries() ?? throw new InvalidOperationException(
            $"No PostgreSQL server for the tests. Set {UrlVariable}=postgres://user:password@127.0.0.1:5432/postgres, " +
            "or install the PostgreSQL server binaries (initdb and pg_ctl on PATH or under /usr/lib/postgresql/<version>/bin).");
        _pgCtl = Path.Combine(bin, "pg_ctl");
        _dataDirectory = Path.Combine(Path.GetTempPath(), "sbm-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dataDirectory);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // PostgreSQL refuses to run as root.
            Run("chown", $"postgres:postgres \"{_dataDirectory}\"", asPostgres: false);
        }

        var passwordFile = Path.Combine(_dataDirectory, "pw");
        File.WriteAllText(passwordFile, Password);
        if (asRoot)
        {
            Run("chown", $"postgres:postgres \"{passwordFile}\"", asPostgres: false);
        }

        // Trust on the socket (for pg_ctl), a real password over TCP (what the tests use).
        Run(Path.Combine(bin, "initdb"), $"-D \"{_dataDirectory}/data\" -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile=\"{passwordFile}\" -E UTF8 --no-locale --no-sync", asRoot);
        var port = FreeLoopbackPort();
        var options = $"-p {port} -k {_dataDirectory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200";
        Run(_pgCtl, $"-D \"{_dataDirectory}/data\" -o \"{options}\" -l \"{_dataDirectory}/server.log\" -w -t 60 start", asRoot);
        ServerUrl = $"postgres://postgres:{Uri.EscapeDataString(Password)}@127.0.0.1:{port}";
    }

    /// <summary>URL of the server without a database name.</summary>
    public string ServerUrl { get; }

    /// <summary>Creates a fresh database and returns its URL, so that tests never see each other's state.</summary>
    public string CreateDatabase()
    {
        var name = "sbm_" + Guid.NewGuid().ToString("N")[..16];
        var result = Psql(DatabaseUrl("postgres"), $"-c \"CREATE DATABASE {name}\"");
        return result.ExitCode == 0 ? DatabaseUrl(name) : throw new InvalidOperationException("CREATE DATABASE failed: " + result.Output);
    }

    public string DatabaseUrl(string database)
    {
        var uri = new Uri(ServerUrl);
        return new UriBuilder(uri) { Path = "/" + database }.Uri.ToString().TrimEnd('/');
    }

    public static (int ExitCode, string Output, string Error) Psql(string databaseUrl, string arguments)
    {
        var info = new ProcessStartInfo("psql", $"-X -d \"{databaseUrl}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["PGCONNECT_TIMEOUT"] = "10";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    public void Dispose()
    {
        _container?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_pgCtl is null || _dataDirectory is null)
        {
            return;
        }

        try
        {
            Run(_pgCtl, $"-D \"{_dataDirectory}/data\" -m immediate -w stop", Environment.UserName == "root");
        }
        finally
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
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

    private static Testcontainers.PostgreSql.PostgreSqlContainer? TryStartContainer()
    {
        // Only where a Docker engine can answer: a socket, or DOCKER_HOST. Elsewhere fall through at once.
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is null && !File.Exists("/var/run/docker.sock"))
        {
            return null;
        }

        try
        {
            var container = new Testcontainers.PostgreSql.PostgreSqlBuilder("postgres:15").WithPassword(Password).Build();
            container.StartAsync().Wait(TimeSpan.FromMinutes(3));
            return container;
        }
        catch (Exception e) when (e is AggregateException or InvalidOperationException or TimeoutException or ArgumentException)
        {
            Console.Error.WriteLine($"Testcontainers could not start PostgreSQL ({e.GetBaseException().Message}); using local binaries.");
            return null;
        }
    }

    private static string? FindServerBinaries()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':'))
        {
            if (File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")))
            {
                return directory;
            }
        }

        const string Debian = "/usr/lib/postgresql";
        return Directory.Exists(Debian)
            ? Directory.GetDirectories(Debian)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string fileName, string arguments, bool asPostgres)
    {
        var info = asPostgres
            ? new ProcessStartInfo("runuser", $"-u postgres -- {fileName} {arguments}")
            : new ProcessStartInfo(fileName, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{fileName} {arguments}' failed: {stdout}{stderr.Result}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresTestGroup : ICollectionFixture<TestPostgres>
{
    public const string Name = "postgres";
}
