using System.Diagnostics;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Reliability;

/// <summary>How a run is stopped from outside.</summary>
public enum Blow
{
    /// <summary>SIGKILL to streambot-migrate (and its children).</summary>
    Kill,

    /// <summary><c>pg_terminate_backend</c> on the session the run is using at that moment.</summary>
    Terminate,
}

/// <summary>
/// A real streambot-migrate stopped at each dangerous point, by SIGKILL or by pg_terminate_backend on its session.
/// The points are reached deterministically: the migration (or rollback, or pg_dump stand-in) waits on a gate the
/// test holds (an advisory lock, a file), so the blow lands exactly there. After each blow: nothing half-applied,
/// the lock free with nobody touching migration_lock, no half-written backup under a backup's name, and the next
/// run finishes the job.
/// </summary>
[Trait(Tier.Name, Tier.Reliability)]
[Collection(PostgresTestGroup.Name)]
public sealed class CrashTests(TestPostgres postgres)
{
    // The gate: a migration runs "SELECT pg_advisory_lock(4242)" and waits there while the test holds that key.
    private const string Gate = "SELECT pg_advisory_lock(4242);\nSELECT pg_advisory_unlock(4242);\n";
    private const string GateWaiter = "SELECT pid FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND locktype = 'advisory' AND objid = 4242 AND NOT granted";

    // The migration lock's advisory key, as pg_locks shows it.
    private const string MigrationLockHeld = "SELECT count(*) FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND locktype = 'advisory' AND classid = 1396854089 AND objid = 1196572500";

    [Theory]
    [InlineData(Blow.Kill)]
    [InlineData(Blow.Terminate)]
    public void While_waiting_for_the_lock(Blow blow)
    {
        using var world = new World(postgres);
        using (var holder = new SqlProbe(world.Url, "holder"))
        {
            holder.Execute("SELECT pg_advisory_lock(x'53424D4947524154'::bigint)");
            using var victim = world.Start("up --no-backup --lock-timeout 120");
            world.Probe.WaitFor("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'streambot-migrate lock'", "the waiter to poll", () => victim.Output);
            WaitForOutput(victim, "Waiting for the migration lock");
            Strike(blow, victim, world.Probe, "streambot-migrate lock");
        }

        world.AssertLockFreed();
        Assert.Equal(0, world.Probe.Count("SELECT count(*) FROM pg_tables WHERE tablename = 'crash_t'"));
        world.AssertNextUpFinishes();
    }

