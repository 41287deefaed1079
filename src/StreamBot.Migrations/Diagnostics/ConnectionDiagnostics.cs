namespace StreamBot.Migrations.Diagnostics;

/// <summary>
/// The messages of the SBM4xxx codes about reaching the server and holding the migration lock. Every text given here
/// has already been through the connection's redaction: these builders never see a connection string.
/// </summary>
internal static class ConnectionDiagnostics
{
    /// <summary>Where a diagnostic about the run as a whole (not one file) points.</summary>
    public const string Tool = "streambot-migrate";

    public static Diagnostic NoConnection() =>
        DiagnosticCatalog.NoConnection.AtFile(Tool,
            "No database connection is configured.",
            "Set DATABASE_URL=postgres://user:password@host:5432/database (preferred: environment variables stay out of build logs), or pass --connection / -p:MigrationsConnectionString.");

    public static Diagnostic MalformedConnection(string source, string problem, string forms) =>
        DiagnosticCatalog.MalformedConnection.AtFile(Tool, $"{source} is not a valid PostgreSQL connection string: {problem}.", forms);

    public static Diagnostic SslPasswordWithLineBreak() =>
        DiagnosticCatalog.MalformedConnection.AtFile(Tool,
            "sslpassword holds a line break, which pg_dump cannot be given; nothing was applied.",
            "Use a passphrase without line breaks, or a client key without one.");

    public static Diagnostic CannotConnect(string server, string reason, string hint) =>
        DiagnosticCatalog.CannotConnect.AtFile(Tool, $"Cannot connect to PostgreSQL at {server}: {reason}.", hint);

    public static Diagnostic ReadOnlyServer(string server, string command, bool standby) =>
        DiagnosticCatalog.ReadOnlyServer.AtFile(Tool,
            standby
                ? $"{server} is a standby (in recovery): it cannot take writes, so {command} changed nothing."
                : $"{server} is read-only for this session (default_transaction_read_only is on for the server, the database or the role), so {command} changed nothing.",
            standby
                ? "Point the connection at the primary (with several hosts, libpq's target_session_attrs=read-write picks it)."
                : "Connect as a role or to a database where default_transaction_read_only is off (SHOW default_transaction_read_only).");

    /// <summary>A database error no step anticipated, by its SQLSTATE (null when the session itself failed).</summary>
    public static Diagnostic DatabaseError(string command, string server, string reason, string? sqlState, string outcome) =>
        (sqlState == "25006" ? DiagnosticCatalog.ReadOnlyServer : DiagnosticCatalog.DatabaseError).AtFile(Tool,
            $"{command} stopped on a database error at {server}: {reason}. {outcome}",
            sqlState switch
            {
                "25006" => "Point the connection at the primary (libpq's target_session_attrs=read-write picks it among several hosts).",
                "42501" => "Grant the role what the README's \"Database roles\" section lists, or run as the owner of the tables.",
                null => "Find out why (the server log: a restart, a crash, a failover), then run again once the server answers.",
                _ => "Check the server log for the statement and its cause, fix it, and run again.",
            });

    public static Diagnostic LockTimeout(TimeSpan waited, string? holder) =>
        DiagnosticCatalog.LockTimeout.AtFile(Tool,
            $"Gave up waiting for the migration lock after {waited.TotalSeconds:0} s; it is held by {holder ?? "another session (no migration_lock row yet)"}.",
            "Wait for that run to finish and try again. If its process is gone, the lock frees itself; 'DELETE FROM migration_lock WHERE lock_id = 1' clears a row left by an older tool.");

    public static Diagnostic StaleLockTaken(string holder) =>
        DiagnosticCatalog.StaleLockTaken.AtFile(Tool,
            $"Taking over the migration lock from {holder}: its holder is gone.",
            "This run goes on. If that run was interrupted, status shows what it applied; a migration it left half-way is reported as interrupted.");

    public static Diagnostic PooledConnection(string endpoint, string evidence) =>
        DiagnosticCatalog.PooledConnection.AtFile(Tool,
            $"{endpoint} hands out a different server session per transaction (a pooler in transaction or statement mode: PgBouncer, Supavisor, RDS Proxy): {evidence}. The migration lock is a session lock and would stay behind on a pooled server connection, so nothing was locked and nothing changed.",
            "Use the database's direct URL (or the pooler's session-mode port; at several hosts 5432 instead of 6543) for migrations, and keep the pooled URL for the bot.");

    public static Diagnostic LockLost(string file, string outcome) =>
        DiagnosticCatalog.LockLost.AtFile(file,
            $"The migration lock's database session ended during this run; another applier may have taken over, so the run stopped. {outcome} Migrations reported as applied before it stay applied.",
            "Find out why the session ended (pg_terminate_backend, failover, network), then run up again: it continues with what is pending.");

    public static Diagnostic LockTableUnusable(string problem) =>
        DiagnosticCatalog.JournalUnusable.AtFile(Tool,
            $"The migration_lock table has an unexpected shape ({problem}), so it cannot say who holds the lock. Nothing was changed.",
            "Drop it (DROP TABLE migration_lock) when no migration is running; it is recreated on the next run.");
}
