using System.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Postgres.Backup;

/// <summary>
/// libpq reads a client key's passphrase (sslpassword) only from a connection string or a service file; it has no
/// environment variable, and a command line is visible to every user of the machine. So when the connection has one,
/// pg_dump gets a service file of its own, readable by this user only, deleted as soon as pg_dump is done.
/// </summary>
internal sealed class SslPasswordServiceFile : IDisposable
{
    private const string ServiceName = "streambot_migrate";

    private readonly string _directory;

    private SslPasswordServiceFile(string directory) => _directory = directory;

    public static SslPasswordServiceFile? For(ConnectionSettings settings, ProcessStartInfo pgDump)
    {
        if (settings.SslPassword is not { } passphrase)
        {
            return null;
        }

        // A service file value runs to the end of its line.
        if (passphrase.Contains('\n', StringComparison.Ordinal) || passphrase.Contains('\r', StringComparison.Ordinal))
        {
            throw new MigrationException(Diagnostics.ConnectionDiagnostics.SslPasswordWithLineBreak());
        }

        var directory = Directory.CreateTempSubdirectory("streambot-pgdump-").FullName;
        var path = Path.Combine(directory, "pg_service.conf");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, System.Text.Encoding.UTF8, options))
        {
            writer.Write($"[{ServiceName}]\nsslpassword={passphrase}\n");
        }

        pgDump.Environment["PGSERVICEFILE"] = path;
        pgDump.Environment["PGSERVICE"] = ServiceName;
        return new SslPasswordServiceFile(directory);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