    [Theory]
    [InlineData(Blow.Kill)]
    [InlineData(Blow.Terminate)]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the pg_dump stand-in is a shell script
    public void During_pg_dump(Blow blow)
    {
        using var world = new World(postgres);
        // The real pg_dump writes the whole dump, then the stand-in holds its output open until the test says so:
        // the run is "inside pg_dump" with a complete-looking .partial file on disk.
        var bin = Path.Combine(world.Folder.Directory, "slow-bin");
        Directory.CreateDirectory(bin);
        var release = Path.Combine(bin, "release");
        var realPgDump = Which("pg_dump");
        File.WriteAllText(Path.Combine(bin, "pg_dump"), $"""
            #!/bin/sh
            if [ "$1" = --version ]; then exec "{realPgDump}" "$@"; fi
            "{realPgDump}" "$@" || exit $?
            touch "{bin}/dumped"
            i=0; while [ ! -e "{release}" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
            """.Replace("\r", "", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(Path.Combine(bin, "pg_dump"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = bin + ":" + Environment.GetEnvironmentVariable("PATH");

        using (var victim = world.Start($"up --backup-dir \"{world.Backups}\"", path))
        {
            WaitForFile(Path.Combine(bin, "dumped"), victim);
            Strike(blow, victim, world.Probe, "streambot-migrate lock");
            File.WriteAllText(release, "");
            if (blow == Blow.Terminate)
            {
                // The run lost its lock while pg_dump ran: the fence stops the first migration from committing.
                Assert.Equal(1, victim.WaitForExit(TimeSpan.FromMinutes(1)));
                Assert.Contains("error SBM4017", victim.Output, StringComparison.Ordinal);
                AssertNoStackTrace(victim.Output);
            }
        }

        Assert.Equal(0, world.Probe.Count("SELECT count(*) FROM pg_tables WHERE tablename = 'crash_t'"));
        var names = Directory.Exists(world.Backups) ? Directory.GetFiles(world.Backups).Select(Path.GetFileName).ToList() : [];
        if (blow == Blow.Kill)
        {
            // Killed before it could check the dump: only a .partial file, never a backup's name.
            Assert.All(names, n => Assert.EndsWith(".sql.partial", n, StringComparison.Ordinal));
        }

        world.AssertLockFreed();
        world.AssertNextUpFinishes($"--backup-dir \"{world.Backups}\"");
        // The next run removed the leftover and wrote one verified backup.
        var after = Directory.GetFiles(world.Backups).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(after, n => n!.EndsWith(".partial", StringComparison.Ordinal));
        Assert.Contains(after, n => n!.StartsWith("streambot_", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Blow.Kill)]
    [InlineData(Blow.Terminate)]
    public void Inside_a_transactional_migration(Blow blow)
    {
        using var world = new World(postgres);
        world.Folder.AddMigration("0001_gated", "CREATE TABLE crash_c (id int);\n" + Gate + "CREATE TABLE crash_c2 (id int);\n",
            "DROP TABLE crash_c2;\nDROP TABLE crash_c;", "SELECT 1 FROM pg_tables WHERE tablename = 'crash_c';");
        // 0000 committed before the blow; the terminated run says so, and that its session ended inside 0001.
        StrikeAtGate(world, "up --no-backup", blow, "streambot-migrate up", "SBM4024", "0001_gated.sql: error SBM4024", "nothing of it is applied", "stay applied");

        // 0000 committed in its own transaction; nothing of 0001 is there.
        Assert.Equal(1, world.Probe.Count("SELECT count(*) FROM drizzle_migrations"));
        Assert.Equal(0, world.Probe.Count("SELECT count(*) FROM pg_tables WHERE tablename IN ('crash_c', 'crash_c2')"));
        world.AssertLockFreed();
        world.AssertNextUpFinishes();
        Assert.Equal(2, world.Probe.Count("SELECT count(*) FROM pg_tables WHERE tablename IN ('crash_c', 'crash_c2')"));
    }

    [Theory]
    [InlineData(Blow.Kill)]
    [InlineData(Blow.Terminate)]
    public void Inside_a_transactional_migration_when_the_lock_session_dies(Blow blow)
    {
        // The lock's own session ends while the migration runs (the process lives on when terminated): the fence
        // must keep the migration from committing, because another applier may already hold the lock.
        using var world = new World(postgres);
        world.Folder.AddMigration("0001_gated", "CREATE TABLE crash_c (id int);\n" + Gate,
            "DROP TABLE crash_c;", "SELECT 1 FROM pg_tables WHERE tablename = 'crash_c';");
        StrikeAtGate(world, "up --no-backup", blow, "streambot-migrate lock", "SBM4017");

        Assert.Equal(0, world.Probe.Count("SELECT count(*) FROM pg_tables WHERE tablename = 'crash_c'"));
        Assert.Equal(0, world.Probe.Count("SELECT count(*) FROM drizzle_migrations WHERE name = '0001_gated'"));
        world.AssertLockFreed();
        world.AssertNextUpFinishes();
    }

    [Theory]
    [InlineData(Blow.Kill)]
    [InlineData(Blow.Terminate)]
    public void Between_statements_of_a_non_transactional_migration(Blow blow)
    {
        using var world = new World(postgres);
        world.Folder.AddMigration("0001_indexes",
            "CREATE INDEX CONCURRENTLY crash_a ON crash_t (a);\n" + Gate + "CREATE INDEX CONCURRENTLY crash_b ON crash_t (b);\n",
            "DROP INDEX crash_b;\nDROP INDEX crash_a;", "SELECT 1 FROM pg_indexes WHERE indexname IN ('crash_a', 'crash_b');");
        StrikeAtGate(world, "up --no-backup", blow, "streambot-migrate up", "SBM4024", "Statement 1 (line 1) ran and stays applied.", "--resume-from 2");

        world.AssertLockFreed();
        AssertRefusesThenResumes(world, "0001_indexes", resumeFrom: 2, ran: "Statement 1 (line 1) ran.");
        Assert.Equal(2, world.Probe.Count("SELECT count(*) FROM pg_index WHERE indexrelid IN ('crash_a'::regclass, 'crash_b'::regclass) AND indisvalid"));
    }

    [Theory]
    [InlineData(Blow.Kill)]
    [InlineData(Blow.Terminate)]
    public void Inside_create_index_concurrently(Blow blow)
    {
        using var world = new World(postgres);
        world.Folder.AddMigration("0001_index", "CREATE INDEX CONCURRENTLY crash_idx ON crash_t (a);\n",
            "DROP INDEX crash_idx;", "SELECT 1 FROM pg_indexes WHERE indexname = 'crash_idx';");
        using (var writer = new SqlProbe(world.Url, "writer"))
        {
            // A writer's open transaction makes CREATE INDEX CONCURRENTLY wait after it has created the (INVALID)
            // index: the blow lands half-way through the build.
            world.ApplyBase();
            writer.Execute("BEGIN");
            writer.Execute("LOCK TABLE crash_t IN ROW EXCLUSIVE MODE");
            using var victim = world.Start("up --no-backup");
            world.Probe.WaitFor("SELECT 1 FROM pg_index WHERE indexrelid = to_regclass('crash_idx') AND NOT indisvalid", "the INVALID index to appear", () => victim.Output);
            var builder = Convert.ToInt32(world.Probe.WaitFor("SELECT pid FROM pg_stat_progress_create_index", "the build to show", () => victim.Output), System.Globalization.CultureInfo.InvariantCulture);
            Strike(blow, victim, world.Probe, "streambot-migrate up");
            // The build's session must end by itself (client_connection_check_interval) before the writer lets go.
            world.Probe.WaitFor($"SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = {builder})", "the build's session to end", () => victim.Output, seconds: 15);
            writer.Execute("COMMIT");
        }

        Assert.Equal(1, world.Probe.Count("SELECT count(*) FROM pg_index WHERE indexrelid = to_regclass('crash_idx') AND NOT indisvalid"));
        var (statusExit, status) = world.Run("status");
        Assert.Equal(0, statusExit);
        Assert.Contains("INVALID index public.crash_idx", status, StringComparison.Ordinal);
        Assert.Contains("interrupted", status, StringComparison.Ordinal);
        world.AssertLockFreed();

        var resumed = AssertRefusesThenResumes(world, "0001_index", resumeFrom: 1, ran: "No statement is recorded as done");
        Assert.Contains("Dropped the INVALID index public.crash_idx", resumed, StringComparison.Ordinal);
        Assert.Equal(1, world.Probe.Count("SELECT count(*) FROM pg_index WHERE indexrelid = to_regclass('crash_idx') AND indisvalid"));
        Assert.DoesNotContain("INVALID", world.Run("status").Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Blow.Kill)]
    [InlineData(Blow.Terminate)]
    public void During_rollback(Blow blow)
    {
        using var world = new World(postgres);
        world.Folder.AddMigration("0001_table", "CREATE TABLE crash_e (id int);\n",
            "SELECT pg_advisory_lock(4242);\nSELECT pg_advisory_unlock(4242);\nDROP TABLE crash_e;", "SELECT 1 FROM pg_tables WHERE tablename = 'crash_e';");
        world.AssertNextUpFinishes();
        StrikeAtGate(world, "down --no-backup", blow, "streambot-migrate down", "SBM4012");

        // As it was: the table and its journal row are both still there.
        Assert.Equal(1, world.Probe.Count("SELECT count(*) FROM pg_tables WHERE tablename = 'crash_e'"));
        Assert.Equal(2, world.Probe.Count("SELECT count(*) FROM drizzle_migrations"));
        world.AssertLockFreed();
        var (exit, output) = world.Run("down --no-backup");
        Assert.True(exit == 0, output);
        Assert.Equal(0, world.Probe.Count("SELECT count(*) FROM pg_tables WHERE tablename = 'crash_e'"));
        Assert.Equal(1, world.Probe.Count("SELECT count(*) FROM drizzle_migrations"));
    }

    private static string AssertRefusesThenResumes(World world, string name, int resumeFrom, string ran)
    {
        var (exit, output) = world.Run("up --no-backup");
        Assert.Equal(1, exit);
        Assert.Contains("error SBM4018", output, StringComparison.Ordinal);
        Assert.Contains($"{name}.sql(", output, StringComparison.Ordinal);
        Assert.Contains(ran, output, StringComparison.Ordinal);
        Assert.Contains($"--resume-from {resumeFrom}", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
        Assert.Equal(0, world.Probe.Count($"SELECT count(*) FROM drizzle_migrations WHERE name = '{name}'"));

        var (resumedExit, resumed) = world.Run($"up --no-backup --resume-from {resumeFrom}");
        Assert.True(resumedExit == 0, resumed);
        Assert.Equal(1, world.Probe.Count($"SELECT count(*) FROM drizzle_migrations WHERE name = '{name}'"));
        Assert.Equal(0, world.Probe.Count("SELECT count(*) FROM drizzle_migrations_progress"));
        return resumed;
    }

    /// <summary>
    /// Starts <paramref name="arguments"/> against a migration (or rollback) that waits on the gate, strikes the
    /// session named <paramref name="session"/> there, then opens the gate. A terminated run must end by itself with
    /// <paramref name="code"/> and the given text, and no stack trace.
    /// </summary>
    private static void StrikeAtGate(World world, string arguments, Blow blow, string session, string code, params string[] text)
    {
        using var gate = world.HoldGate();
        using var victim = world.Start(arguments);
        world.Probe.WaitFor(GateWaiter, "the run to reach the gate", () => victim.Output);
        Strike(blow, victim, world.Probe, session);
        gate.Dispose();
        if (blow == Blow.Terminate)
        {
            Assert.Equal(1, victim.WaitForExit(TimeSpan.FromMinutes(1)));
            Assert.Contains("error " + code, victim.Output, StringComparison.Ordinal);
            Assert.All(text, t => Assert.Contains(t, victim.Output, StringComparison.Ordinal));
            AssertNoStackTrace(victim.Output);
        }
    }

    private static void Strike(Blow blow, ChildProcess victim, SqlProbe probe, string session)
    {
        if (blow == Blow.Kill)
        {
            victim.Kill();
            victim.WaitForExit(TimeSpan.FromSeconds(30));
            return;
        }

        // With a timeout, pg_terminate_backend returns once the session is gone (its locks with it), so the gate opens
        // after the blow has landed, not while the dying session still holds what it held.
        var terminated = probe.Count($"SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 30000) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '{session}') t");
        Assert.True(terminated == 1, $"expected one '{session}' session, terminated {terminated}\n{victim.Output}");
    }

    private static void WaitForOutput(ChildProcess process, string text)
    {
        var clock = Stopwatch.StartNew();
        while (!process.Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"no '{text}' in:\n{process.Output}");
            Thread.Sleep(50);
        }
    }

    private static void WaitForFile(string path, ChildProcess process)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"no {path}; output:\n{process.Output}");
            Thread.Sleep(50);
        }
    }

    private static void AssertNoStackTrace(string output) =>
        Assert.DoesNotMatch(@"^\s+at \S+\(", output);

    private static string Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{tool} is not on PATH");

    /// <summary>A fresh database with one applied-to-be base migration (table crash_t), and the tools to hit it.</summary>
    private sealed class World : IDisposable
    {
        private const string BaseSql = "CREATE TABLE crash_t (a int, b int);\n";

        public World(TestPostgres postgres)
        {
            Url = postgres.CreateDatabase();
            Folder = MigrationsFolder.Empty();
            Folder.WriteReadme("# Crash\n");
            Folder.AddMigration("0000_base", BaseSql, notRecommended: true);
            Backups = Folder.Directory + "-backups";
            Probe = new SqlProbe(Url);
        }

        public string Url { get; }

        public MigrationsFolder Folder { get; }

        public string Backups { get; }

        public SqlProbe Probe { get; }

        public ChildProcess Start(string arguments, string? path = null)
        {
            var env = new Dictionary<string, string?> { ["DATABASE_URL"] = Url };
            if (path is not null)
            {
                env["PATH"] = path;
            }

            return CliProcess.Start($"{arguments} --dir \"{Folder.Directory}\"", env);
        }

        public (int ExitCode, string Output) Run(string arguments)
        {
            using var process = Start(arguments);
            return (process.WaitForExit(TimeSpan.FromMinutes(2)), process.Output);
        }

        /// <summary>Applies 0000_base alone (from a folder holding only it), so a test can lock its table first.</summary>
        public void ApplyBase()
        {
            using var subset = MigrationsFolder.Empty();
            subset.WriteReadme("# Crash\n");
            subset.AddMigration("0000_base", BaseSql, notRecommended: true);
            var (exit, output) = CliProcess.Run($"up --no-backup --dir \"{subset.Directory}\"", new Dictionary<string, string?> { ["DATABASE_URL"] = Url });
            Assert.True(exit == 0, output);
        }

        public SqlProbe HoldGate()
        {
            var gate = new SqlProbe(Url, "gate");
            gate.Execute("SELECT pg_advisory_lock(4242)");
            return gate;
        }

        /// <summary>The migration lock is free within the documented bound, with nobody touching migration_lock.</summary>
        public void AssertLockFreed() =>
            Probe.WaitFor($"SELECT 1 WHERE ({MigrationLockHeld}) = 0", "the migration lock to be released", () => "", seconds: 10);

        public void AssertNextUpFinishes(string extra = "--no-backup")
        {
            var (exit, output) = Run($"up {extra} --lock-timeout 30");
            Assert.True(exit == 0, output);
            AssertNoStackTrace(output);
            var files = Directory.GetFiles(Folder.Directory, "*.sql").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(files.Count, Probe.Count("SELECT count(*) FROM drizzle_migrations"));
            Assert.Equal(0, Probe.Count(MigrationLockHeld));
            Assert.Equal(0, Probe.Count("SELECT count(*) FROM migration_lock"));
        }

        public void Dispose()
        {
            Probe.Dispose();
            Folder.Dispose();
            if (Directory.Exists(Backups))
            {
                Directory.Delete(Backups, recursive: true);
            }
        }
    }
}
