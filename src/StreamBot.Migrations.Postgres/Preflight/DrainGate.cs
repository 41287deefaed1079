using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Preflight;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Preflight;

/// <summary>How a contract step waits for older versions of the app to leave.</summary>
/// <param name="AppNamePattern">How application_name names an app and its version (groups <c>app</c> and <c>version</c>).</param>
/// <param name="Timeout">How long up waits before it stops with SBM4039.</param>
/// <param name="Force">Apply anyway, with warning SBM4040.</param>
/// <param name="HeartbeatTable">
/// A table the app writes <c>(instance, application_name, seen_at)</c> into: the second source, for app instances
/// that hold no server session while idle behind a transaction-mode pooler. Null when there is none.
/// </param>
/// <param name="HeartbeatMaxAge">Heartbeat rows older than this are instances that are gone.</param>
public sealed record DrainOptions(string AppNamePattern, TimeSpan Timeout, bool Force, QualifiedName? HeartbeatTable, TimeSpan HeartbeatMaxAge)
{
    /// <summary>
    /// Ten minutes: a rolling update of a few pods takes a few minutes; two minutes of heartbeat age: an app that
    /// writes its row every 30 s is gone after four missed beats.
    /// </summary>
    public static DrainOptions Default { get; } = new(AppVersion.DefaultPattern, TimeSpan.FromMinutes(10), false, null, TimeSpan.FromMinutes(2));

    /// <summary>How often the gate looks again.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Holds a contract step (<c>-- streambot:contract after app/version</c>) while any session of an older version of
/// that app is connected to the database (pg_stat_activity, and the heartbeat table when there is one): the old
/// version still uses what the step removes. Reads only; holds no lock of the database's while it waits.
/// </summary>
internal static class DrainGate
{
    public static async Task WaitAsync(NpgsqlConnection connection, ValidatedMigration migration, DrainOptions options, IRunLog log, CancellationToken cancellation)
    {
        var condition = migration.Settings.ContractAfter!;
        var clock = Stopwatch.StartNew();
        var waiting = false;
        while (true)
        {
            var older = await OlderAsync(connection, migration, options, cancellation).ConfigureAwait(false);
            if (older.Count == 0)
            {
                log.Info(waiting
                    ? $"{migration.File.FileName}: the older versions have left after {DeployDiagnostics.Duration(clock.Elapsed)}; applying the contract step."
                    : $"{migration.File.FileName}: contract step after {condition}; no older version is connected.");
                return;
            }

            if (options.Force)
            {
                log.Report(DeployDiagnostics.ContractForced(migration.File.FullPath, 1, migration.File.FileName, condition.ToString(), older));
                return;
            }

            if (clock.Elapsed >= options.Timeout)
            {
                throw new MigrationException(DeployDiagnostics.OldVersionsConnected(migration.File.FullPath, 1, migration.File.FileName, condition.ToString(), clock.Elapsed, older));
            }

            if (!waiting)
            {
                log.Info($"{migration.File.FileName}: contract step after {condition}; waiting up to {DeployDiagnostics.Duration(options.Timeout)} for {older.Count} older session(s) to leave: {string.Join("; ", older)}.");
                waiting = true;
            }

            await Task.Delay(options.PollInterval, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Sessions and heartbeats of the contract step's app with a version older than its condition, one line each.</summary>
    public static async Task<IReadOnlyList<string>> OlderAsync(NpgsqlConnection connection, ValidatedMigration migration, DrainOptions options, CancellationToken cancellation)
    {
        var condition = migration.Settings.ContractAfter!;
        var pattern = new Regex(options.AppNamePattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var older = new List<string>();
        await using (var command = Database.Command(connection, """
            SELECT pid, application_name, coalesce(host(client_addr), 'local socket'), backend_start
            FROM pg_catalog.pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> ''
            ORDER BY backend_start, pid
            """))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                var name = reader.GetString(1);
                if (IsOlder(name, condition, pattern))
                {
                    older.Add(string.Create(CultureInfo.InvariantCulture,
                        $"pid {reader.GetInt32(0)} '{Printable.Of(name)}' from {reader.GetString(2)}, connected since {reader.GetFieldValue<DateTimeOffset>(3).UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC"));
                }
            }
        }

        if (options.HeartbeatTable is not { } table)
        {
            return older;
        }

        try
        {
            await using var beats = Database.Command(connection,
                $"SELECT instance::text, application_name::text, extract(epoch FROM now() - seen_at)::float8 FROM {table.Quoted} WHERE seen_at > now() - $1::interval ORDER BY seen_at",
                LockPolicy.Setting(options.HeartbeatMaxAge));
            await using var reader = await beats.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                var name = reader.GetString(1);
                if (IsOlder(name, condition, pattern))
                {
                    older.Add(string.Create(CultureInfo.InvariantCulture,
                        $"instance '{Printable.Of(reader.GetString(0))}' '{Printable.Of(name)}', heartbeat {reader.GetDouble(2):0} s ago in {table}"));
                }
            }
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new MigrationException(DeployDiagnostics.OldVersionsConnected(migration.File.FullPath, 1, migration.File.FileName, condition.ToString(), TimeSpan.Zero,
                [$"unknown: the heartbeat table {table} cannot be read ({e.MessageText}); it needs columns instance, application_name and seen_at (docs: README, expand and contract)"]));
        }

        return older;
    }

    private static bool IsOlder(string applicationName, ContractCondition condition, Regex pattern) =>
        AppVersion.FromApplicationName(applicationName, pattern) is { } named
        && string.Equals(named.App, condition.App, StringComparison.Ordinal)
        && named.Version.IsOlderThan(condition.Version);
}
