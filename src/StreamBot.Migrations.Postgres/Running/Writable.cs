using Npgsql;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// Refuses a run against a server that cannot take writes before anything is locked or backed up, with the reason,
/// instead of letting the first CREATE TABLE fail with a bare "cannot execute in a read-only transaction".
/// </summary>
internal static class Writable
{
    public static async Task CheckAsync(NpgsqlConnection connection, ConnectionSettings settings, string command)
    {
        await using var query = Database.Command(connection, "SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on'");
        await using var reader = await query.ExecuteReaderAsync().ConfigureAwait(false);
        await reader.ReadAsync().ConfigureAwait(false);
        var (standby, readOnly) = (reader.GetBoolean(0), reader.GetBoolean(1));
        if (standby || readOnly)
        {
            throw new MigrationException(DiagnosticCatalog.ReadOnlyServer.AtFile("streambot-migrate",
                standby
                    ? $"{settings.Describe()} is a standby (in recovery): it cannot take writes, so {command} changed nothing."
                    : $"{settings.Describe()} is read-only for this session (default_transaction_read_only is on for the server, the database or the role), so {command} changed nothing.",
                standby
                    ? "Point the connection at the primary (with several hosts, libpq's target_session_attrs=read-write picks it)."
                    : "Connect as a role or to a database where default_transaction_read_only is off (SHOW default_transaction_read_only)."));
        }
    }
}
