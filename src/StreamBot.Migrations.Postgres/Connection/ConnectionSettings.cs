using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Connection;

/// <summary>
/// Where the migrations go: parsed from a <c>postgres://</c> URI or an Npgsql keyword string. Knows its password
/// only to hand it to Npgsql and to pg_dump's environment; <see cref="Describe"/> and every message leave it out.
/// </summary>
public sealed class ConnectionSettings
{
    /// <summary>Environment variable the MSBuild targets use to hand a connection string to the CLI.</summary>
    public const string HandOffVariable = "STREAMBOT_MIGRATIONS_CONNECTION";

    /// <summary>The conventional variable, as in the runbook (<c>psql $DATABASE_URL</c>).</summary>
    public const string DatabaseUrlVariable = "DATABASE_URL";

    private static readonly Dictionary<string, string> UriParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sslmode"] = "SSL Mode",
        ["application_name"] = "Application Name",
        ["connect_timeout"] = "Timeout",
        ["options"] = "Options",
        ["target_session_attrs"] = "Target Session Attributes",
        ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["search_path"] = "Search Path",
    };

    private ConnectionSettings(NpgsqlConnectionStringBuilder builder) => Builder = builder;

    internal NpgsqlConnectionStringBuilder Builder { get; }

    /// <summary>Host (or socket directory).</summary>
    public string Host => Builder.Host ?? "localhost";

    /// <summary>TCP port.</summary>
    public int Port => Builder.Port;

    /// <summary>Database name.</summary>
    public string Database => Builder.Database ?? Builder.Username ?? "postgres";

    /// <summary>User name, if given.</summary>
    public string? Username => Builder.Username;

    internal string? Password => Builder.Password;

    /// <summary>"host:port/database as user", never with the password.</summary>
    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}/{Database}") + (Username is null ? string.Empty : $" as {Username}");

    /// <summary>Removes the password from a text that might quote it (an exception message, say).</summary>
    public string Redact(string text) => RedactSecret(text, Password);

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
            problem = DiagnosticCatalog.NoConnection.AtFile("streambot-migrate",
                "No database connection is configured.",
                "Set DATABASE_URL=postgres://user:password@host:5432/database (preferred: environment variables stay out of build logs), or pass --connection / -p:MigrationsConnectionString.");
            return null;
        }

        return Parse(value, source, out problem);
    }

    /// <summary>Parses a URI or keyword connection string.</summary>
    public static ConnectionSettings? Parse(string value, string source, out Diagnostic? problem)
    {
        problem = null;
        var trimmed = value.Trim();
        try
        {
            var builder = trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
                ? FromUri(trimmed)
                : new NpgsqlConnectionStringBuilder(trimmed);
            if (string.IsNullOrEmpty(builder.Host))
            {
                throw new FormatException("it names no host");
            }

            return new ConnectionSettings(builder);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or UriFormatException or KeyNotFoundException)
        {
            problem = DiagnosticCatalog.MalformedConnection.AtFile("streambot-migrate",
                $"{source} is not a valid PostgreSQL connection string: {RedactSecret(e.Message, GuessPassword(trimmed))}.",
                "Use postgres://user:password@host:5432/database?sslmode=require or Host=...;Port=5432;Database=...;Username=...;Password=...");
            return null;
        }
    }

    private static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        var uri = new Uri(text);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
        };

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            if (!UriParameters.TryGetValue(key, out var keyword))
            {
                throw new FormatException($"the URI parameter '{key}' is not supported (known: {string.Join(", ", UriParameters.Keys)})");
            }

            builder[keyword] = keyword == "SSL Mode" ? NormalizeSslMode(value) : value;
        }

        return builder;
    }

    // libpq spells modes in lower case with dashes (verify-full); Npgsql wants VerifyFull.
    private static string NormalizeSslMode(string value) =>
        string.Concat(value.Split('-').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));

    private static string? GuessPassword(string text)
    {
        var uriPassword = System.Text.RegularExpressions.Regex.Match(text, "^[a-z]+://[^:/@]*:([^@]*)@", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        if (uriPassword.Success)
        {
            return uriPassword.Groups[1].Value;
        }

        var keyword = System.Text.RegularExpressions.Regex.Match(text, "(?:password|pwd)\\s*=\\s*([^;]*)", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return keyword.Success ? keyword.Groups[1].Value.Trim() : null;
    }

    /// <summary>The connection string for Npgsql, with an application name that identifies the tool in pg_stat_activity.</summary>
    internal string ToNpgsql(string applicationName)
    {
        var copy = new NpgsqlConnectionStringBuilder(Builder.ConnectionString)
        {
            ApplicationName = Builder.ApplicationName ?? applicationName,
            // Migrations can run long; the statement timeout is the server's business, not the driver's.
            CommandTimeout = 0,
            Pooling = false,
        };
        if (Builder.Timeout == 15)
        {
            copy.Timeout = 10;
        }

        return copy.ConnectionString;
    }

    /// <summary>libpq environment for child processes (pg_dump): the password travels here, never on a command line.</summary>
    internal IReadOnlyDictionary<string, string?> LibpqEnvironment()
    {
        var environment = new Dictionary<string, string?>
        {
            ["PGHOST"] = Host,
            ["PGPORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["PGDATABASE"] = Database,
            ["PGUSER"] = Username,
            ["PGPASSWORD"] = Password,
            ["PGCONNECT_TIMEOUT"] = "10",
        };
        if (Builder.SslMode != SslMode.Prefer)
        {
            environment["PGSSLMODE"] = Builder.SslMode switch
            {
                SslMode.VerifyCA => "verify-ca",
                SslMode.VerifyFull => "verify-full",
                var mode => mode.ToString().ToLowerInvariant(),
            };
        }

        return environment;
    }
}
