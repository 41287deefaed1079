namespace StreamBot.Migrations.Watching;

/// <summary>One statement's cumulative figures in pg_stat_statements.</summary>
/// <param name="Id">Its queryid.</param>
/// <param name="Text">Its normalized text (constants are <c>$1</c>): no data.</param>
/// <param name="Calls">Executions.</param>
/// <param name="TotalMs">Total execution time.</param>
/// <param name="Rows">Rows returned or affected.</param>
public sealed record QueryFigures(string Id, string Text, long Calls, double TotalMs, long Rows);

/// <summary>One table's cumulative scans in pg_stat_user_tables.</summary>
/// <param name="Table">Schema-qualified name.</param>
/// <param name="SequentialScans">seq_scan.</param>
/// <param name="IndexScans">idx_scan.</param>
public sealed record TableScans(string Table, long SequentialScans, long IndexScans);

/// <summary>What the watch reads at one moment: cumulative counters, compared by difference.</summary>
/// <param name="Queries">pg_stat_statements of the database, by queryid; null when it cannot be read (the reason is in <see cref="QueriesUnavailable"/>).</param>
/// <param name="Deadlocks">pg_stat_database.deadlocks.</param>
/// <param name="Commits">pg_stat_database.xact_commit.</param>
/// <param name="Rollbacks">pg_stat_database.xact_rollback (a constraint or trigger error ends in one).</param>
/// <param name="Conflicts">pg_stat_database.conflicts (queries cancelled on a standby).</param>
/// <param name="Tables">pg_stat_user_tables' scans, by table.</param>
public sealed record StatisticsSample(IReadOnlyDictionary<string, QueryFigures>? Queries, long Deadlocks, long Commits, long Rollbacks, long Conflicts,
    IReadOnlyDictionary<string, TableScans> Tables)
{
    /// <summary>Why the queries are not watched (pg_stat_statements missing or unreadable); null when they are.</summary>
    public string? QueriesUnavailable { get; init; }
}
