using System.Runtime.InteropServices;
using StreamBot.Migrations.Cli;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Reliability;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM, sent to a real streambot-migrate process at a point the test chooses: the running
/// statement is cancelled, its migration rolled back, the lock and its row released, one coded line says what is
/// applied, and the exit code is the signal's.
/// </summary>
[Trait(Tier.Name, Tier.Reliability)]
[Collection(PostgresTestGroup.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InterruptTests(TestPostgres postgres)
{
    private const string MigrationLockHeld = "SELECT count(*) FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND locktype = 'advisory' AND classid = 1396854089 AND objid = 1196572500";

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public void During_a_transactional_migration(string signal, int exitCode)
    {
        using var folder = Folder("SELECT 1;\nCREATE TABLE interrupted_b (id int);\nSELECT pg_sleep(60);\n");
        var url = postgres.CreateDatabase();
        using var probe = new SqlProbe(url);
        using var cli = CliProcess.Start($"up --no-backup --dir \"{folder.Directory}\"", new Dictionary<string, string?> { ["DATABASE_URL"] = url });
        probe.WaitFor("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(60)%' AND state = 'active' AND pid <> pg_backend_pid()", "the long statement", () => cli.Output);

        Send(signal, cli.Pid);
        Assert.Equal(exitCode, cli.WaitForExit(TimeSpan.FromSeconds(20)));
        Assert.Contains("0001_long.sql: error SBM4027: up was interrupted (Ctrl-C or SIGTERM): 0001_long.sql was running; its statement was cancelled and its transaction rolled back: nothing of it is applied.", cli.Output, StringComparison.Ordinal);
        Assert.Contains("Applied before the failure (these stay applied): 0000_first.sql.", cli.Output, StringComparison.Ordinal);
        Assert.Equal(1L, probe.Count("SELECT count(*) FROM drizzle_migrations"));
        Assert.Equal(0L, probe.Count("SELECT count(*) FROM pg_tables WHERE tablename = 'interrupted_b'"));
        AssertLockReleased(probe);
        DiagnosticLines.AssertWellFormed(cli.Output);
    }

    [Fact]
    public void During_a_non_transactional_migration_it_says_how_to_resume()
    {
        using var folder = Folder("CREATE TABLE interrupted_t (v int);\nCREATE INDEX CONCURRENTLY interrupted_v ON interrupted_t (v);\nSELECT pg_sleep(60);\n");
        var url = postgres.CreateDatabase();
        using var probe = new SqlProbe(url);
        using var cli = CliProcess.Start($"up --no-backup --dir \"{folder.Directory}\"", new Dictionary<string, string?> { ["DATABASE_URL"] = url });
        probe.WaitFor("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(60)%' AND state = 'active' AND pid <> pg_backend_pid()", "the long statement", () => cli.Output);

        Send("TERM", cli.Pid);
        Assert.Equal(143, cli.WaitForExit(TimeSpan.FromSeconds(20)));
        Assert.Contains("Statements 1 to 2 (lines 1, 2) ran and stay applied. Statement 3 (line 3) was cancelled", cli.Output, StringComparison.Ordinal);
        Assert.Contains("up --resume-from 3", cli.Output, StringComparison.Ordinal);
        Assert.Equal(2L, probe.Count("SELECT statements_done FROM drizzle_migrations_progress WHERE name = '0001_long'"));
        AssertLockReleased(probe);
    }

    [Fact]
    public void While_waiting_for_the_lock_nothing_is_applied()
    {
        using var folder = Folder("CREATE TABLE interrupted_w (id int);\n");
        var url = postgres.CreateDatabase();
        using var probe = new SqlProbe(url);
        using (var holder = new SqlProbe(url, "holder"))
        {
            holder.Execute("SELECT pg_advisory_lock(x'53424D4947524154'::bigint)");
            using var cli = CliProcess.Start($"up --no-backup --lock-timeout 120 --dir \"{folder.Directory}\"", new Dictionary<string, string?> { ["DATABASE_URL"] = url });
            probe.WaitFor("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'streambot-migrate lock'", "the waiter", () => cli.Output);
            Send("INT", cli.Pid);
            Assert.Equal(130, cli.WaitForExit(TimeSpan.FromSeconds(20)));
            Assert.Contains("error SBM4027: up was interrupted (Ctrl-C or SIGTERM) while waiting for the migration lock; nothing was applied", cli.Output, StringComparison.Ordinal);
        }

        Assert.Equal(0L, probe.Count("SELECT count(*) FROM pg_tables WHERE tablename IN ('interrupted_w', 'drizzle_migrations')"));
    }

    [Fact]
    public void SIGTERM_of_a_rehearsal_is_one_coded_line_and_its_scratch_database_is_dropped()
    {
        using var folder = Folder("CREATE TABLE rehearsed_t (id int);\nSELECT pg_sleep(60);\n");
        var url = postgres.CreateDatabase();
        using var probe = new SqlProbe(url);
        using var cli = CliProcess.Start($"rehearse --dir \"{folder.Directory}\"", new Dictionary<string, string?> { ["DATABASE_URL"] = url });
        var scratch = (string)probe.WaitFor(SleepingRehearsal(cli.Pid), "the rehearsal's long statement", () => cli.Output);

        Send("TERM", cli.Pid);
        Assert.Equal(143, cli.WaitForExit(TimeSpan.FromSeconds(20)));
        Assert.Contains("error SBM4027: rehearse was interrupted (Ctrl-C or SIGTERM) while rehearsing 0001_long; its scratch database was dropped, and nothing else was changed.", cli.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("SBM9003", cli.Output, StringComparison.Ordinal);
        Assert.Equal(0L, probe.Count($"SELECT count(*) FROM pg_database WHERE datname = '{scratch}'"));
        DiagnosticLines.AssertWellFormed(cli.Output);
    }

    [Fact]
    public void The_scratch_database_of_a_killed_rehearsal_is_marked_and_dropped_by_the_next_rehearsal()
    {
        using var folder = Folder("CREATE TABLE rehearsed_k (id int);\nSELECT pg_sleep(60);\n");
        var url = postgres.CreateDatabase();
        using var probe = new SqlProbe(url);
        string scratch;
        using (var cli = CliProcess.Start($"rehearse --dir \"{folder.Directory}\"", new Dictionary<string, string?> { ["DATABASE_URL"] = url }))
        {
            scratch = (string)probe.WaitFor(SleepingRehearsal(cli.Pid), "the rehearsal's long statement", () => cli.Output);
            Send("KILL", cli.Pid);
            cli.WaitForExit(TimeSpan.FromSeconds(20));
        }

        Assert.StartsWith($"streambot-migrate rehearsal scratch database; pid ", (string)probe.Scalar($"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{scratch}'")!, StringComparison.Ordinal);
        // Its session ends once the server notices the client is gone (client_connection_check_interval: a second).
        probe.WaitFor($"SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = '{scratch}')", "the killed rehearsal's session to end", () => string.Empty);

        using var next = Folder("CREATE TABLE rehearsed_n (id int);\n");
        var (exit, output) = CliProcess.Run($"rehearse --dir \"{next.Directory}\"", new Dictionary<string, string?> { ["DATABASE_URL"] = url });
        Assert.True(exit == 0, output);
        Assert.Contains($"Dropped {scratch}, a scratch database left by a rehearsal that did not finish (process ", output, StringComparison.Ordinal);
        Assert.Equal(0L, probe.Count($"SELECT count(*) FROM pg_database WHERE datname = '{scratch}'"));
    }

    // The scratch database in which the rehearsal started by pid is running its pg_sleep.
    private static string SleepingRehearsal(int pid) =>
        "SELECT datname FROM pg_stat_activity WHERE datname LIKE 'streambot\\_rehearsal\\_%' AND query LIKE 'SELECT pg_sleep(60)%' AND state = 'active' "
        + $"AND datname IN (SELECT datname FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE '%pid {pid} on %')";

    [Fact]
    public void The_first_signal_is_handled_and_a_second_one_is_left_to_end_the_process()
    {
        using var interrupts = new Interrupts();
        var first = new PosixSignalContext(PosixSignal.SIGINT);
        interrupts.Handle(first);
        Assert.True(first.Cancel);
        Assert.True(interrupts.Token.IsCancellationRequested);
        Assert.Equal(130, interrupts.ExitCode);

        var second = new PosixSignalContext(PosixSignal.SIGINT);
        interrupts.Handle(second);
        Assert.False(second.Cancel);
    }

    private static MigrationsFolder Folder(string longMigration)
    {
        var folder = MigrationsFolder.Empty();
        folder.WriteReadme("# Migrations\n");
        folder.AddMigration("0000_first", "CREATE TABLE interrupted_first (id int);\n", notRecommended: true);
        folder.AddMigration("0001_long", longMigration, notRecommended: true);
        return folder;
    }

    private static void AssertLockReleased(SqlProbe probe)
    {
        Assert.Equal(0L, probe.Count("SELECT count(*) FROM migration_lock"));
        Assert.Equal(0L, probe.Count(MigrationLockHeld));
    }

    private static void Send(string signal, int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", $"-{signal} {pid}");
        kill.WaitForExit();
    }
}
