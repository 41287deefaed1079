using System.Net.Sockets;
using System.Security.Authentication;
using Npgsql;

namespace StreamBot.Migrations.Postgres.Connection;

/// <summary>
/// What went wrong with a connection or a statement, in words a person deploying can act on. Driver texts such as
/// "Exception while reading from stream" say where the driver was, not why; this says why, as psql would.
/// </summary>
internal static class ConnectionFailure
{
    /// <summary>The reason, without a final full stop, so that callers can embed it in a sentence.</summary>
    public static string Reason(Exception e, ConnectionSettings? settings = null) => (e switch
    {
        PostgresException p => $"{p.MessageText.TrimEnd('.')} (SQLSTATE {p.SqlState})",
        // .NET says only that its validation callback refused the certificate; say what was checked.
        NpgsqlException { InnerException: AuthenticationException } when settings?.SslMode is "verify-ca" or "verify-full" =>
            $"the server's TLS certificate failed verification (sslmode={settings.SslMode}): it does not chain to a CA in " +
            $"{settings.RootCertificate ?? "~/.postgresql/root.crt"}, or it has expired" +
            (settings.SslMode == "verify-full" ? $", or it does not name the host {settings.Host}" : string.Empty),
        NpgsqlException { InnerException: AuthenticationException a } => $"the TLS handshake failed ({a.Message.TrimEnd('.')})",
        NpgsqlException { InnerException: SocketException s } => s.Message,
        NpgsqlException { InnerException: TimeoutException } => "the connection timed out",
        // A certificate or key file named in the connection string (sslrootcert, sslcert, sslkey).
        NpgsqlException { InnerException: FileNotFoundException f } => $"the file {f.FileName} does not exist",
        NpgsqlException { InnerException: DirectoryNotFoundException or UnauthorizedAccessException } inaccessible => inaccessible.InnerException!.Message,
        NpgsqlException { InnerException: EndOfStreamException or IOException } =>
            "the server closed the connection: it stopped, crashed or restarted, or the network between here and it dropped",
        NpgsqlException { InnerException: { } inner } => inner.Message,
        _ => e.Message,
    }).TrimEnd().TrimEnd('.');
}
