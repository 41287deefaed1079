namespace StreamBot.Migrations.Postgres.Connection;

/// <summary>
/// One libpq connection keyword this tool understands: what Npgsql calls it (for the tool's own connection) and
/// which environment variable hands it to pg_dump. One table, so that a setting either reaches both or is refused.
/// </summary>
/// <param name="Name">libpq's keyword, as in a URI parameter or a key=value string.</param>
/// <param name="NpgsqlKey">Npgsql's canonical keyword.</param>
/// <param name="Variable">libpq's environment variable, or null where libpq has none (pg_dump gets it from a service file).</param>
/// <param name="Allowed">The values libpq accepts, when it is a closed set; null for free text.</param>
internal sealed record LibpqKeyword(string Name, string NpgsqlKey, string? Variable, string[]? Allowed = null)
{
    public static readonly LibpqKeyword Host = new("host", "Host", "PGHOST");
    public static readonly LibpqKeyword Port = new("port", "Port", "PGPORT");
    public static readonly LibpqKeyword DatabaseName = new("dbname", "Database", "PGDATABASE");
    public static readonly LibpqKeyword User = new("user", "Username", "PGUSER");
    public static readonly LibpqKeyword Password = new("password", "Password", "PGPASSWORD");
    public static readonly LibpqKeyword SslMode = new("sslmode", "SSL Mode", "PGSSLMODE", ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]);
    public static readonly LibpqKeyword SslPassword = new("sslpassword", "SSL Password", null);
    public static readonly LibpqKeyword ConnectTimeout = new("connect_timeout", "Timeout", "PGCONNECT_TIMEOUT");

    /// <summary>Every keyword that reaches both Npgsql and pg_dump.</summary>
    public static IReadOnlyList<LibpqKeyword> All { get; } =
    [
        Host, Port, DatabaseName, User, Password,
        new("passfile", "Passfile", "PGPASSFILE"),
        SslMode,
        new("sslrootcert", "Root Certificate", "PGSSLROOTCERT"),
        new("sslcert", "SSL Certificate", "PGSSLCERT"),
        new("sslkey", "SSL Key", "PGSSLKEY"),
        SslPassword,
        new("application_name", "Application Name", "PGAPPNAME"),
        ConnectTimeout,
        new("options", "Options", "PGOPTIONS"),
        new("target_session_attrs", "Target Session Attributes", "PGTARGETSESSIONATTRS", ["any", "read-write", "read-only", "primary", "standby", "prefer-standby"]),
        new("client_encoding", "Client Encoding", "PGCLIENTENCODING"),
        new("krbsrvname", "Kerberos Service Name", "PGKRBSRVNAME"),
        new("channel_binding", "Channel Binding", "PGCHANNELBINDING", ["disable", "prefer", "require"]),
        new("gssencmode", "GSS Encryption Mode", "PGGSSENCMODE", ["disable", "prefer", "require"]),
    ];

    /// <summary>
    /// libpq keywords that Npgsql has no setting for. Accepting them would mean the tool's own connection silently
    /// ignores them, so they are refused by name.
    /// </summary>
    public static IReadOnlySet<string> Unsupported { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "hostaddr", "service", "sslcrl", "sslcrldir", "sslsni", "sslcompression", "sslnegotiation", "requirepeer",
        "require_auth", "ssl_min_protocol_version", "ssl_max_protocol_version", "keepalives", "keepalives_idle",
        "keepalives_interval", "keepalives_count", "tcp_user_timeout", "replication", "load_balance_hosts",
        "gsslib", "gssdelegation", "fallback_application_name", "requiressl",
    };

    private static readonly Dictionary<string, LibpqKeyword> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);
    private static readonly Dictionary<string, LibpqKeyword> ByNpgsqlKey = All.ToDictionary(k => k.NpgsqlKey, StringComparer.OrdinalIgnoreCase);

    public static LibpqKeyword? Find(string name) => ByName.GetValueOrDefault(name);

    public static LibpqKeyword? FromNpgsql(string npgsqlKey) => ByNpgsqlKey.GetValueOrDefault(npgsqlKey);

    /// <summary>libpq spells enumerations in lower case with dashes (verify-full); Npgsql's enums drop the dashes.</summary>
    public string ToNpgsqlValue(string value) => Allowed is null || NpgsqlKey == "Target Session Attributes" ? value : value.Replace("-", string.Empty, StringComparison.Ordinal);

    /// <summary>The libpq spelling of a value Npgsql holds (its enums print as VerifyCA, VerifyFull, Require, ...).</summary>
    public string FromNpgsqlValue(object value)
    {
        var text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        return Allowed?.FirstOrDefault(a => string.Equals(a.Replace("-", string.Empty, StringComparison.Ordinal), text.Replace("-", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase)) ?? text;
    }
}
