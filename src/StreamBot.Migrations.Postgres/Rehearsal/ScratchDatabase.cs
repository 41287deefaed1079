using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Postgres.Rehearsal;

/// <summary>
/// A database of its own for one rehearsal, on the configured server: a unique name, created from the server's
/// default template (as production's database was), dropped when disposed, whatever happened in between. Each one
/// carries a marker (a comment on the database: the creating process, its host, the time), so a rehearsal killed
/// before it could drop its database (SIGKILL, a CI timeout) is found and dropped by the next one: left alone, a
/// scratch database restored from a backup would keep production's rows on the server forever.
/// </summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    public const string Prefix = "streambot_rehearsal_";

    private const string MarkerStart = "streambot-migrate rehearsal scratch database; pid ";

    // A rehearsal on another host cannot be checked for life: its database is stale once this old with no session on it.
    private static readonly TimeSpan ForeignStaleAfter = TimeSpan.FromHours(6);

    private readonly ConnectionSettings _server;

    private ScratchDatabase(ConnectionSettings server, string name)
    {
        _server = server;
        Name = name;
        Settings = server.WithDatabase(name);
    }

    public string Name { get; }

    /// <summary>Where the rehearsal runs.</summary>
    public ConnectionSettings Settings { get; }

    public static async Task<ScratchDatabase> CreateAsync(ConnectionSettings server, Action<string> log, CancellationToken cancellation)
    {
        var name = Prefix + Guid.NewGuid().ToString("N")[..12];
        await using var admin = await Database.OpenAsync(server, "rehearsal", cancellation).ConfigureAwait(false);
        await DropStaleAsync(admin, log, cancellation).ConfigureAwait(false);
        try
        {
            await using var create = Database.Command(admin, $"CREATE DATABASE \"{name}\"");
            await create.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
            var marker = string.Create(CultureInfo.InvariantCulture, $"{MarkerStart}{Environment.ProcessId} on {Environment.MachineName}, created {DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ}");
            await using var comment = Database.Command(admin, $"COMMENT ON DATABASE \"{name}\" IS '{marker.Replace("'", "''", StringComparison.Ordinal)}'");
            await comment.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            throw new MigrationException(RehearsalDiagnostics.ScratchUnavailable($"CREATE DATABASE on {server.Describe()} failed: {e.MessageText} (SQLSTATE {e.SqlState})."));
        }

        return new ScratchDatabase(server, name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = await Database.OpenAsync(_server, "rehearsal").ConfigureAwait(false);
        await using var drop = Database.Command(admin, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
        await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Drops the scratch databases earlier rehearsals left: marked ones that no session uses whose process is gone (on
    /// this host) or that are older than <see cref="ForeignStaleAfter"/> (another host's). Unmarked ones (an earlier
    /// version's) are named, not dropped: nothing tells whether one is being created at this moment.
    /// </summary>
    private static async Task DropStaleAsync(NpgsqlConnection admin, Action<string> log, CancellationToken cancellation)
    {
        var found = new List<(string Name, string? Marker, bool InUse)>();
        await using (var list = Database.Command(admin, """
            SELECT d.datname, pg_catalog.shobj_description(d.oid, 'pg_database'),
                   EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.datid = d.oid)
            FROM pg_catalog.pg_database d WHERE d.datname LIKE 'streambot\_rehearsal\_%'
            """))
        await using (var reader = await list.ExecuteReaderAsync(cancellation).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                found.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetBoolean(2)));
            }
        }

        foreach (var (name, marker, inUse) in found.Where(f => !f.InUse))
        {
            if (marker is null || !marker.StartsWith(MarkerStart, StringComparison.Ordinal))
            {
                log($"The database {name} looks like a scratch database of an earlier version's rehearsal; if no rehearsal is running, drop it: DROP DATABASE \"{name}\";");
                continue;
            }

            if (Stale(marker) is not { } why)
            {
                continue;
            }

            try
            {
                await using var drop = Database.Command(admin, $"DROP DATABASE IF EXISTS \"{name}\"");
                await drop.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
                log($"Dropped {name}, a scratch database left by a rehearsal that did not finish ({why}).");
            }
            catch (PostgresException e)
            {
                log($"Could not drop {name}, a scratch database left by a rehearsal that did not finish ({why}): {e.MessageText}.");
            }
        }
    }

    // "… pid 4242 on ci-runner, created 2026-12-06T06:00:00Z": why it is stale, or null while it may still be in use.
    private static string? Stale(string marker)
    {
        var parts = marker[MarkerStart.Length..].Split([" on ", ", created "], StringSplitOptions.None);
        if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !DateTimeOffset.TryParse(parts[2], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
        {
            return null;
        }

        if (parts[1] == Environment.MachineName)
        {
            return ProcessIsGone(pid) ? $"process {pid} on this host is gone" : null;
        }

        return DateTimeOffset.UtcNow - created > ForeignStaleAfter ? $"made on {parts[1]} at {parts[2]}, over {ForeignStaleAfter.TotalHours:0} hours ago, and no session uses it" : null;
    }

    private static bool ProcessIsGone(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
