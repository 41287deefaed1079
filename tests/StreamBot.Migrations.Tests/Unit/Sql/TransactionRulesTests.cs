using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Tests.Unit.Sql;

[Trait(Tier.Name, Tier.Unit)]
public sealed class TransactionRulesTests
{
    [Theory]
    [InlineData("CREATE INDEX CONCURRENTLY i ON t (a);", "CREATE INDEX CONCURRENTLY")]
    [InlineData("create unique index concurrently if not exists i on t (a);", "CREATE INDEX CONCURRENTLY")]
    [InlineData("DROP INDEX CONCURRENTLY IF EXISTS i;", "DROP INDEX CONCURRENTLY")]
    [InlineData("REINDEX TABLE CONCURRENTLY t;", "REINDEX CONCURRENTLY")]
    [InlineData("REINDEX (VERBOSE) INDEX CONCURRENTLY i;", "REINDEX CONCURRENTLY")]
    [InlineData("REINDEX DATABASE streambot;", "REINDEX DATABASE")]
    [InlineData("REINDEX SCHEMA public;", "REINDEX SCHEMA")]
    [InlineData("REINDEX SYSTEM streambot;", "REINDEX SYSTEM")]
    [InlineData("VACUUM;", "VACUUM")]
    [InlineData("VACUUM (ANALYZE) user_balances;", "VACUUM")]
    [InlineData("CREATE DATABASE analytics;", "CREATE DATABASE")]
    [InlineData("DROP DATABASE IF EXISTS analytics;", "DROP DATABASE")]
    [InlineData("ALTER DATABASE streambot SET TABLESPACE fast;", "ALTER DATABASE SET TABLESPACE")]
    [InlineData("ALTER SYSTEM SET work_mem = '64MB';", "ALTER SYSTEM")]
    [InlineData("CREATE TABLESPACE fast LOCATION '/ssd';", "CREATE TABLESPACE")]
    [InlineData("DROP TABLESPACE fast;", "DROP TABLESPACE")]
    [InlineData("CREATE SUBSCRIPTION s CONNECTION 'dbname=x' PUBLICATION p;", "CREATE SUBSCRIPTION")]
    [InlineData("DROP SUBSCRIPTION s;", "DROP SUBSCRIPTION")]
    [InlineData("ALTER SUBSCRIPTION s REFRESH PUBLICATION;", "ALTER SUBSCRIPTION REFRESH PUBLICATION")]
    [InlineData("DISCARD ALL;", "DISCARD ALL")]
    [InlineData("CLUSTER;", "CLUSTER (all tables)")]
    [InlineData("ALTER TABLE ONLY events DETACH PARTITION events_2024 CONCURRENTLY;", "ALTER TABLE DETACH PARTITION CONCURRENTLY")]
    public void Flags_statements_postgres_refuses_in_a_transaction(string sql, string reason)
    {
        var statement = Assert.Single(SqlSplitter.Split(sql).Statements);
        Assert.False(statement.IsTransactional);
        Assert.Equal(reason, statement.NonTransactionalReason);
    }

    [Theory]
    [InlineData("CREATE INDEX i ON t (a);")]
    [InlineData("CREATE INDEX concurrently_idx ON t (a);")]
    [InlineData("DROP INDEX i;")]
    [InlineData("REINDEX TABLE t;")]
    [InlineData("ALTER DATABASE streambot SET search_path = public;")]
    [InlineData("ANALYZE t;")]
    [InlineData("CLUSTER t USING i;")]
    [InlineData("ALTER TABLE events DETACH PARTITION events_2024;")]
    [InlineData("DISCARD PLANS;")]
    [InlineData("SELECT 'VACUUM';")]
    [InlineData("CREATE TABLE \"VACUUM\" (a int);")]
    public void Leaves_ordinary_statements_transactional(string sql) =>
        Assert.True(Assert.Single(SqlSplitter.Split(sql).Statements).IsTransactional);

    [Theory]
    [InlineData("BEGIN;", true)]
    [InlineData("START TRANSACTION ISOLATION LEVEL SERIALIZABLE;", true)]
    [InlineData("COMMIT;", true)]
    [InlineData("END;", true)]
    [InlineData("ROLLBACK;", true)]
    [InlineData("ABORT;", true)]
    [InlineData("PREPARE TRANSACTION 'x';", true)]
    [InlineData("ROLLBACK TO SAVEPOINT s;", false)]
    [InlineData("SAVEPOINT s;", false)]
    [InlineData("PREPARE q AS SELECT 1;", false)]
    public void Recognises_transaction_control(string sql, bool expected) =>
        Assert.Equal(expected, Assert.Single(SqlSplitter.Split(sql).Statements).IsTransactionControl);
}
