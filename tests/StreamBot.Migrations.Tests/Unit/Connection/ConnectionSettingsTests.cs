using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Tests.Unit.Connection;

[Trait(Tier.Name, Tier.Unit)]
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

    [Fact]
    public void Reads_libpq_keyword_value_form()
    {
        var s = Parse("host=127.0.0.1 port=5433 dbname=bot user=app password=TopSecret123");
        Assert.Equal(("127.0.0.1", 5433, "bot", "app"), (s.Host, s.Port, s.Database, s.Username));
        Assert.Equal("127.0.0.1:5433/bot as app", s.Describe());
        Assert.Equal("TopSecret123", s.LibpqEnvironment()["PGPASSWORD"]);
    }

    [Theory]
    [InlineData(@"password='it\'s  a secret' host = db dbname='my db'", "it's  a secret", "my db")]
    [InlineData(@"host=db password=semi;colon dbname=bot", "semi;colon", "bot")]
    [InlineData(@"host=db password=back\ slash dbname=bot", "back slash", "bot")]
    [InlineData("host=db password='' dbname=bot", "", "bot")]
    [InlineData("\thost=db\n  password = 'x=y'   dbname =bot ", "x=y", "bot")]
    public void Keyword_value_form_follows_libpq_quoting(string value, string password, string database)
    {
        var s = Parse(value);
        Assert.Equal("db", s.Host);
        Assert.Equal(database, s.Database);
        Assert.Equal(password, s.LibpqEnvironment()["PGPASSWORD"]);
    }

    [Theory]
    [InlineData("postgres:///bot?host=/var/run/postgresql", "/var/run/postgresql", 5432, "bot")]
    [InlineData("postgresql:///bot?host=/tmp&port=6001", "/tmp", 6001, "bot")]
    [InlineData("postgresql://%2Ftmp%2Fsockets:5439/bot", "/tmp/sockets", 5439, "bot")]
    [InlineData("postgres://u@db.internal/bot?port=6000", "db.internal", 6000, "bot")]
    [InlineData("host=/run/pg port=5999 dbname=bot", "/run/pg", 5999, "bot")]
    [InlineData("Host=/run/pg;Port=5999;Database=bot", "/run/pg", 5999, "bot")]
    public void Unix_socket_directories_and_port_parameters_are_accepted(string value, string host, int port, string database)
    {
        var s = Parse(value);
        Assert.Equal((host, port, database), (s.Host, s.Port, s.Database));
        Assert.Equal(host.StartsWith('/'), s.IsUnixSocket);
        Assert.Equal(host, s.LibpqEnvironment()["PGHOST"]);
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), s.LibpqEnvironment()["PGPORT"]);
    }

    [Theory]
    [InlineData("postgres://u:p@db/bot?sslmode=verify-ca&sslrootcert=/certs/root.crt&sslcert=/certs/c.crt&sslkey=/certs/c.key&application_name=deploy&options=-c%20work_mem%3D64MB&target_session_attrs=read-write&connect_timeout=7")]
    [InlineData("host=db user=u password=p dbname=bot sslmode=verify-ca sslrootcert=/certs/root.crt sslcert=/certs/c.crt sslkey=/certs/c.key application_name=deploy options='-c work_mem=64MB' target_session_attrs=read-write connect_timeout=7")]
    [InlineData("Host=db;Username=u;Password=p;Database=bot;SSL Mode=VerifyCA;Root Certificate=/certs/root.crt;SSL Certificate=/certs/c.crt;SSL Key=/certs/c.key;Application Name=deploy;Options=-c work_mem=64MB;Target Session Attributes=read-write;Timeout=7")]
    public void Every_setting_reaches_pg_dump_in_every_form(string value)
    {
        var environment = Parse(value).LibpqEnvironment();
        var expected = new Dictionary<string, string>
        {
            ["PGHOST"] = "db", ["PGUSER"] = "u", ["PGPASSWORD"] = "p", ["PGDATABASE"] = "bot", ["PGSSLMODE"] = "verify-ca",
            ["PGSSLROOTCERT"] = "/certs/root.crt", ["PGSSLCERT"] = "/certs/c.crt", ["PGSSLKEY"] = "/certs/c.key", ["PGAPPNAME"] = "deploy",
            ["PGOPTIONS"] = "-c work_mem=64MB", ["PGTARGETSESSIONATTRS"] = "read-write", ["PGCONNECT_TIMEOUT"] = "7",
        };
        Assert.All(expected, e => Assert.Equal(e.Value, environment.GetValueOrDefault(e.Key)));
    }

    [Fact]
    public void The_tools_own_connection_gets_the_same_settings()
    {
        var npgsql = new Npgsql.NpgsqlConnectionStringBuilder(Parse("host=/run/pg port=5999 dbname=bot sslmode=verify-full sslrootcert=/r.crt").ToNpgsql("t"));
        Assert.Equal(("/run/pg", 5999, "bot", Npgsql.SslMode.VerifyFull, "/r.crt"), (npgsql.Host, npgsql.Port, npgsql.Database, npgsql.SslMode, npgsql.RootCertificate));
    }

    [Theory]
    [InlineData("host=127.0.0.1 port=5432 dbname=bot user=app password=TopSecret1 frobnicate=1")]
    [InlineData("host=127.0.0.1 port=5432 dbname=bot user=app password 'TopSecret1'")]
    [InlineData("host=127.0.0.1 dbname=bot password='TopSecret1")]
    [InlineData("host=127.0.0.1 dbname=bot TopSecret1=x")]
    [InlineData("host='127.0.0.1 port=5432 password=TopSecret1'")]
    [InlineData("host=127.0.0.1 port=TopSecret1")]
    [InlineData("host=127.0.0.1 sslmode=TopSecret1")]
    [InlineData("host=127.0.0.1 hostaddr=10.0.0.1 password=TopSecret1")]
    [InlineData("postgres://u:TopSecret1@h1,h2/db")]
    [InlineData("postgres://u:TopSecret1@host/db?sslmode=TopSecret1")]
    [InlineData("postgres://u:TopSecret1%zz@host/db")]
    [InlineData("postgres://u:TopSecret1@[::1/db")]
    [InlineData("postgres://u:TopSecret1@ho st/db")]
    [InlineData("postgres://u:p@host/db?TopSecret1")]
    [InlineData("Host=h;Port=TopSecret1")]
    [InlineData("Host=h;TopSecret1=1")]
    [InlineData("Host=h;Password=TopSecret1;SSL Mode=TopSecret1")]
    public void Malformed_strings_never_quote_their_text(string value)
    {
        Assert.Null(ConnectionSettings.Parse(value, "DATABASE_URL", out var problem));
        Assert.Equal("SBM4002", problem!.Code);
        Assert.DoesNotContain("TopSecret1", problem.ToString(), StringComparison.Ordinal);
        Assert.EndsWith(".", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres://u:TopSecret1@host/db?frobnicate=1")]
    [InlineData("postgres://u:TopSecret1@host:notaport/db")]
    [InlineData("Host=h;Port=abc;Password=TopSecret1")]
    [InlineData("Host=h;Frobnicate=1;Password=TopSecret1")]
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
