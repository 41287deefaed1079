using StreamBot.Migrations.Validation;
using System.Diagnostics;
using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Postgres.Rehearsal;

/// <summary>What one statement did to the tables that existed before its migration, as measured in its transaction.</summary>
/// <param name="Line">The statement's line in the file.</param>
/// <param name="Milliseconds">How long the statement ran.</param>
/// <param name="Locks">Locks it took (or strengthened) on pre-existing tables, with how long each was held: to the commit.</param>
/// <param name="Rewritten">Pre-existing tables and indexes whose storage file it replaced.</param>
/// <param name="Scanned">Pre-existing tables it read whole (sequential scans counted in its transaction).</param>
/// <param name="Predicted">What the lock classifier (the safety lint's reading) predicted for it.</param>
public sealed record TracedStatement(int Line, double Milliseconds, IReadOnlyList<(TableLock Lock, double HeldMs)> Locks,
    IReadOnlyList<string> Rewritten, IReadOnlyList<string> Scanned, IReadOnlyList<TableLock> Predicted)
{
    /// <summary>When the statement started, from the start of its migration's first statement: where its bars begin on a timeline.</summary>
    public double StartMs { get; init; }

    /// <summary>"line 12: ACCESS EXCLUSIVE on user_balances, held 3 ms, scans the table".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        parts.AddRange(Locks.Select(l => $"{l.Lock.Mode.Describe()} on {l.Lock.Table}, held {l.HeldMs:0} ms{(Scanned.Contains(l.Lock.Table) ? ", scans the table" : string.Empty)}"));
        parts.AddRange(Scanned.Where(s => Locks.All(l => l.Lock.Table != s)).Select(s => $"scans {s}"));
        parts.AddRange(Rewritten.Select(r => $"rewrites {r}"));
        return $"line {Line}: {(parts.Count == 0 ? "no lock on a pre-existing table" : string.Join("; ", parts))} ({Milliseconds:0.#} ms)";
    }
}

/// <summary>
/// Applies a migration on the scratch database statement by statement inside its one transaction and, after each
/// statement, reads what it holds from pg_locks, which storage files changed (pg_class.relfilenode) and which tables
/// it scanned (pg_stat_xact_user_tables): the lock trace. A migration that runs without a transaction is timed and
/// checked for rewrites; its locks are released before they could be read.
/// </summary>
internal static class TracedApply
{
    private const string Relations = """
        SELECT c.oid, CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END, c.relfilenode, c.relkind IN ('r', 'p', 'm')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'm', 'i') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
        """;

    /// <param name="connection">The scratch database.</param>
    /// <param name="migration">What to apply.</param>
    /// <param name="cancellation">Ctrl-C.</param>
    /// <param name="afterStatement">Called after each statement (its index), inside the migration's transaction if it has one.</param>
    /// <param name="backfill">Runs a backfill statement in batches, as up does (a migration with one has no single transaction).</param>
    public static async Task<IReadOnlyList<TracedStatement>> RunAsync(NpgsqlConnection connection, ValidatedMigration migration, CancellationToken cancellation,
        Func<NpgsqlTransaction?, int, Task>? afterStatement = null, Func<Migrations.Backfills.Backfill, Task>? backfill = null)
    {
        // As up does before each migration: the session as it was at connection.
        await Database.ResetSessionAsync(connection, durableCommits: false, cancellation: cancellation).ConfigureAwait(false);
        var before = new Dictionary<uint, (string Name, uint FileNode, bool IsTable)>();
        await using (var read = Database.Command(connection, Relations))
        await using (var reader = await read.ExecuteReaderAsync(cancellation).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                before[reader.GetFieldValue<uint>(0)] = (reader.GetString(1), reader.GetFieldValue<uint>(2), reader.GetBoolean(3));
            }
        }

