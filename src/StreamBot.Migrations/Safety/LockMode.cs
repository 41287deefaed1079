namespace StreamBot.Migrations.Safety;

/// <summary>PostgreSQL's table-level lock modes, weakest first (the order of the server's conflict table).</summary>
public enum LockMode
{
    /// <summary>SELECT.</summary>
    AccessShare = 1,

    /// <summary>SELECT FOR UPDATE/SHARE.</summary>
    RowShare,

    /// <summary>INSERT, UPDATE, DELETE.</summary>
    RowExclusive,

    /// <summary>VACUUM, CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT: reads and writes go on.</summary>
    ShareUpdateExclusive,

    /// <summary>CREATE INDEX: reads go on, writes wait.</summary>
    Share,

    /// <summary>CREATE TRIGGER, ADD FOREIGN KEY (on both tables): reads go on, writes wait.</summary>
    ShareRowExclusive,

    /// <summary>REFRESH MATERIALIZED VIEW CONCURRENTLY.</summary>
    Exclusive,

    /// <summary>Most ALTER TABLE forms, DROP, TRUNCATE, VACUUM FULL, CLUSTER: nothing else touches the table.</summary>
    AccessExclusive,
}

/// <summary>Names of lock modes as PostgreSQL writes them (pg_locks.mode and the documentation).</summary>
public static class LockModes
{
    /// <summary>"ACCESS EXCLUSIVE", "SHARE ROW EXCLUSIVE", ...</summary>
    public static string Describe(this LockMode mode) => mode switch
    {
        LockMode.AccessShare => "ACCESS SHARE",
        LockMode.RowShare => "ROW SHARE",
        LockMode.RowExclusive => "ROW EXCLUSIVE",
        LockMode.ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
        LockMode.Share => "SHARE",
        LockMode.ShareRowExclusive => "SHARE ROW EXCLUSIVE",
        LockMode.Exclusive => "EXCLUSIVE",
        _ => "ACCESS EXCLUSIVE",
    };

    /// <summary>Whether the application's writes (ROW EXCLUSIVE) wait for a lock of this mode: SHARE and stronger.</summary>
    public static bool BlocksWrites(this LockMode mode) => mode >= LockMode.Share;

    /// <summary>Whether a lock of <paramref name="mode"/> and one of <paramref name="other"/> on the same table cannot be held at once (PostgreSQL's conflict table).</summary>
    public static bool ConflictsWith(this LockMode mode, LockMode other)
    {
        var (weak, strong) = mode <= other ? (mode, other) : (other, mode);
        return weak switch
        {
            LockMode.AccessShare => strong == LockMode.AccessExclusive,
            LockMode.RowShare => strong >= LockMode.Exclusive,
            LockMode.RowExclusive => strong >= LockMode.Share,
            LockMode.ShareUpdateExclusive => strong >= LockMode.ShareUpdateExclusive,
            LockMode.Share => strong != LockMode.Share,
            _ => true,
        };
    }

    /// <summary>The modes that conflict with <paramref name="mode"/>, as pg_locks.mode names them ("AccessShareLock").</summary>
    public static IEnumerable<string> ConflictingLockNames(this LockMode mode) =>
        Enum.GetValues<LockMode>().Where(other => mode.ConflictsWith(other)).Select(m => m + "Lock");
}

/// <summary>A lock a statement takes on a table that existed before its migration.</summary>
/// <param name="Table">The table's name as PostgreSQL stores it (without schema).</param>
/// <param name="Mode">The strongest mode the statement takes on it.</param>
public sealed record TableLock(string Table, LockMode Mode);
