using Npgsql;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Diagnostics;

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
            throw new MigrationException(ConnectionDiagnostics.ReadOnlyServer(settings.Describe(), command, standby));
        }
    }
}
