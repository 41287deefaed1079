using System.Diagnostics;

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
    public const string Password = LocalPostgresServer.Password;

    private readonly LocalPostgresServer? _server;
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

        _server = new LocalPostgresServer();
        ServerUrl = _server.ServerUrl;
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
        _server?.Dispose();
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
}

[CollectionDefinition(Name)]
public sealed class PostgresTestGroup : ICollectionFixture<TestPostgres>
{
    public const string Name = "postgres";
}