        var predicted = migration.Locks;
        var oids = before.Keys.Select(o => (long)o).ToArray();
        var tableOids = before.Where(b => b.Value.IsTable).Select(b => (long)b.Key).ToArray();
        var statements = migration.Script.Statements;
        var traced = new List<(int Line, double StartMs, double Ms, List<(TableLock Lock, double StartMs)> Locks, List<string> Rewritten, List<string> Scanned, IReadOnlyList<TableLock> Predicted)>();
        var held = new Dictionary<string, LockMode>(StringComparer.Ordinal);
        var rewritten = new HashSet<uint>();
        var clock = Stopwatch.StartNew();
        NpgsqlTransaction? transaction = migration.IsTransactional ? await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false) : null;
        try
        {
            for (var i = 0; i < statements.Count; i++)
            {
                var scansBefore = transaction is null ? [] : await ScansAsync(connection, transaction, tableOids).ConfigureAwait(false);
                var start = clock.Elapsed.TotalMilliseconds;
                try
                {
                    if (backfill is not null && migration.Backfills.FirstOrDefault(b => b.Statement == i) is { } marked)
                    {
                        await backfill(marked).ConfigureAwait(false);
                    }
                    else
                    {
                        await using var command = new NpgsqlCommand(migration.Script.GetText(statements[i]), connection, transaction);
                        await command.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
                    }
                }
                catch (PostgresException e)
                {
                    var (line, column) = ServerErrorPosition.InMigration(migration.Script, statements[i], e.Position);
                    throw new MigrationException(RehearsalDiagnostics.ApplyFailed(migration.File.FullPath, line, column, migration.File.FileName, $"{e.MessageText} (SQLSTATE {e.SqlState})"));
                }

                var ms = clock.Elapsed.TotalMilliseconds - start;
                var locks = new List<(TableLock, double)>();
                var scanned = new List<string>();
                if (transaction is not null)
                {
                    foreach (var (oid, mode) in await LocksAsync(connection, transaction, tableOids).ConfigureAwait(false))
                    {
                        var table = before[oid].Name;
                        if (!held.TryGetValue(table, out var had) || had < mode)
                        {
                            held[table] = mode;
                            locks.Add((new TableLock(table, mode), start));
                        }
                    }

                    var scansAfter = await ScansAsync(connection, transaction, tableOids).ConfigureAwait(false);
                    scanned.AddRange(scansAfter.Where(s => s.Value > scansBefore.GetValueOrDefault(s.Key)).Select(s => before[s.Key].Name));
                }

                var changed = new List<string>();
                foreach (var (oid, fileNode) in await FileNodesAsync(connection, transaction, oids).ConfigureAwait(false))
                {
                    if (fileNode != before[oid].FileNode && rewritten.Add(oid))
                    {
                        changed.Add(before[oid].Name);
                    }
                }

                traced.Add((statements[i].Line, start, ms, locks, changed, scanned, predicted[i]));
                if (afterStatement is not null)
                {
                    await afterStatement(transaction, i).ConfigureAwait(false);
                }
            }

            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellation).ConfigureAwait(false);
            }
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }
        }

        var end = clock.Elapsed.TotalMilliseconds;
        return traced.Select(t => new TracedStatement(t.Line, t.Ms, t.Locks.Select(l => (l.Lock, end - l.StartMs)).ToList(), t.Rewritten, t.Scanned, t.Predicted) { StartMs = t.StartMs }).ToList();
    }

    private static async Task<List<(uint Oid, LockMode Mode)>> LocksAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long[] tables)
    {
        await using var command = Database.Command(connection,
            "SELECT relation, mode FROM pg_locks WHERE pid = pg_backend_pid() AND granted AND locktype = 'relation' AND relation = ANY($1::oid[])", tables);
        command.Transaction = transaction;
        var locks = new Dictionary<uint, LockMode>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            var mode = Enum.Parse<LockMode>(reader.GetString(1)[..^"Lock".Length]);
            var oid = reader.GetFieldValue<uint>(0);
            locks[oid] = locks.TryGetValue(oid, out var other) && other > mode ? other : mode;
        }

        return locks.Select(l => (l.Key, l.Value)).ToList();
    }

    private static async Task<Dictionary<uint, long>> ScansAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long[] tables)
    {
        await using var command = Database.Command(connection, "SELECT relid, seq_scan FROM pg_stat_xact_user_tables WHERE relid = ANY($1::oid[])", tables);
        command.Transaction = transaction;
        var scans = new Dictionary<uint, long>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            scans[reader.GetFieldValue<uint>(0)] = reader.GetInt64(1);
        }

        return scans;
    }

    private static async Task<List<(uint Oid, uint FileNode)>> FileNodesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long[] oids)
    {
        await using var command = Database.Command(connection, "SELECT oid, relfilenode FROM pg_class WHERE oid = ANY($1::oid[])", oids);
        command.Transaction = transaction;
        var nodes = new List<(uint, uint)>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            nodes.Add((reader.GetFieldValue<uint>(0), reader.GetFieldValue<uint>(1)));
        }

        return nodes;
    }
}
