using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Postgres.Rehearsal;

/// <summary>
/// A database of its own for one rehearsal, on the configured server: a unique name, created from the server's
/// default template (as production's database was), dropped when disposed, whatever happened in between.
/// </summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    public const string Prefix = "streambot_rehearsal_";

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

    public static async Task<ScratchDatabase> CreateAsync(ConnectionSettings server, CancellationToken cancellation)
    {
        var name = Prefix + Guid.NewGuid().ToString("N")[..12];
        await using var admin = await Database.OpenAsync(server, "rehearsal", cancellation).ConfigureAwait(false);
        try
        {
            await using var create = Database.Command(admin, $"CREATE DATABASE \"{name}\"");
            await create.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
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
}
