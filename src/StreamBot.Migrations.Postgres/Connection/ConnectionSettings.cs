using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Postgres.Connection;

/// <summary>
/// Where the migrations go, from any of the three forms users write: libpq's <c>postgres://</c> URI, libpq's
/// <c>host=... dbname=...</c> keyword/value list, or Npgsql's <c>Host=...;Database=...</c>. All three are read into
/// libpq keywords (<see cref="LibpqKeyword"/>), from which both the tool's own Npgsql connection and pg_dump's
/// environment are built, so a setting reaches both or is refused. The raw text is never kept: messages are built
/// from parsed values (host, port, database, user), and <see cref="Describe"/> and every message leave the password out.
/// </summary>
public sealed class ConnectionSettings
{
    /// <summary>Environment variable the MSBuild targets use to hand a connection string to the CLI.</summary>
    public const string HandOffVariable = "STREAMBOT_MIGRATIONS_CONNECTION";

    /// <summary>The conventional variable, as in the runbook (<c>psql $DATABASE_URL</c>).</summary>
    public const string DatabaseUrlVariable = "DATABASE_URL";

    private const string Forms = "Use postgres://user:password@host:5432/database?sslmode=require, host=... port=5432 dbname=... user=... (libpq), or Host=...;Port=5432;Database=...;Username=... (Npgsql).";

    // libpq keyword -> value, after validation; the host is always set.
    private readonly Dictionary<string, string> _libpq;

    // Npgsql settings with no libpq counterpart (Search Path, Include Error Detail, ...): the tool's connection only.
    private readonly Dictionary<string, object> _npgsqlOnly;

    private ConnectionSettings(Dictionary<string, string> libpq, Dictionary<string, object> npgsqlOnly)
    {
        _libpq = libpq;
        _npgsqlOnly = npgsqlOnly;
    }

    /// <summary>The same server, role and options, another database (a rehearsal's scratch database).</summary>
    public ConnectionSettings WithDatabase(string database) =>
        new(new Dictionary<string, string>(_libpq) { [LibpqKeyword.DatabaseName.Name] = database }, _npgsqlOnly);

    /// <summary>Host name, IP address, or the directory of a Unix socket.</summary>
    public string Host => _libpq[LibpqKeyword.Host.Name];

    /// <summary>TCP port (also the number in a Unix socket's file name).</summary>
    public int Port => int.Parse(_libpq.GetValueOrDefault(LibpqKeyword.Port.Name, "5432"), CultureInfo.InvariantCulture);

    /// <summary>Database name (libpq's default: the user name).</summary>
    public string Database => _libpq.GetValueOrDefault(LibpqKeyword.DatabaseName.Name) ?? Username ?? Environment.UserName;

    /// <summary>User name, if given.</summary>
    public string? Username => _libpq.GetValueOrDefault(LibpqKeyword.User.Name);

    /// <summary>Whether <see cref="Host"/> is a Unix socket directory.</summary>
    public bool IsUnixSocket => Host.StartsWith('/');

    internal string? Password => _libpq.GetValueOrDefault(LibpqKeyword.Password.Name);

    /// <summary>libpq's sslmode (prefer when not given).</summary>
    internal string SslMode => _libpq.GetValueOrDefault(LibpqKeyword.SslMode.Name) ?? "prefer";

    /// <summary>The CA file that verify-ca and verify-full check the server against, if given.</summary>
    internal string? RootCertificate => _libpq.GetValueOrDefault("sslrootcert");

    /// <summary>A key's passphrase, which libpq only reads from a connection string or a service file.</summary>
    internal string? SslPassword => _libpq.GetValueOrDefault(LibpqKeyword.SslPassword.Name);

    /// <summary>"host:port/database as user" (the socket directory for a socket), never with the password.</summary>
    public string Describe()
    {
        var host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return string.Create(CultureInfo.InvariantCulture, $"{host}:{Port}/{Database}") + (Username is null ? string.Empty : $" as {Username}");
    }

