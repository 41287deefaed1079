using Npgsql;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Postgres.Connection;

/// <summary>
/// Tells a direct (or session-pooled) connection from one behind a pooler in transaction or statement mode, before
/// any lock is taken. The migration lock is a session advisory lock: through a transaction-mode pooler it would be
/// taken in whichever server session the pooler lent for that one transaction, stay there after the run, and block
/// every later run (on the direct URL too) until the pooler recycles that server connection.
/// </summary>
internal static class PoolerCheck
{
    private const string Marker = "streambot.session_probe";

    /// <summary>
    /// The server pid behind <paramref name="connection"/> (through a session-mode pooler, not the one the pooler
    /// announced at start-up); throws SBM4034 when its transactions do not all run in one server session.
    /// </summary>
    public static async Task<int> RefuseIfPooledAsync(NpgsqlConnection connection, ConnectionSettings settings, CancellationToken cancellation)
    {
        var token = Guid.NewGuid().ToString("N");
        // A session setting made in one transaction: a real session keeps it, a pooled one may lend its server session
        // (and the setting) to another client, or give this client another server session next time.
        var (firstPid, _) = await ProbeAsync(connection, $"SELECT pg_backend_pid(), set_config('{Marker}', $1, false)", token).ConfigureAwait(false);
        string? evidence = null;
        // Each round pins two server sessions, then frees them in order: a real session gets its own back, while a
        // transaction-mode pooler hands out the one freed last (its idle list is last in, first out), which is the
        // other connection's. A pooler announces a pid of its own at start-up; then the round is repeated, because
        // under load another client may take the freed server session first and hide the switch once.
        var rounds = connection.ProcessID == firstPid ? 1 : 5;
        await using (var other = await Database.OpenAsync(settings, "lock", cancellation).ConfigureAwait(false))
        {
            for (var round = 0; round < rounds && evidence is null; round++)
            {
                try
                {
                    int otherPid;
                    string? otherSees;
                    await using (var mine = await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false))
                    {
                        await using var theirs = await other.BeginTransactionAsync(cancellation).ConfigureAwait(false);
                        (otherPid, otherSees) = await ProbeAsync(other, $"SELECT pg_backend_pid(), current_setting('{Marker}', true)", null).ConfigureAwait(false);
                        await ProbeAsync(connection, $"SELECT pg_backend_pid(), current_setting('{Marker}', true)", null).ConfigureAwait(false);
                        await mine.CommitAsync(cancellation).ConfigureAwait(false);
                        await theirs.CommitAsync(cancellation).ConfigureAwait(false);
                    }

                    var (againPid, againSees) = await ProbeAsync(connection, $"SELECT pg_backend_pid(), current_setting('{Marker}', true)", null).ConfigureAwait(false);
                    if (otherPid == firstPid || otherSees == token)
                    {
                        evidence = $"another connection's transaction ran in this connection's server session (pid {firstPid})";
                    }
                    else if (againPid != firstPid || againSees != token)
                    {
                        evidence = $"two transactions on one connection ran in server sessions pid {firstPid} and pid {againPid}";
                    }
                }
                catch (PostgresException e)
                {
                    evidence = $"it refused a transaction block ({e.MessageText})";
                }
            }
        }

        if (evidence is not null)
        {
            throw new MigrationException(ConnectionDiagnostics.PooledConnection(settings.Describe(), evidence));
        }

        await ProbeAsync(connection, $"SELECT pg_backend_pid(), set_config('{Marker}', '', false)", null).ConfigureAwait(false);
        return firstPid;
    }

    private static async Task<(int Pid, string? Value)> ProbeAsync(NpgsqlConnection connection, string sql, string? parameter)
    {
        await using var command = parameter is null ? Database.Command(connection, sql) : Database.Command(connection, sql, parameter);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        await reader.ReadAsync().ConfigureAwait(false);
        return (reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }
}
