using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Tests.Database;

public sealed class ConnectionSettingsTests
{
    private static ConnectionSettings Parse(string value) =>
        ConnectionSettings.Parse(value, "test", out var problem) ?? throw new InvalidOperationException(problem!.ToString());

    [Fact]
    public void Reads_the_uri_form()
    {
        var s = Parse("postgres://bot:p%40ss%3Aword@db.internal:6543/streambot?sslmode=require&application_name=deploy");
        Assert.Equal(("db.internal", 6543, "streambot", "bot"), (s.Host, s.Port, s.Database, s.Username));
        Assert.Equal("db.internal:6543/streambot as bot", s.Describe());
        Assert.Equal("p@ss:word", s.LibpqEnvironment()["PGPASSWORD"]);
        Assert.Equal("require", s.LibpqEnvironment()["PGSSLMODE"]);
    }

    [Theory]
    [InlineData("postgresql://u@localhost/db", "localhost", 5432, "db")]
    [InlineData("postgres://u:p@[::1]:5433/db", "::1", 5433, "db")]
    [InlineData("Host=10.0.0.5;Port=5544;Database=bot;Username=u;Password=p", "10.0.0.5", 5544, "bot")]
    [InlineData("postgres://u:p@host/db?sslmode=verify-full", "host", 5432, "db")]
    public void Reads_both_forms(string value, string host, int port, string database)
    {
        var s = Parse(value);
        Assert.Equal((host, port, database), (s.Host, s.Port, s.Database));
        Assert.DoesNotContain(":p@", s.Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres://u:TopSecret1@host/db?frobnicate=1")]
    [InlineData("postgres://u:TopSecret1@host:notaport/db")]
    [InlineData("Host=h;Port=abc;Password=TopSecret1")]
    [InlineData("Host=h;Frobnicate=1;Password=TopSecret1")]
    [InlineData("Password=TopSecret1")]
    public void Malformed_strings_are_one_coded_error_without_the_password(string value)
    {
        Assert.Null(ConnectionSettings.Parse(value, "DATABASE_URL", out var problem));
        Assert.Equal("SBM4002", problem!.Code);
        Assert.DoesNotContain("TopSecret1", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_value_wins_then_the_msbuild_hand_off_then_database_url()
    {
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = "postgres://u@from-url/db", [ConnectionSettings.HandOffVariable] = "postgres://u@from-msbuild/db" };
        Assert.Equal("explicit", ConnectionSettings.Resolve("postgres://u@explicit/db", k => env.GetValueOrDefault(k), out _)!.Host);
        Assert.Equal("from-msbuild", ConnectionSettings.Resolve(null, k => env.GetValueOrDefault(k), out _)!.Host);
        env.Remove(ConnectionSettings.HandOffVariable);
        Assert.Equal("from-url", ConnectionSettings.Resolve(null, k => env.GetValueOrDefault(k), out _)!.Host);
    }

    [Fact]
    public void Nothing_configured_is_SBM4001()
    {
        Assert.Null(ConnectionSettings.Resolve(null, _ => null, out var problem));
        Assert.Equal("SBM4001", problem!.Code);
    }
}