    /// <summary>Removes the passwords from a text that might quote them (an exception message, say).</summary>
    public string Redact(string text) => RedactSecret(RedactSecret(text, Password), SslPassword);

    internal static string RedactSecret(string text, string? secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, "********", StringComparison.Ordinal);

    /// <summary>
    /// The explicit value if given, else <see cref="HandOffVariable"/>, else <see cref="DatabaseUrlVariable"/>.
    /// Returns null with a diagnostic when none is set or the value cannot be parsed.
    /// </summary>
    public static ConnectionSettings? Resolve(string? explicitValue, Func<string, string?> environment, out Diagnostic? problem)
    {
        var (value, source) = !string.IsNullOrWhiteSpace(explicitValue)
            ? (explicitValue, "the connection string")
            : !string.IsNullOrWhiteSpace(environment(HandOffVariable))
                ? (environment(HandOffVariable)!, "MigrationsConnectionString")
                : (environment(DatabaseUrlVariable), DatabaseUrlVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            problem = ConnectionDiagnostics.NoConnection();
            return null;
        }

        return Parse(value, source, out problem);
    }

    /// <summary>Parses a libpq URI, a libpq keyword/value list or an Npgsql keyword string.</summary>
    public static ConnectionSettings? Parse(string value, string source, out Diagnostic? problem)
    {
        problem = null;
        var text = value.Trim();
        try
        {
            if (LibpqSyntax.IsUri(text))
            {
                return FromLibpq(LibpqSyntax.ParseUri(text), "URI parameter");
            }

            // A ';' marks Npgsql's form; libpq's form separates settings with white space. Either may be mistaken
            // for the other (a libpq password may hold a ';', a lone Npgsql "Host=db" has no ';'), so the other form is
            // tried before giving up, and the error shown is the likelier form's.
            var npgsqlFirst = text.Contains(';', StringComparison.Ordinal);
            try
            {
                return npgsqlFirst ? FromNpgsql(text) : FromLibpq(LibpqSyntax.ParseKeywordValue(text), "setting");
            }
            catch (ConnectionFormatException) when (TryOtherForm(text, npgsqlFirst) is { } other)
            {
                return other;
            }
        }
        catch (ConnectionFormatException e)
        {
            // By construction the message holds no text of the connection string: see LibpqSyntax and FromNpgsql.
            problem = ConnectionDiagnostics.MalformedConnection(source, e.Message, Forms);
            return null;
        }
    }

    private static ConnectionSettings? TryOtherForm(string text, bool npgsqlWasFirst)
    {
        try
        {
            return npgsqlWasFirst ? FromLibpq(LibpqSyntax.ParseKeywordValue(text), "setting") : FromNpgsql(text);
        }
        catch (ConnectionFormatException)
        {
            return null;
        }
    }

    private static ConnectionSettings FromLibpq(List<(string Key, string Value)> pairs, string what)
    {
        var libpq = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Count; i++)
        {
            var (key, value) = pairs[i];
            if (LibpqKeyword.Find(key) is not { } keyword)
            {
                throw new ConnectionFormatException(LibpqKeyword.Unsupported.Contains(key)
                    ? $"libpq's {key} is not supported (the tool's own connection could not honour it); remove it"
                    : $"{what} {i + 1} is not a libpq connection keyword (known: {string.Join(", ", LibpqKeyword.All.Select(k => k.Name))})");
            }

            // As in libpq, a later setting of the same keyword wins (a URI's query parameters override its host part).
            libpq[keyword.Name] = value;
        }

