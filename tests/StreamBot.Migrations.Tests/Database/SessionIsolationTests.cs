using StreamBot.Migrations.Postgres.Rehearsal;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// A migration cannot break the tool's bookkeeping, and one migration's session settings never reach the next: the
/// journal's statements are schema-qualified and run with their own settings, and each migration, rollback and
/// rehearsal step starts from the session as it was at connection. One folder has one outcome in a rehearsal, in one
/// run and in two.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class SessionIsolationTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    public static TheoryData<string, string> SearchPaths() => new()
    {
        { "pg_dump's header", "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.stream_markers (id int PRIMARY KEY);\n" },
        { "a schema of its own", "CREATE SCHEMA reporting;\nSET search_path = reporting;\nCREATE TABLE stream_markers (id int PRIMARY KEY);\n" },
    };

    [Theory]
    [MemberData(nameof(SearchPaths))]
    public async Task A_migration_that_changes_the_search_path_is_journaled_and_the_next_one_starts_clean(string what, string sql)
    {
        using var s = new DatabaseScenario(postgres, Folder(("0001_markers", sql, "DROP TABLE IF EXISTS public.stream_markers;"), ("0002_after", "CREATE TABLE after_markers (id int);\n", "DROP TABLE after_markers;")));
        Assert.Equal(3, await s.Runner().UpAsync());
        Assert.Equal(3L, s.JournalCount());
        // The table of 0002 went where the default search_path puts it, not where 0001's SET pointed.
        Assert.True(s.TableExists("public.after_markers"), what);
        Assert.Empty((await s.Runner().StatusAsync()).Drift!);
    }

    [Fact]
    public async Task A_timeout_set_by_one_migration_does_not_reach_the_next_in_one_run_or_in_the_rehearsal()
    {
        var folder = Folder(("0001_tiny_timeout", "SET statement_timeout = '100ms';\nCREATE TABLE t1 (id int);\n", "DROP TABLE t1;"), ("0002_slow", "SELECT pg_sleep(0.2);\nCREATE TABLE t2 (id int);\n", "DROP TABLE t2;"));
        using var s = new DatabaseScenario(postgres, folder);

        var rehearsal = await new MigrationRehearsal(s.Options(), s.Log).RunAsync();
        Assert.False(rehearsal.Failed, string.Join("\n", rehearsal.Diagnostics));
        Assert.Equal(3, await s.Runner().UpAsync());
        Assert.True(s.TableExists("t2"));
    }

    [Fact]
    public async Task A_migration_that_switches_to_a_role_without_rights_on_the_journal_is_still_journaled_and_rolled_back()
    {
        var role = "sbm_reader_" + Guid.NewGuid().ToString("N")[..8];
        using var s = new DatabaseScenario(postgres, Folder(("0001_as_reader", $"CREATE TABLE readable (id int);\nGRANT SELECT ON readable TO {role};\nSET ROLE {role};\nSELECT count(*) FROM readable;\n", "DROP TABLE readable;")));
        s.Execute($"CREATE ROLE {role}");
        try
        {
            Assert.Equal(2, await s.Runner().UpAsync());
            Assert.Equal(2L, s.JournalCount());
            Assert.Equal(1, await s.Runner().DownAsync(null));
            Assert.False(s.TableExists("readable"));
        }
        finally
        {
            s.Execute($"DROP OWNED BY {role}");
            s.Execute($"DROP ROLE {role}");
        }
    }

    private static MigrationsFolder Folder(params (string Name, string Sql, string Rollback)[] migrations)
    {
        var folder = MigrationsFolder.Empty().WriteReadme("# Migrations\n\n## Migration Files\n");
        folder.AddMigration("0000_schema", "CREATE TABLE users (id int PRIMARY KEY);\n", notRecommended: true);
        foreach (var (name, sql, rollback) in migrations)
        {
            folder.AddMigration(name, sql, rollback, "SELECT 1 WHERE false;");
        }

        return folder;
    }
}
