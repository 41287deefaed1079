using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>A server of its own with TLS (a test CA) and a Unix socket: the connection forms users write, end to end.</summary>
public sealed class TlsServer : IDisposable
{
    public LocalPostgresServer Server { get; } = new(tls: true);

    /// <summary>Creates a fresh database and returns its name.</summary>
    public string CreateDatabase()
    {
        var name = "sbm_" + Guid.NewGuid().ToString("N")[..16];
        var (exit, output, error) = TestPostgres.Psql(Server.ServerUrl + "/postgres", $"-c \"CREATE DATABASE {name}\"");
        return exit == 0 ? name : throw new InvalidOperationException(output + error);
    }

    public void Dispose() => Server.Dispose();
}

/// <summary>
/// status, up (with its pg_dump backup) and down through every connection form: libpq's key=value list over TCP and
/// over the Unix socket, libpq's URI naming a socket directory and a port parameter, and TLS settings that pg_dump
/// must receive as well as the tool's own connection.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class ConnectionFormsTests(TlsServer tls) : IClassFixture<TlsServer>
{
    private LocalPostgresServer Server => tls.Server;

    public static TheoryData<string, string> Forms() => new()
    {
        { "libpq key=value over TCP", "host=127.0.0.1 port={port} dbname={db} user=postgres password='{password}'" },
        { "libpq key=value over the socket", "host={socket} port={port} dbname={db} user=postgres" },
        { "libpq URI naming a socket directory", "postgres:///{db}?host={socket}&port={port}&user=postgres" },
        { "libpq URI with a port parameter", "postgres://postgres:{password-encoded}@127.0.0.1/{db}?port={port}" },
        { "URI with verify-ca and sslrootcert", "postgres://postgres:{password-encoded}@127.0.0.1:{port}/{db}?sslmode=verify-ca&sslrootcert={root}" },
        { "URI with verify-full and sslrootcert", "postgres://postgres:{password-encoded}@127.0.0.1:{port}/{db}?sslmode=verify-full&sslrootcert={root}" },
        { "libpq key=value with verify-ca", "host=127.0.0.1 port={port} dbname={db} user=postgres password='{password}' sslmode=verify-ca sslrootcert={root}" },
        { "Npgsql keywords with VerifyCA", "Host=127.0.0.1;Port={port};Database={db};Username=postgres;Password={password};SSL Mode=VerifyCA;Root Certificate={root}" },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void Status_up_with_backup_and_down_work_in_every_form(string name, string form)
    {
        _ = name;
        var database = tls.CreateDatabase();
        using var folder = MigrationsFolder.ForDatabase();
        var backups = Path.Combine(folder.Directory, "..", Path.GetFileName(folder.Directory) + "-backups");
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = Fill(form, database) };
        var dir = $"--dir \"{folder.Directory}\"";
        try
        {
            foreach (var command in new[] { "status", "up", "status", "down" })
            {
                var (exit, output) = CliProcess.Run($"{command} {dir}{(command == "status" ? string.Empty : $" --backup-dir \"{backups}\"")}", env);
                Assert.True(exit == 0, $"{command} failed:\n{output}");
                Assert.DoesNotContain(LocalPostgresServer.Password, output, StringComparison.Ordinal);
            }

            // One backup before up and one before down, each a complete pg_dump over the same connection.
            var dumps = Directory.GetFiles(backups, "*.sql");
            Assert.Equal(2, dumps.Length);
            Assert.All(dumps, d => Assert.Contains("-- PostgreSQL database dump complete", File.ReadAllText(d), StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(backups))
            {
                Directory.Delete(backups, true);
            }
        }
    }

    [Fact]
    public void Tls_settings_really_reach_pg_dump()
    {
        // A pg_dump that did not get sslrootcert looks for ~/.postgresql/root.crt and fails; this one must not, and
        // the server must see its session encrypted.
        var database = tls.CreateDatabase();
        using var probe = new SqlProbe(Fill("postgres://postgres:{password-encoded}@127.0.0.1:{port}/{db}?sslmode=verify-full&sslrootcert={root}", database));
        Assert.Equal(true, probe.Scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
        var home = Directory.CreateTempSubdirectory("sbm-home-").FullName;
        using var folder = MigrationsFolder.ForDatabase();
        var (exit, output) = CliProcess.Run($"up --dir \"{folder.Directory}\" --backup-dir \"{home}/backups\"", new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = Fill("postgres://postgres:{password-encoded}@127.0.0.1:{port}/{db}?sslmode=verify-ca&sslrootcert={root}", database),
            ["HOME"] = home,
        });
        Assert.True(exit == 0, output);
        Assert.Single(Directory.GetFiles(Path.Combine(home, "backups"), "*.sql"));
        Directory.Delete(home, true);
    }

    [Theory]
    [InlineData("postgres://postgres:{password-encoded}@127.0.0.1:{port}/{db}?sslmode=verify-ca&sslrootcert={other-root}")]
    [InlineData("host=127.0.0.1 port={port} dbname={db} user=postgres password='{password}' sslmode=verify-full sslrootcert={other-root}")]
    public void A_refused_server_certificate_says_why(string form)
    {
        var database = tls.CreateDatabase();
        using var folder = MigrationsFolder.ForDatabase();
        var (exit, output) = CliProcess.Run($"status --dir \"{folder.Directory}\"", new Dictionary<string, string?> { ["DATABASE_URL"] = Fill(form, database) });
        Assert.Equal(1, exit);
        Assert.Contains("error SBM4003", output, StringComparison.Ordinal);
        Assert.Contains("certificate", output, StringComparison.Ordinal);
        Assert.True(output.Contains(Server.UnrelatedRootCertificatePath!, StringComparison.Ordinal), output);
        Assert.Contains(Server.UnrelatedRootCertificatePath!, output, StringComparison.Ordinal);
        Assert.DoesNotContain("RemoteCertificateValidationCallback", output, StringComparison.Ordinal);
        Assert.DoesNotContain(LocalPostgresServer.Password, output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_root_certificate_file_is_named()
    {
        var database = tls.CreateDatabase();
        using var folder = MigrationsFolder.ForDatabase();
        var missing = Path.Combine(Server.Directory, "no-such-root.crt");
        var (exit, output) = CliProcess.Run($"status --dir \"{folder.Directory}\"", new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = Fill("postgres://postgres:{password-encoded}@127.0.0.1:{port}/{db}?sslmode=verify-ca&sslrootcert=" + missing, database),
        });
        Assert.Equal(1, exit);
        Assert.Contains("error SBM4003", output, StringComparison.Ordinal);
        Assert.True(output.Contains(missing, StringComparison.Ordinal), output);
    }

    private string Fill(string form, string database) => form
        .Replace("{port}", Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{db}", database, StringComparison.Ordinal)
        .Replace("{socket}", Server.SocketDirectory, StringComparison.Ordinal)
        .Replace("{password-encoded}", Uri.EscapeDataString(LocalPostgresServer.Password), StringComparison.Ordinal)
        .Replace("{password}", LocalPostgresServer.Password, StringComparison.Ordinal)
        .Replace("{other-root}", Server.UnrelatedRootCertificatePath!, StringComparison.Ordinal)
        .Replace("{root}", Server.RootCertificatePath!, StringComparison.Ordinal);
}
