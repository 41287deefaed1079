using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// Real deploy setups: a role that owns neither the journal nor the lock table (only the grants the README lists),
/// and a journal in a schema whose name needs SQL quoting.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class DeployRoleTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private const string DeployPassword = "Deploy-Pw_29b";

    [Fact]
    public void A_deploy_role_with_the_documented_grants_runs_status_up_and_down()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        var owner = new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url };
        var dir = $"--dir \"{s.Folder.Directory}\"";
        var backups = $"--backup-dir \"{s.BackupDirectory}\"";
        Assert.Equal(0, CliProcess.Run($"up {dir} {backups}", owner).ExitCode);

        var role = "deploy_" + Guid.NewGuid().ToString("N")[..10];
        var database = new Uri(s.Url).AbsolutePath.Trim('/');
        // Exactly the grants README.md lists under "Database roles" (several statements: SqlProbe splits them, since
        // the product switches Npgsql to raw SQL for the whole test process).
        using var admin = new SqlProbe(s.Url, "admin");
        admin.Execute($"""
            CREATE ROLE {role} LOGIN PASSWORD '{DeployPassword}';
            GRANT CONNECT ON DATABASE {database} TO {role};
            GRANT USAGE, CREATE ON SCHEMA public TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON drizzle_migrations, migration_lock TO {role};
            GRANT USAGE ON SEQUENCE drizzle_migrations_id_seq TO {role};
            GRANT pg_read_all_data TO {role};
            """);
        // The grants are drift on the public schema: the owner accepts them once, as README.md says.
        var accepted = CliProcess.Run($"up --accept-drift {dir} {backups}", owner);
        Assert.True(accepted.ExitCode == 0, accepted.Output);
        Assert.Contains("Accepted 1 change(s) made outside the migrations", accepted.Output, StringComparison.Ordinal);
        s.Folder.AddMigration("0003_add_stream_markers", "CREATE TABLE stream_markers (id serial PRIMARY KEY, label text NOT NULL);\n",
            "DROP TABLE stream_markers;", "SELECT 1 FROM pg_tables WHERE tablename = 'stream_markers';");

        var uri = new Uri(s.Url);
        var deploy = new Dictionary<string, string?> { ["DATABASE_URL"] = $"postgres://{role}:{DeployPassword}@{uri.Host}:{uri.Port}/{database}" };
        foreach (var command in new[] { "status", $"up {backups}", "status", $"down {backups}" })
        {
            var (exit, output) = CliProcess.Run($"{command} {dir}", deploy);
            Assert.True(exit == 0, $"{command} as {role} failed:\n{output}");
        }

        Assert.Equal(3L, s.JournalCount());
        Assert.False(s.TableExists("stream_markers"));
        Assert.Equal("postgres", s.Scalar<string>("SELECT tableowner::text FROM pg_tables WHERE tablename = 'migration_lock'"));
        admin.Execute($"DROP OWNED BY {role}; DROP ROLE {role}");
    }

    [Fact]
    public void A_journal_in_a_quoted_schema_keeps_its_progress_table_beside_it_and_the_lock_in_public()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Folder.AddMigration("0003_index_balances", "CREATE INDEX CONCURRENTLY idx_balances ON user_balances (balance);\n",
            "DROP INDEX idx_balances;", "SELECT 1 FROM pg_indexes WHERE indexname = 'idx_balances';");
        s.Execute("CREATE SCHEMA \"Deploy History\"");
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url };
        var dir = $"--dir \"{s.Folder.Directory}\" --journal-table \"\\\"Deploy History\\\".journal\"";
        var (exit, output) = CliProcess.Run($"up --no-backup {dir}", env);
        Assert.True(exit == 0, output);

        Assert.Equal(4L, s.Scalar<long>("SELECT count(*) FROM \"Deploy History\".journal"));
        Assert.True(s.TableExists("\"Deploy History\".journal_progress"));
        Assert.True(s.TableExists("public.migration_lock"));
        Assert.False(s.TableExists("drizzle_migrations"));
        var status = CliProcess.Run($"status {dir}", env);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("4 migration(s): 4 applied.", status.Output, StringComparison.Ordinal);
    }
}
