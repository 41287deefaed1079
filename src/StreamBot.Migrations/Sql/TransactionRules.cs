namespace StreamBot.Migrations.Sql;

/// <summary>
/// Recognises, from a statement's leading words, the commands PostgreSQL refuses inside a transaction block
/// (the server calls PreventInTransactionBlock for them) and the transaction-control commands that would break
/// the one-transaction-per-migration contract.
/// </summary>
internal static class TransactionRules
{
    /// <summary>The command's name when it cannot run in a transaction block, else null.</summary>
    public static string? NonTransactionalReason(in StatementWords w)
    {
        if (w.Count == 0)
        {
            return null;
        }

        if (w.Is(0, "VACUUM")) return "VACUUM";
        if (w.Is(0, "DISCARD") && w.Is(1, "ALL")) return "DISCARD ALL";
        // CLUSTER with no table re-clusters every table, one transaction each.
        if (w.Is(0, "CLUSTER") && (w.Count == 1 || (w.Count == 2 && w.Is(1, "VERBOSE")))) return "CLUSTER (all tables)";

        if (w.Is(0, "CREATE"))
        {
            var i = w.Is(1, "UNIQUE") ? 2 : 1;
            if (w.Is(i, "INDEX") && w.Is(i + 1, "CONCURRENTLY")) return "CREATE INDEX CONCURRENTLY";
            if (w.Is(1, "DATABASE")) return "CREATE DATABASE";
            if (w.Is(1, "TABLESPACE")) return "CREATE TABLESPACE";
            // CREATE SUBSCRIPTION creates a replication slot by default, which needs its own transaction.
            if (w.Is(1, "SUBSCRIPTION")) return "CREATE SUBSCRIPTION";
            return null;
        }

        if (w.Is(0, "DROP"))
        {
            if (w.Is(1, "INDEX") && w.Is(2, "CONCURRENTLY")) return "DROP INDEX CONCURRENTLY";
            if (w.Is(1, "DATABASE")) return "DROP DATABASE";
            if (w.Is(1, "TABLESPACE")) return "DROP TABLESPACE";
            if (w.Is(1, "SUBSCRIPTION")) return "DROP SUBSCRIPTION";
            return null;
        }

        if (w.Is(0, "REINDEX"))
        {
            // Options in parentheses are not in the word list (they are at depth one).
            if (w.Is(1, "SCHEMA") || w.Is(1, "DATABASE") || w.Is(1, "SYSTEM")) return "REINDEX " + Upper(w, 1);
            if (w.Is(2, "CONCURRENTLY")) return "REINDEX CONCURRENTLY";
            return null;
        }

        if (w.Is(0, "ALTER"))
        {
            if (w.Is(1, "SYSTEM")) return "ALTER SYSTEM";
            if (w.Is(1, "DATABASE") && w.IndexOf("SET", 2) is > 0 and var set && w.Is(set + 1, "TABLESPACE")) return "ALTER DATABASE SET TABLESPACE";
            if (w.Is(1, "SUBSCRIPTION") && w.IndexOf("REFRESH", 2) > 0) return "ALTER SUBSCRIPTION REFRESH PUBLICATION";
            if (w.Is(1, "TABLE") && w.IndexOf("DETACH", 2) is > 0 and var detach && w.IndexOf("CONCURRENTLY", detach) > 0)
            {
                return "ALTER TABLE DETACH PARTITION CONCURRENTLY";
            }
        }

        return null;
    }

    /// <summary>True for statements that start, end or prepare a transaction.</summary>
    public static bool IsTransactionControl(in StatementWords w)
    {
        if (w.Count == 0)
        {
            return false;
        }

        if (w.Is(0, "BEGIN") || w.Is(0, "COMMIT") || w.Is(0, "END") || w.Is(0, "ABORT"))
        {
            return true;
        }

        if (w.Is(0, "START") && w.Is(1, "TRANSACTION")) return true;
        if (w.Is(0, "PREPARE") && w.Is(1, "TRANSACTION")) return true;
        // ROLLBACK TO SAVEPOINT stays inside the transaction and is fine; a bare ROLLBACK ends it.
        if (w.Is(0, "ROLLBACK") && !w.Is(1, "TO")) return true;
        return false;
    }

    private static string Upper(in StatementWords w, int index) =>
        System.Text.Encoding.ASCII.GetString(w[index]).ToUpperInvariant();
}
