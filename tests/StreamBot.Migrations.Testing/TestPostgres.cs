
namespace StreamBot.Migrations.Testing;

/// <summary>
/// The PostgreSQL server of the tests, one per test process, found in the order ARCHITECTURE.md §6 gives:
/// STREAMBOT_TEST_DATABASE_URL if set; else Testcontainers.PostgreSql when a Docker engine answers; else a throwaway
/// cluster from the local binaries (initdb, pg_ctl) on a free loopback port, run as the postgres user when the tests
/// run as root, with password authentication over TCP. Without any of them, the tests that need it fail with
/// instructions; they are never skipped. Every test class that takes this fixture shares the one server, so classes
/// run in parallel, each test in a database of its own; the server stops when the test process exits.
/// </summary>
public sealed class TestPostgres : IDisposable
{
    private const string UrlVariable = "STREAMBOT_TEST_DATABASE_URL";
    /// <summary>The superuser password of the servers the tests start (deliberately distinctive, so tests can grep for leaks).</summary>
    public const string Password = LocalPostgresServer.Password;

    private static readonly Lazy<Server> Shared = new(Server.Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>URL of the server without a database name.</summary>
    public string ServerUrl { get; } = Shared.Value.Url;

    /// <summary>The password of the server in use (the one a leak test must search for).</summary>
    public string ServerPassword => Uri.UnescapeDataString(new Uri(ServerUrl).UserInfo.Split(':', 2) is [_, var password] ? password : string.Empty);

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
        var result = ChildProcess.Run("psql", $"-X -d \"{databaseUrl}\" {arguments}", new Dictionary<string, string?> { ["PGCONNECT_TIMEOUT"] = "10" });
        return (result.ExitCode, result.StandardOutput, result.StandardError);
    }

    // The shared server outlives every class that uses it; it stops when the process exits.
    public void Dispose()
    {
    }

    private sealed class Server(string url)
    {
        public string Url { get; } = url;

        public static Server Start()
        {
            var url = Environment.GetEnvironmentVariable(UrlVariable);
            if (!string.IsNullOrWhiteSpace(url))
            {
                return new Server(url.TrimEnd('/'));
            }

            // Testcontainers' Ryuk removes the container when this process ends; a local server gets a watcher that does.
            if (TryStartContainer() is { } container)
            {
                var builder = new Npgsql.NpgsqlConnectionStringBuilder(container.GetConnectionString());
                return new Server($"postgres://{builder.Username}:{Uri.EscapeDataString(builder.Password!)}@{builder.Host}:{builder.Port}");
            }

            var local = new LocalPostgresServer();
            local.StopWhenThisProcessExits();
            return new Server(local.ServerUrl);
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
            var container = new Testcontainers.PostgreSql.PostgreSqlBuilder("postgres:15").WithPassword(Password)
                .WithCommand("-c", "shared_preload_libraries=pg_stat_statements").Build();
            container.StartAsync().Wait(TimeSpan.FromMinutes(3));
            return container;
        }
        catch (Exception e) when (e is AggregateException or InvalidOperationException or TimeoutException or ArgumentException)
        {
            Console.Error.WriteLine($"Testcontainers could not start PostgreSQL ({e.GetBaseException().Message}); using local binaries.");
            return null;
        }
    }
}
