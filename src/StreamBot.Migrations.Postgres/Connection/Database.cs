using System.Net.Sockets;
using Npgsql;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Postgres.Connection;

/// <summary>Opens connections and turns connection failures into one coded error naming host, port and database.</summary>
internal static class Database
{
    static Database()
    {
        // Send SQL exactly as written: no rewriting of '@name' placeholders or splitting on ';'. Statements come
        // from our own splitter, and journal values go as positional $n parameters.
        AppContext.SetSwitch("Npgsql.EnableSqlRewriting", false);
    }

    /// <summary>Opens a connection with this tool's session settings.</summary>
    public static Task<NpgsqlConnection> OpenAsync(ConnectionSettings settings, string purpose, CancellationToken cancellation = default) =>
        OpenAsync(settings, purpose, durableCommits: false, cancellation);

    /// <summary>Opens a connection with this tool's session settings; <paramref name="durableCommits"/> for one that writes.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(ConnectionSettings settings, string purpose, bool durableCommits, CancellationToken cancellation)
    {
        var connection = new NpgsqlConnection(settings.ToNpgsql("streambot-migrate " + purpose));
        try
        {
            await connection.OpenAsync(cancellation).ConfigureAwait(false);
            await using var sessionSettings = new NpgsqlBatch(connection) { BatchCommands = { new("SELECT " + SettingExpressions(connection, durableCommits)) } };
            await sessionSettings.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);

            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or InvalidOperationException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new MigrationException(ConnectionDiagnostics.CannotConnect(settings.Describe(), settings.Redact(ConnectionFailure.Reason(e, settings)), Hint(e)));
        }
    }

    /// <summary>
    /// What returns a session to the state it had when it was opened, whatever a migration SET on it: RESET ALL (every
    /// setting to its value at connection), then select expressions that set the role back to the session's user and
    /// this tool's own settings again. A migration's batch puts the expressions in front of its own settings command;
    /// <see cref="ResetSessionAsync"/> sends both alone. Before each migration, rollback and rehearsal step, so each
    /// starts from the same state in up, down and the rehearsal, whatever ran before it.
    /// </summary>
    public static (NpgsqlBatchCommand Reset, string SettingExpressions) ResetSession(NpgsqlConnection connection, bool durableCommits) =>
        (new("RESET ALL"), "pg_catalog.set_config('role', 'none', false), " + SettingExpressions(connection, durableCommits));

    /// <summary>
    /// <see cref="ResetSession"/> in a round trip of its own (in <paramref name="transaction"/> when given), with
    /// <paramref name="then"/> after it in the same batch.
    /// </summary>
    public static async Task ResetSessionAsync(NpgsqlConnection connection, bool durableCommits, NpgsqlTransaction? transaction = null,
        NpgsqlBatchCommand? then = null, CancellationToken cancellation = default)
    {
        var (reset, settings) = ResetSession(connection, durableCommits);
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { reset, new("SELECT " + settings) } };
        if (then is not null)
        {
            batch.BatchCommands.Add(then);
        }

        await batch.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// For this tool's statements inside a migration's transaction (lock fence, journal and progress rows), after the
    /// migration's own statements: a search_path of pg_catalog only, no statement_timeout, the session's own role.
    /// A migration's <c>SET search_path</c>, <c>SET ROLE</c> or tiny statement_timeout cannot make them fail.
    /// </summary>
    public static NpgsqlBatchCommand OwnStatementSettings() => new(OwnStatementSettingsSql);

    /// <summary>The text of <see cref="OwnStatementSettings"/>, for a command that does more after it.</summary>
    public const string OwnStatementSettingsSql =
        "SELECT pg_catalog.set_config('search_path', 'pg_catalog', true), pg_catalog.set_config('statement_timeout', '0', true), pg_catalog.set_config('role', 'none', true)";

    // This tool's session settings, as select expressions. Keepalives: when the client's host vanishes without closing the socket
    // (power loss, a cut network), the server would keep this session, and the migration lock it may hold, for the OS
    // default of about two hours; idle + interval * count = 25 s instead. client_connection_check_interval (14+): if
    // this process dies mid-statement, the server notices within a second and rolls back, instead of finishing a long
    // statement for nobody while holding its locks.
    private static string SettingExpressions(NpgsqlConnection connection, bool durableCommits)
    {
        var sql = new System.Text.StringBuilder()
            .Append("pg_catalog.set_config('tcp_keepalives_idle', '10', false), pg_catalog.set_config('tcp_keepalives_interval', '5', false)")
            .Append(", pg_catalog.set_config('tcp_keepalives_count', '3', false)");
        if (connection.PostgreSqlVersion.Major >= 14)
        {
            sql.Append(", pg_catalog.set_config('client_connection_check_interval', '1000', false)");
        }

        if (durableCommits)
        {
            sql.Append(", ").Append(Running.Durability.Setting);
        }

        return sql.ToString();
    }

    private static string Hint(Exception e) => e switch
    {
        PostgresException { SqlState: "28P01" or "28000" } => "Check the user name and password (in DATABASE_URL, or PGPASSWORD / ~/.pgpass).",
        PostgresException { SqlState: "3D000" } => "Create the database first (createdb), or fix the database name in the connection string.",
        PostgresException { SqlState: "57P03" } => "The server is starting up or shutting down; try again once it accepts connections.",
        NpgsqlException { InnerException: System.Security.Authentication.AuthenticationException } =>
            "Point sslrootcert at the CA that signed the server's certificate (psql \"$DATABASE_URL\" shows the same check), or use sslmode=require to encrypt without verifying.",
        _ => "Check that the server is running and reachable from here, and that host, port and sslmode are right.",
    };

    /// <summary>The column names of <paramref name="quotedTable"/>; empty when there is no such table.</summary>
    public static async Task<HashSet<string>> ColumnsAsync(NpgsqlConnection connection, string quotedTable)
    {
        await using var command = Command(connection,
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped", quotedTable);
        var columns = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    /// <summary>
    /// The columns of each of <paramref name="quotedTables"/> in one query: an empty set for a table that does not exist
    /// (or sits in a schema that does not).
    /// </summary>
    public static async Task<Dictionary<string, HashSet<string>>> ColumnsAsync(NpgsqlConnection connection, string[] quotedTables, CancellationToken cancellation)
    {
        var columns = quotedTables.Distinct(StringComparer.Ordinal).ToDictionary(t => t, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        await using var command = Command(connection, """
            SELECT t.name, a.attname FROM unnest($1::text[]) AS t(name)
            JOIN pg_attribute a ON a.attrelid = to_regclass(t.name) AND a.attnum > 0 AND NOT a.attisdropped
            """, (object)columns.Keys.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            columns[reader.GetString(0)].Add(reader.GetString(1));
        }

        return columns;
    }

    /// <summary>The server pid of the session behind <paramref name="connection"/> (a pooler announces its own at start-up).</summary>
    public static async Task<int> BackendPidAsync(NpgsqlConnection connection)
    {
        await using var command = Command(connection, "SELECT pg_backend_pid()");
        return (int)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
