using System.Net;
using System.Net.Sockets;
using StreamBot.Migrations.Postgres.Rehearsal;

namespace StreamBot.Migrations.Testing;

/// <summary>
/// A primary of its own and a real streaming standby of it, made with pg_basebackup on loopback, for the tests of
/// what replication changes (backfill throttling, waiting for replicas). Separate from the shared server: pausing
/// this standby's replay must not slow any other test. Both are stopped by their data directories' pids on dispose.
/// </summary>
public sealed class ReplicatedPostgres : IDisposable
{
    /// <summary>The standby's application_name, as pg_stat_replication shows it.</summary>
    public const string StandbyName = "standby1";

    private readonly string _bin;
    private readonly string _standbyDirectory;
    private bool _standbyRunning;

    public ReplicatedPostgres()
    {
        var found = ThrowawayServer.FindServerBinaries() ?? throw new InvalidOperationException("The replication tests need PostgreSQL server binaries (pg_basebackup, pg_ctl).");
        // pg_ctl may be a link (/usr/local/bin/pg_ctl): pg_basebackup sits beside its target.
        var pgCtl = Path.Combine(found, "pg_ctl");
        _bin = Path.GetDirectoryName(File.ResolveLinkTarget(pgCtl, returnFinalTarget: true)?.FullName ?? pgCtl)!;
        Primary = new LocalPostgresServer();
        _standbyDirectory = Path.Combine(Path.GetTempPath(), "sbm-standby-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            StartStandby();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public LocalPostgresServer Primary { get; }

    public int StandbyPort { get; private set; }

    /// <summary>A fresh database on the primary (it reaches the standby by replication).</summary>
    public string CreateDatabase()
    {
        var name = "sbm_" + Guid.NewGuid().ToString("N")[..16];
        var result = TestPostgres.Psql(Primary.ServerUrl + "/postgres", $"-c \"CREATE DATABASE {name}\"");
        return result.ExitCode == 0 ? Primary.ServerUrl + "/" + name : throw new InvalidOperationException("CREATE DATABASE failed: " + result.Error);
    }

    /// <summary>The same database on the standby (read-only).</summary>
    public string OnStandby(string primaryUrl) => primaryUrl.Replace($":{Primary.Port}/", $":{StandbyPort}/", StringComparison.Ordinal);

    /// <summary>Runs one query on the standby in the database of <paramref name="primaryUrl"/>.</summary>
    public string OnStandbyScalarIn(string primaryUrl, string sql) => OnStandbyScalar(sql, primaryUrl);

    /// <summary>Runs one statement on the standby, in the database of <paramref name="primaryUrl"/> (default: postgres), and returns its output.</summary>
    public string OnStandbyScalar(string sql, string? primaryUrl = null)
    {
        var result = TestPostgres.Psql(OnStandby(primaryUrl ?? Primary.ServerUrl + "/postgres"), $"-tA -c \"{sql}\"");
        return result.ExitCode == 0 ? result.Output.Trim() : throw new InvalidOperationException($"{sql} on the standby failed: {result.Error}");
    }

    public void PauseReplay() => OnStandbyScalar("SELECT pg_wal_replay_pause()");

    public void ResumeReplay() => OnStandbyScalar("SELECT pg_wal_replay_resume()");

    private void StartStandby()
    {
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            StandbyPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        Directory.CreateDirectory(_standbyDirectory);
        GiveToPostgres();
        var data = Path.Combine(_standbyDirectory, "data");
        // Over the primary's Unix socket, where initdb's pg_hba trusts local replication connections.
        Run(Path.Combine(_bin, "pg_basebackup"), ["-h", Primary.SocketDirectory, "-p", Primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres",
            "-D", data, "-X", "stream", "-c", "fast", "--no-sync"], asPostgres: true);
        File.WriteAllText(Path.Combine(data, "standby.signal"), string.Empty);
        // The standby reports its replay position every second (10 s by default), so the primary's view of its lag is fresh.
        File.AppendAllText(Path.Combine(data, "postgresql.auto.conf"),
            $"\nprimary_conninfo = 'host={Primary.SocketDirectory} port={Primary.Port} user=postgres application_name={StandbyName}'\nwal_receiver_status_interval = 1s\n");
        GiveToPostgres();
        // A hot standby needs max_connections at least the primary's (LocalPostgresServer's 200).
        var log = Path.Combine(_standbyDirectory, "server.log");
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-o", $"-p {StandbyPort} -k {_standbyDirectory} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c full_page_writes=off",
                "-l", log, "-w", "-t", "60", "start"], asPostgres: true);
        }
        catch (InvalidOperationException e) when (File.Exists(log))
        {
            throw new InvalidOperationException(e.Message + " Standby log: " + File.ReadAllText(log), e);
        }

        _standbyRunning = true;
        StopBothWhenThisProcessExits();
        // Streaming, not just started: pg_stat_replication on the primary lists it.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (TestPostgres.Psql(Primary.ServerUrl + "/postgres", $"-tA -c \"SELECT count(*) FROM pg_stat_replication WHERE application_name = '{StandbyName}' AND state = 'streaming'\"").Output.Trim() != "1")
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("The standby did not start streaming within 30 s: " + File.ReadAllText(Path.Combine(_standbyDirectory, "server.log")));
            }

            Thread.Sleep(100);
        }
    }

    // Dispose stops both; if this process dies first (a killed test host, a benchmark stopped with Ctrl-C), a watcher outside its tree does.
    private void StopBothWhenThisProcessExits()
    {
        Primary.StopWhenThisProcessExits();
        var pgCtl = Path.Combine(_bin, "pg_ctl");
        var stop = ThrowawayServer.RunsAsPostgres ? $"runuser -u postgres -- \"{pgCtl}\"" : $"\"{pgCtl}\"";
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 0.5; done; " +
                     $"{stop} -D \"{Path.Combine(_standbyDirectory, "data")}\" -m immediate -w stop >/dev/null 2>&1; rm -rf \"{_standbyDirectory}\"";
        using var watcher = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("setsid", ["-f", "sh", "-c", script]) { UseShellExecute = false });
    }

    public void Dispose()
    {
        try
        {
            if (_standbyRunning)
            {
                Run(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_standbyDirectory, "data"), "-m", "immediate", "-w", "stop"], asPostgres: true);
            }
        }
        finally
        {
            Primary.Dispose();
            if (Directory.Exists(_standbyDirectory))
            {
                Directory.Delete(_standbyDirectory, recursive: true);
            }
        }
    }

    // PostgreSQL runs as postgres under root, and must own its directory.
    private void GiveToPostgres()
    {
        if (ThrowawayServer.RunsAsPostgres)
        {
            Run("chown", ["-R", "postgres:postgres", _standbyDirectory], asPostgres: false);
        }
    }

    private static void Run(string fileName, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var command = asPostgres && ThrowawayServer.RunsAsPostgres ? "runuser" : fileName;
        IEnumerable<string> all = asPostgres && ThrowawayServer.RunsAsPostgres ? ["-u", "postgres", "--", fileName, .. arguments] : arguments;
        var result = ChildProcess.Run(command, string.Join(' ', all.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)), timeout: TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} failed ({result.ExitCode}): {result.Output}");
        }
    }
}
