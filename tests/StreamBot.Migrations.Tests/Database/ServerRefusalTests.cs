using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>Refusals and take-overs say what is true and what to do, each as a well-formed coded line.</summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class ServerRefusalTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public void A_read_only_database_is_named_as_such_before_anything_is_locked()
    {
        using var folder = MigrationsFolder.ForDatabase();
        var url = postgres.CreateDatabase();
        var database = new Uri(url).AbsolutePath.Trim('/');
        using (var probe = new SqlProbe(url))
        {
            probe.Execute($"ALTER DATABASE {database} SET default_transaction_read_only = on");
        }

        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = url };
        foreach (var command in new[] { "up", "down" })
        {
            var (exit, output) = CliProcess.Run($"{command} --no-backup --dir \"{folder.Directory}\"", env);
            Assert.Equal(1, exit);
            Assert.Contains("error SBM4025", output, StringComparison.Ordinal);
            Assert.Contains("is read-only for this session (default_transaction_read_only", output, StringComparison.Ordinal);
            Assert.DoesNotContain("every migration that was not reported", output, StringComparison.Ordinal);
            DiagnosticLines.AssertWellFormed(output);
        }

        Assert.Equal(0, CliProcess.Run($"status --dir \"{folder.Directory}\"", env).ExitCode);
        using var check = new SqlProbe(url);
        Assert.Equal(0L, check.Count("SELECT count(*) FROM pg_tables WHERE tablename IN ('migration_lock', 'drizzle_migrations')"));
    }

    [Fact]
    public void An_interrupted_migration_with_one_statement_done_says_statement_1()
    {
        using var folder = MigrationsFolder.Empty();
        folder.WriteReadme("# Migrations\n");
        folder.AddMigration("0000_concurrent_index", "CREATE TABLE t (v int);\nCREATE INDEX CONCURRENTLY t_v ON t (v);\n");
        var url = postgres.CreateDatabase();
        using (var probe = new SqlProbe(url))
        {
            probe.Execute("""
                CREATE TABLE t (v int);
                CREATE TABLE drizzle_migrations_progress (name text PRIMARY KEY, hash text NOT NULL, statements_done integer NOT NULL,
                    statements_total integer NOT NULL, started_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL);
                INSERT INTO drizzle_migrations_progress (name, hash, statements_done, statements_total, applied_by) VALUES ('0000_concurrent_index', 'x', 1, 2, 'me');
                """);
        }

        var (exit, output) = CliProcess.Run($"up --no-backup --dir \"{folder.Directory}\"", new Dictionary<string, string?> { ["DATABASE_URL"] = url });
        Assert.Equal(1, exit);
        Assert.Contains("error SBM4018", output, StringComparison.Ordinal);
        Assert.Contains("Statement 1 (line 1) ran.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Statements 1 to 1", output, StringComparison.Ordinal);
        DiagnosticLines.AssertWellFormed(output);
    }

    [Fact]
    public void Taking_over_a_dead_holders_lock_does_not_say_nothing_to_do()
    {
        using var folder = MigrationsFolder.ForDatabase();
        var url = postgres.CreateDatabase();
        using (var probe = new SqlProbe(url))
        {
            probe.Execute("""
                CREATE TABLE migration_lock (lock_id integer PRIMARY KEY CHECK (lock_id = 1), locked_by text NOT NULL,
                    locked_at timestamptz NOT NULL DEFAULT now(), heartbeat_at timestamptz, backend_pid integer);
                INSERT INTO migration_lock VALUES (1, 'ci@gone pid 1 (streambot-migrate up)', now(), now(), 2147483647);
                """);
        }

        var (exit, output) = CliProcess.Run($"up --no-backup --dir \"{folder.Directory}\"", new Dictionary<string, string?> { ["DATABASE_URL"] = url });
        Assert.True(exit == 0, output);
        Assert.Contains("warning SBM4022", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Nothing to do", output, StringComparison.Ordinal);
        DiagnosticLines.AssertWellFormed(output);
    }
}
