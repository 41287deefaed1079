using System.Text.RegularExpressions;
using StreamBot.Migrations.Cli;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Reliability;

/// <summary>
/// The hostile and broken input corpus. Every case must end in the expected coded diagnostic (with the file, and a
/// line and column where one applies), within a time bound, with no stack trace; database cases must also leave a
/// sentinel table untouched and never print the password.
/// </summary>
[Trait(Tier.Name, Tier.Reliability)]
public sealed partial class HostileInputTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [GeneratedRegex(@"^\s+at \S+|Unhandled exception|Exception:", RegexOptions.Multiline)]
    private static partial Regex StackTrace();

    public static TheoryData<HostileFolderCase> FolderCases() => [.. HostileFolderCases.All()];

    [Theory]
    [MemberData(nameof(FolderCases))]
    public async Task Folder_case(HostileFolderCase hostile)
    {
        using var folder = MigrationsFolder.Valid();
        hostile.Break(folder);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await Task.Run(() => CommandLine.Run(["validate", folder.Directory], stdout, stderr)).WaitAsync(Bound);
        var output = stdout + "\n" + stderr;

        Assert.DoesNotMatch(StackTrace(), output);
        // Printed as the CLI prints every line: control characters in a name become visible escapes.
        var location = Regex.Escape(StreamBot.Migrations.Diagnostics.Printable.Of(Path.Combine(folder.Directory, hostile.File))) + (hostile.Located ? @"\(\d+,\d+\)" : "");
        Assert.True(new Regex(location + @": (error|warning) " + hostile.Code, RegexOptions.Multiline).IsMatch(output), $"expected {hostile.Code} at {hostile.File}:\n{output}");
        Assert.Equal(output.Contains(": error SBM", StringComparison.Ordinal) ? 1 : 0, exit);
    }

    public static TheoryData<string, string, string> ConnectionCases() => new()
    {
        // name, connection string ({server} = host:port of the test server, {user}; the password is always "Hostile-Pw_41"), code
        // As in libpq, a URI that names nothing means the default socket directory and the OS user: it connects or fails there.
        { "empty URI", "postgres://", "SBM4003" },
        { "port not a number", "postgres://{user}:Hostile-Pw_41@127.0.0.1:notaport/app", "SBM4002" },
        { "port out of range", "postgres://{user}:Hostile-Pw_41@127.0.0.1:99999/app", "SBM4002" },
        { "broken IPv6 host", "postgres://{user}:Hostile-Pw_41@[::1:5432/app", "SBM4002" },
        { "another scheme", "mysql://{user}:Hostile-Pw_41@127.0.0.1/app", "SBM4002" },
        { "bad percent-encoding", "postgres://{user}:Hostile-Pw_41%zz@127.0.0.1:{closed}/app", "SBM4002|SBM4003" },
        { "newline inside", "postgres://{user}:Hostile-Pw_41@127.0.0.1\n:5432/app", "SBM4002" },
        { "unknown sslmode", "postgres://{user}:Hostile-Pw_41@{server}/postgres?sslmode=banana", "SBM4002" },
        { "unknown URI parameter", "postgres://{user}:Hostile-Pw_41@{server}/postgres?frobnicate=1", "SBM4002" },
        { "keyword form, port not a number", "Host=127.0.0.1;Port=abc;Username={user};Password=Hostile-Pw_41", "SBM4002" },
        { "keyword form, unknown key", "Host=127.0.0.1;Flux Capacitor=on;Username={user};Password=Hostile-Pw_41", "SBM4002" },
        { "keyword form, unbalanced quote", "Host=127.0.0.1;Password='Hostile-Pw_41;Username={user}", "SBM4002" },
        { "nothing listens on the port", "postgres://{user}:Hostile-Pw_41@127.0.0.1:{closed}/postgres", "SBM4003" },
        { "wrong password", "postgres://{user}:Hostile-Pw_41@{server}/postgres", "SBM4003" },
        { "database does not exist", "postgres://{user}:{password}@{server}/no_such_database", "SBM4003" },
        { "TLS required, wrong password", "postgres://{user}:Hostile-Pw_41@{server}/postgres?sslmode=require", "SBM4003" },
        { "keyword form, TLS required", "Host=127.0.0.1;Port={port};Username={user};Password=Hostile-Pw_41;SSL Mode=Require", "SBM4003" },
        { "libpq keyword form, nothing listens", "host=127.0.0.1 port={closed} dbname=bot user={user} password=Hostile-Pw_41", "SBM4003" },
        { "libpq keyword form, wrong password", "host=127.0.0.1 port={port} dbname=postgres user={user} password=Hostile-Pw_41", "SBM4003" },
        { "libpq keyword form, unknown keyword", "host=127.0.0.1 port={port} frobnicate=1 password=Hostile-Pw_41", "SBM4002" },
        { "libpq keyword form, unterminated quote", "host=127.0.0.1 port={port} password='Hostile-Pw_41", "SBM4002" },
        { "libpq keyword form, keyword without '='", "host=127.0.0.1 port={port} password Hostile-Pw_41", "SBM4002" },
        { "socket directory that does not exist", "postgres://{user}:Hostile-Pw_41@/postgres?host=/nonexistent/socket/dir", "SBM4003" },
        { "ten thousand characters of host", "postgres://{user}:Hostile-Pw_41@" + new string('h', 10_000) + ":5432/app", "SBM4002|SBM4003" },
    };

    [Theory]
    [MemberData(nameof(ConnectionCases))]
    public void Connection_case(string name, string connection, string code)
    {
        _ = name;
        var server = new Uri(postgres.ServerUrl);
        var user = Uri.UnescapeDataString(server.UserInfo.Split(':')[0]);
        var password = Uri.UnescapeDataString(server.UserInfo.Split(':')[1]);
        var url = connection.Replace("{server}", $"{server.Host}:{server.Port}", StringComparison.Ordinal)
            .Replace("{port}", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{closed}", ClosedPort().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{user}", user, StringComparison.Ordinal)
            .Replace("{password}", Uri.EscapeDataString(password), StringComparison.Ordinal);
        using var folder = MigrationsFolder.ForDatabase();
        foreach (var command in new[] { "status", "up --no-backup", "down --no-backup" })
        {
            var output = Run($"{command} --dir \"{folder.Directory}\"", url, expectedExit: 1);
            Assert.Matches(new Regex($"error ({code})"), output);
            Assert.DoesNotContain("Hostile-Pw_41", output, StringComparison.Ordinal);
            Assert.DoesNotContain(password, output, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string> DatabaseCases() => [.. TamperCases.Keys];

    /// <summary>
    /// Journal, lock and progress tables tampered with, and hostile arguments, against a database where
    /// <see cref="MigrationsFolder.ForDatabase"/> is applied and a sentinel table holds three rows.
    /// </summary>
    private static readonly Dictionary<string, (string Tamper, string Arguments, string Code)> TamperCases = new()
    {
        ["journal row whose file is gone"] = ("INSERT INTO drizzle_migrations (name, hash, execution_ms, applied_by) VALUES ('0009_ghost', 'x', 1, 'me')", "up", "SBM4007"),
        ["journal row named with quotes and semicolons"] = ("INSERT INTO drizzle_migrations (name, hash, execution_ms, applied_by) VALUES ($$0003_x'); DROP TABLE sentinel; --$$, 'x', 1, 'me')", "up", "SBM4007"),
        ["rollback of a row named with quotes and semicolons"] = ("INSERT INTO drizzle_migrations (name, hash, execution_ms, applied_by) VALUES ($$0003_x'); DROP TABLE sentinel; --$$, 'x', 1, 'me')", "down \"0003_x'); DROP TABLE sentinel; --\"", "SBM4007"),
        ["journal without its unique name, listing a migration twice"] = ("ALTER TABLE drizzle_migrations DROP CONSTRAINT drizzle_migrations_name_key; INSERT INTO drizzle_migrations (name, hash, execution_ms, applied_by) SELECT name, hash, execution_ms, applied_by FROM drizzle_migrations WHERE name = '0001_add_balances'", "up", "SBM4009"),
        ["journal checksum edited"] = ("UPDATE drizzle_migrations SET hash = 'deadbeef' WHERE name = '0001_add_balances'", "up", "SBM4006"),
        ["journal hash column of another type"] = ("ALTER TABLE drizzle_migrations ALTER COLUMN hash TYPE bytea USING hash::bytea", "up", "SBM4009"),
        ["journal without applied_by"] = ("ALTER TABLE drizzle_migrations DROP COLUMN applied_by", "status", "SBM4009"),
        ["journal with a NULL name"] = ("ALTER TABLE drizzle_migrations ALTER COLUMN name DROP NOT NULL; INSERT INTO drizzle_migrations (name, hash, execution_ms, applied_by) VALUES (NULL, 'x', 1, 'me')", "status", "SBM4009"),
        ["journal execution_ms as text"] = ("ALTER TABLE drizzle_migrations ALTER COLUMN execution_ms TYPE text; UPDATE drizzle_migrations SET execution_ms = 'fast'", "status", "SBM4009"),
        ["journal is a view"] = ("ALTER TABLE drizzle_migrations RENAME TO journal_data; CREATE VIEW drizzle_migrations AS SELECT name FROM journal_data", "status", "SBM4009"),
        ["journal table name injection"] = ("SELECT 1", "up --journal-table \"\\\"drizzle_migrations; DROP TABLE sentinel; --\\\"\"", "SBM4005"),
        ["journal in a schema that does not exist"] = ("SELECT 1", "up --journal-table \"no_such_schema.journal\"", "SBM4016|SBM4009"),
        ["lock row held by a live foreign session"] = ("DROP TABLE migration_lock; CREATE TABLE migration_lock (lock_id integer PRIMARY KEY, locked_by text NOT NULL, locked_at timestamptz NOT NULL DEFAULT now(), heartbeat_at timestamptz, backend_pid integer); INSERT INTO migration_lock VALUES (1, 'ops@bastion (psql)', now(), now(), pg_backend_pid()); DELETE FROM drizzle_migrations WHERE name = '0002_add_balance_check'", "up --lock-timeout 1", "SBM4004"),
        ["lock row with a heartbeat in year 9999"] = ("DROP TABLE migration_lock; CREATE TABLE migration_lock (lock_id integer PRIMARY KEY, locked_by text NOT NULL, locked_at timestamptz NOT NULL DEFAULT now()); INSERT INTO migration_lock VALUES (1, 'someone', '9999-01-01'); DELETE FROM drizzle_migrations WHERE name = '0002_add_balance_check'", "up --lock-timeout 1", "SBM4004"),
        ["lock row with terminal escapes in locked_by"] = ("DROP TABLE migration_lock; CREATE TABLE migration_lock (lock_id integer PRIMARY KEY, locked_by text NOT NULL, locked_at timestamptz NOT NULL DEFAULT now()); INSERT INTO migration_lock VALUES (1, E'\\x1b[2J\\x1b[31mevil\\r\\n', now()); DELETE FROM drizzle_migrations WHERE name = '0002_add_balance_check'", "up --lock-timeout 1", "SBM4004"),
        ["lock table with lock_id as text"] = ("DROP TABLE migration_lock; CREATE TABLE migration_lock (lock_id text PRIMARY KEY, locked_by int, locked_at text); INSERT INTO migration_lock VALUES ('1', 7, 'yesterday'); DELETE FROM drizzle_migrations WHERE name = '0002_add_balance_check'", "up", "SBM4009"),
        ["lock table is a view"] = ("DROP TABLE migration_lock; CREATE VIEW migration_lock AS SELECT 1 AS lock_id; DELETE FROM drizzle_migrations WHERE name = '0002_add_balance_check'", "up", "SBM4009|SBM4016"),
        ["progress table of another shape"] = ("CREATE TABLE drizzle_migrations_progress (name text, statements_done text); DELETE FROM drizzle_migrations WHERE name = '0002_add_balance_check'", "up", "SBM4009"),
        ["progress row for a pending migration"] = ("CREATE TABLE drizzle_migrations_progress (name text PRIMARY KEY, hash text NOT NULL, statements_done integer NOT NULL, statements_total integer NOT NULL, started_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL); INSERT INTO drizzle_migrations_progress VALUES ('0002_add_balance_check', 'x', 7, 9, now(), now(), 'me'); DELETE FROM drizzle_migrations WHERE name = '0002_add_balance_check'", "up", "SBM4018"),
        ["resume asked for with nothing interrupted"] = ("DELETE FROM drizzle_migrations WHERE name = '0002_add_balance_check'", "up --resume-from 2", "SBM4019"),
        ["rollback target escaping with ../"] = ("SELECT 1", "down ../../etc/passwd", "SBM4013"),
        ["rollback target that is not applied"] = ("SELECT 1", "down 0007_never", "SBM4013"),
        ["migrations directory that does not exist"] = ("SELECT 1", "up --dir ../../../no/such/dir", "SBM1001"),
    };

    [Theory]
    [MemberData(nameof(DatabaseCases))]
    public void Database_case(string name)
    {
        var (tamper, arguments, code) = TamperCases[name];
        using var folder = MigrationsFolder.ForDatabase();
        var url = postgres.CreateDatabase();
        using var probe = new SqlProbe(url);
        probe.Execute("CREATE TABLE sentinel (v int); INSERT INTO sentinel VALUES (1), (2), (3)");
        Run($"up --no-backup --dir \"{folder.Directory}\"", url, expectedExit: 0);
        probe.Execute(tamper);

        var dir = arguments.Contains("--dir", StringComparison.Ordinal) ? "" : $" --dir \"{folder.Directory}\"";
        // Only the commands that back up take --no-backup.
        var noBackup = arguments.StartsWith("up", StringComparison.Ordinal) || arguments.StartsWith("down", StringComparison.Ordinal) ? " --no-backup" : string.Empty;
        var output = Run($"{arguments}{noBackup}{dir}", url, expectedExit: 1);
        Assert.Matches(new Regex($"error ({code})"), output);
        Assert.Equal(3, probe.Count("SELECT count(*) FROM sentinel"));
        Assert.DoesNotContain("\u001b", output, StringComparison.Ordinal);
    }

    private static string Run(string arguments, string url, int expectedExit)
    {
        using var cli = CliProcess.Start(arguments, new Dictionary<string, string?> { ["DATABASE_URL"] = url });
        var exit = cli.WaitForExit(Bound);
        var output = cli.Output;
        Assert.True(exit == expectedExit, $"exit {exit}, expected {expectedExit}:\n{output}");
        Assert.DoesNotMatch(StackTrace(), output);
        DiagnosticLines.AssertWellFormed(output);
        return output;
    }

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