        return Validated(libpq, new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase));
    }

    private static ConnectionSettings FromNpgsql(string text)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            // Npgsql's own message quotes the offending keyword or value, which may be the password: not used.
            throw new ConnectionFormatException("it is not Key=Value;... with keywords Npgsql knows and values of the right type");
        }

        var libpq = new Dictionary<string, string>(StringComparer.Ordinal);
        var npgsqlOnly = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, object?> setting in builder)
        {
            if (setting.Value is null)
            {
                continue;
            }

            if (LibpqKeyword.FromNpgsql(setting.Key) is { } keyword)
            {
                libpq[keyword.Name] = keyword.FromNpgsqlValue(setting.Value);
            }
            else
            {
                npgsqlOnly[setting.Key] = setting.Value;
            }
        }

        return Validated(libpq, npgsqlOnly);
    }

    private static ConnectionSettings Validated(Dictionary<string, string> libpq, Dictionary<string, object> npgsqlOnly)
    {
        foreach (var (name, value) in libpq)
        {
            var keyword = LibpqKeyword.Find(name)!;
            if (keyword.Allowed is { } allowed && !allowed.Contains(value, StringComparer.Ordinal))
            {
                throw new ConnectionFormatException($"{name} must be one of {string.Join(", ", allowed)}");
            }
        }

        if (libpq.TryGetValue(LibpqKeyword.Port.Name, out var port) && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535))
        {
            throw new ConnectionFormatException(port.Contains(',', StringComparison.Ordinal)
                ? "it names several ports; this tool connects to one host"
                : "the port is not a number from 1 to 65535");
        }

        if (libpq.TryGetValue(LibpqKeyword.ConnectTimeout.Name, out var timeout) && !int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new ConnectionFormatException("connect_timeout is not a whole number of seconds");
        }

        libpq[LibpqKeyword.Host.Name] = CheckedHost(libpq.GetValueOrDefault(LibpqKeyword.Host.Name));
        var settings = new ConnectionSettings(libpq, npgsqlOnly);
        try
        {
            _ = settings.ToNpgsql("check");
        }
        catch (ArgumentException)
        {
            throw new ConnectionFormatException("Npgsql refuses one of its values");
        }

        return settings;
    }

    /// <summary>
    /// A host name, an IP address, or an absolute socket directory; nothing else goes to name resolution. Without a
    /// host, libpq's default on Debian and most Linux packages: the socket directory /var/run/postgresql.
    /// </summary>
    private static string CheckedHost(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return Directory.Exists("/var/run/postgresql") ? "/var/run/postgresql" : "localhost";
        }

        if (host.Contains(',', StringComparison.Ordinal))
        {
            throw new ConnectionFormatException("it names several hosts; this tool connects to one (name the primary)");
        }

        var valid = host.StartsWith('/')
            ? !host.Any(char.IsControl)
            : host.Length <= 253 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':' or '%');
        return valid ? host : throw new ConnectionFormatException("the host is not a host name (at most 253 characters), an IP address or an absolute socket directory");
    }

    /// <summary>The connection string for Npgsql, with an application name that identifies the tool in pg_stat_activity.</summary>
    internal string ToNpgsql(string applicationName)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        foreach (var (name, value) in _libpq)
        {
            var keyword = LibpqKeyword.Find(name)!;
            builder[keyword.NpgsqlKey] = keyword.ToNpgsqlValue(value);
        }

        foreach (var (key, value) in _npgsqlOnly)
        {
            builder[key] = value;
        }

        builder.ApplicationName ??= applicationName;
        // Migrations can run long; the statement timeout is the server's business, not the driver's.
        builder.CommandTimeout = 0;
        builder.Pooling = false;
        if (!_libpq.ContainsKey(LibpqKeyword.ConnectTimeout.Name))
        {
            builder.Timeout = 10;
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// libpq environment for child processes (pg_dump): every setting the connection has, the password included,
    /// so none travels on a command line. <see cref="SslPassword"/> has no variable; see <see cref="Backup.PgDumpBackup"/>.
    /// </summary>
    internal IReadOnlyDictionary<string, string?> LibpqEnvironment()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [LibpqKeyword.ConnectTimeout.Variable!] = "10",
            [LibpqKeyword.DatabaseName.Variable!] = Database,
            // Explicit, so that a PGPORT in the caller's environment cannot send pg_dump to another server.
            [LibpqKeyword.Port.Variable!] = Port.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in _libpq)
        {
            if (LibpqKeyword.Find(name)!.Variable is { } variable)
            {
                environment[variable] = value;
            }
        }

        return environment;
    }
}
