using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// Grounds the transaction rules in the server itself: each statement runs after BEGIN on a real PostgreSQL, and the
/// server's "cannot run inside a transaction block" must match the splitter's verdict.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class TransactionRulesAgainstServerTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private const string Schema = """
        CREATE TABLE t (a int);
        CREATE INDEX i ON t (a);
        CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
        CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        """;

    [Theory]
    [InlineData("CREATE INDEX CONCURRENTLY i2 ON t (a)", true)]
    [InlineData("CREATE UNIQUE INDEX CONCURRENTLY i3 ON t (a)", true)]
    [InlineData("DROP INDEX CONCURRENTLY i", true)]
    [InlineData("REINDEX TABLE CONCURRENTLY t", true)]
    [InlineData("REINDEX (VERBOSE) INDEX CONCURRENTLY i", true)]
    [InlineData("REINDEX SCHEMA public", true)]
    [InlineData("VACUUM t", true)]
    [InlineData("VACUUM (ANALYZE) t", true)]
    [InlineData("CREATE DATABASE sbm_never_created", true)]
    [InlineData("DROP DATABASE IF EXISTS sbm_never_created", true)]
    [InlineData("ALTER SYSTEM SET work_mem = '64MB'", true)]
    [InlineData("CREATE TABLESPACE never LOCATION '/nonexistent'", true)]
    [InlineData("DROP TABLESPACE IF EXISTS never", true)]
    [InlineData("DISCARD ALL", true)]
    [InlineData("CLUSTER", true)]
    [InlineData("ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY", true)]
    [InlineData("CREATE SUBSCRIPTION s CONNECTION 'host=127.0.0.1 port=1' PUBLICATION p", true)]
    [InlineData("CREATE INDEX i4 ON t (a)", false)]
    [InlineData("DROP INDEX i", false)]
    [InlineData("REINDEX TABLE t", false)]
    [InlineData("ANALYZE t", false)]
    [InlineData("CLUSTER t USING i", false)]
    [InlineData("ALTER TABLE events DETACH PARTITION events_2024", false)]
    [InlineData("DISCARD PLANS", false)]
    [InlineData("SELECT 'VACUUM'", false)]
    public void Splitter_agrees_with_the_server(string sql, bool refusedInTransaction)
    {
        var statement = Assert.Single(SqlSplitter.Split(sql + ";").Statements);
        Assert.Equal(refusedInTransaction, !statement.IsTransactional);

        var database = postgres.CreateDatabase();
        var setup = TestPostgres.Psql(database, $"-v ON_ERROR_STOP=1 -c \"{Schema.ReplaceLineEndings(" ")}\"");
        Assert.True(setup.ExitCode == 0, setup.Error);
        var (_, _, error) = TestPostgres.Psql(database, $"-c BEGIN -c \"{sql.Replace("\"", "\\\"", StringComparison.Ordinal)}\" -c ROLLBACK");
        Assert.Equal(refusedInTransaction, error.Contains("cannot run inside a transaction block", StringComparison.Ordinal));
    }
}
