using StreamBot.Migrations.Diagnostics;
using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>A session that holds a lock on a table a migration needs, as pg_stat_activity shows it.</summary>
/// <param name="Pid">Its server process id (what pg_terminate_backend takes).</param>
/// <param name="User">Its role.</param>
/// <param name="ApplicationName">Its application_name, often the service or worker.</param>
/// <param name="State">active, idle in transaction, ...</param>
/// <param name="TransactionAge">How long its transaction has been open.</param>
/// <param name="Query">The start of its current or last query.</param>
/// <param name="Tables">The tables it holds locks on, with the modes.</param>
public sealed record BlockingSession(int Pid, string User, string ApplicationName, string State, TimeSpan TransactionAge, string Query, string Tables)
{
    /// <summary>One line, every field escaped so that a query's text cannot forge log lines.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"pid {Pid} (user {Printable.Of(User)}, application_name '{Printable.Of(ApplicationName)}', {Printable.Of(State)}, transaction open {TransactionAge.TotalSeconds:0.0} s, holds {Tables}, query: {Printable.Of(Query)})");

    /// <summary>The names of the tables it holds locks on (among those asked about).</summary>
    public IReadOnlyList<string> Relations { get; init; } = [];
}

/// <summary>Finds the sessions that hold locks on given tables: who a migration waits for.</summary>
internal static class BlockingSessions
{
    // Shown in the log and the error; enough to recognise the query, not a dump of it.
    private const int QueryPrefix = 120;

    /// <summary>
    /// Sessions other than <paramref name="except"/> holding a granted lock on any of <paramref name="tables"/> (names
    /// as stored, any schema). With <paramref name="onlyLingering"/>, only those idle in a transaction or whose
    /// transaction is older than <paramref name="olderThan"/>: the ones that would make a migration wait.
    /// </summary>
    public static async Task<IReadOnlyList<BlockingSession>> FindAsync(NpgsqlConnection connection, IReadOnlyCollection<string> tables,
        IReadOnlyCollection<int> except, bool onlyLingering = false, TimeSpan olderThan = default)
    {
        if (tables.Count == 0)
        {
            return [];
        }

        await using var command = Database.Command(connection, """
            SELECT a.pid, coalesce(a.usename, ''), coalesce(a.application_name, ''), coalesce(a.state, ''),
                   coalesce(extract(epoch FROM now() - a.xact_start), 0)::float8, left(coalesce(a.query, ''), $4),
                   string_agg(DISTINCT c.relname || ' ' || l.mode, ', '), array_agg(DISTINCT c.relname::text)
            FROM pg_locks l
            JOIN pg_class c ON c.oid = l.relation
            JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.granted AND l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND c.relname = ANY($1) AND a.pid <> pg_backend_pid() AND NOT (a.pid = ANY($2))
              AND (NOT $3 OR a.state LIKE 'idle in transaction%' OR a.xact_start < now() - $5::interval)
            GROUP BY a.pid, a.usename, a.application_name, a.state, a.xact_start, a.query
            ORDER BY a.xact_start NULLS LAST, a.pid
            """, tables.ToArray(), except.ToArray(), onlyLingering, QueryPrefix, LockPolicy.Setting(olderThan));
        var sessions = new List<BlockingSession>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            sessions.Add(new BlockingSession(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                TimeSpan.FromSeconds(reader.GetDouble(4)), reader.GetString(5), reader.GetString(6)) { Relations = reader.GetFieldValue<string[]>(7) });
        }

        return sessions;
    }
}
