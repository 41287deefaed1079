using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Postgres.Rehearsal;

/// <summary>A query the running app executes: its id, its text (normalized: constants are <c>$n</c>), where it was found.</summary>
/// <param name="Id">pg_stat_statements' queryid, or <c>file:line</c>.</param>
/// <param name="Text">What is prepared.</param>
/// <param name="Source">"pg_stat_statements of streambot" or the file's name.</param>
public sealed record AppQuery(string Id, string Text, string Source)
{
    /// <summary>The id and the start of the text, on one line: how a report names it.</summary>
    public string Describe()
    {
        var oneLine = string.Join(' ', Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return $"{Id} \"{Printable.Of(oneLine.Length <= 100 ? oneLine : oneLine[..97] + "...")}\"";
    }
}

/// <summary>How many of the app's queries a rehearsal checked, from where, and which it could not.</summary>
/// <param name="Checked">Queries that prepared before the first rehearsed migration, prepared again after each.</param>
/// <param name="Sources">Each source with its count, or why it gave none.</param>
/// <param name="NeverPrepared">Queries that prepared at no point of the rehearsal (utility statements, parameters whose type cannot be inferred): not checked.</param>
public sealed record AppQuerySummary(int Checked, IReadOnlyList<string> Sources, int NeverPrepared)
{
    /// <summary>No query looked for.</summary>
    public static AppQuerySummary None { get; } = new(0, [], 0);

    /// <summary>One line for the report.</summary>
    public override string ToString() => Sources.Count == 0 ? "App queries: none checked (no source was read)." :
        $"App queries: {Checked} checked after each migration ({string.Join("; ", Sources)}){(NeverPrepared > 0 ? $"; not checked: {NeverPrepared} that prepared at no point (utility statements, parameters of a type that cannot be inferred)" : string.Empty)}.";
}

/// <summary>
/// The app's queries, read without its data: pg_stat_statements' normalized texts of the configured database and a
/// checked-in file of statements. Prepares them (parse and plan, never execute) on the scratch database.
/// </summary>
internal static class AppQueries
{
    // Only these can be PREPAREd; pg_stat_statements also records SET, BEGIN, COPY, ...
    private static readonly string[] Preparable = ["select", "insert", "update", "delete", "with", "values", "merge", "table"];

    public static async Task<(IReadOnlyList<AppQuery> Queries, List<string> Sources)> LoadAsync(ConnectionSettings? target, string? file, string journalTable, CancellationToken cancellation)
    {
        var queries = new List<AppQuery>();
        var sources = new List<string>();
        if (target is not null)
        {
            var found = await FromStatementsAsync(target, journalTable, cancellation).ConfigureAwait(false);
            queries.AddRange(found.Queries);
            sources.Add(found.Source);
        }

        if (file is not null)
        {
            var script = SqlSplitter.Split(await File.ReadAllTextAsync(file, cancellation).ConfigureAwait(false));
            var name = Path.GetFileName(Path.GetDirectoryName(file)) + "/" + Path.GetFileName(file);
            var fromFile = script.Statements.Select(s => new AppQuery($"{name}:{s.Line}", script.GetText(s).TrimEnd().TrimEnd(';'), name)).ToList();
            queries.AddRange(fromFile);
            sources.Add(string.Create(CultureInfo.InvariantCulture, $"{fromFile.Count} from {name}"));
        }

        return (queries, sources);
    }

    private static async Task<(IReadOnlyList<AppQuery> Queries, string Source)> FromStatementsAsync(ConnectionSettings target, string journalTable, CancellationToken cancellation)
    {
        await using var connection = await Database.OpenAsync(target, "rehearsal: app queries", cancellation).ConfigureAwait(false);
        var database = connection.Database;
        try
        {
            await using var command = Database.Command(connection, """
                SELECT queryid::text, query FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) AND toplevel AND queryid IS NOT NULL
                ORDER BY calls DESC, queryid
                """);
            var queries = new List<AppQuery>();
            var source = $"pg_stat_statements of {database}";
            await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                var text = reader.GetString(1);
                if (IsTheApps(text, journalTable))
                {
                    queries.Add(new AppQuery(reader.GetString(0), text, source));
                }
            }

            return (queries, string.Create(CultureInfo.InvariantCulture, $"{queries.Count} from {source}"));
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.ObjectNotInPrerequisiteState or PostgresErrorCodes.InsufficientPrivilege)
        {
            return ([], $"none from pg_stat_statements: {(e.SqlState == PostgresErrorCodes.UndefinedTable ? $"the extension is not installed in {database} (CREATE EXTENSION pg_stat_statements, with shared_preload_libraries)" : e.MessageText)}");
        }
    }

    // The app's own statements: what can be prepared, and not this tool's bookkeeping or the catalogs it reads.
    internal static bool IsTheApps(string text, string journalTable)
    {
        var trimmed = text.TrimStart();
        var first = trimmed.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.ToLowerInvariant() ?? string.Empty;
        return Preparable.Contains(first.TrimStart('('))
            && !text.Contains(journalTable, StringComparison.OrdinalIgnoreCase)
            && !text.Contains("migration_lock", StringComparison.OrdinalIgnoreCase)
            && !text.Contains("pg_catalog.", StringComparison.OrdinalIgnoreCase)
            && !text.Contains("pg_stat_", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Which of <paramref name="queries"/> fail to prepare now, with the server's reason; in a transaction, each
    /// attempt is wrapped in a savepoint so a failure leaves the transaction usable.
    /// </summary>
    public static async Task<Dictionary<AppQuery, string>> FailuresAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IEnumerable<AppQuery> queries, CancellationToken cancellation)
    {
        var failures = new Dictionary<AppQuery, string>();
        foreach (var query in queries)
        {
            if (transaction is not null)
            {
                await ExecuteAsync(connection, transaction, "SAVEPOINT streambot_app_query", cancellation).ConfigureAwait(false);
            }

            try
            {
                await ExecuteAsync(connection, transaction, "PREPARE streambot_app_query AS " + query.Text, cancellation).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, "DEALLOCATE streambot_app_query", cancellation).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                failures[query] = e.MessageText;
                if (transaction is not null)
                {
                    await ExecuteAsync(connection, transaction, "ROLLBACK TO SAVEPOINT streambot_app_query", cancellation).ConfigureAwait(false);
                }
            }

            if (transaction is not null)
            {
                await ExecuteAsync(connection, transaction, "RELEASE SAVEPOINT streambot_app_query", cancellation).ConfigureAwait(false);
            }
        }

        return failures;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
    }
}

/// <summary>
/// The app's queries through a rehearsal: which prepare now, and after each migration which of those stopped preparing.
/// A query that prepares at no point (a utility statement, a parameter whose type cannot be inferred, a table of
/// another service) is counted as not checked, never as passed.
/// </summary>
internal sealed class QueryWatch
{
    private readonly IReadOnlyList<AppQuery> _queries;
    private readonly List<string> _sources;
    private readonly HashSet<AppQuery> _preparing = [];
    private readonly HashSet<AppQuery> _everPrepared = [];

    private QueryWatch(IReadOnlyList<AppQuery> queries, List<string> sources)
    {
        _queries = queries;
        _sources = sources;
    }

    public AppQuerySummary Summary => new(_everPrepared.Count, _sources, _queries.Count - _everPrepared.Count);

    public static async Task<QueryWatch> StartAsync(NpgsqlConnection scratch, Running.RunOptions options, CancellationToken cancellation)
    {
        var file = options.AppQueries ?? Path.Combine(options.Directory, "app", "queries.sql");
        var (queries, sources) = await AppQueries.LoadAsync(options.AppQueriesFromDatabase ? options.Connection : null, File.Exists(file) ? file : null,
            options.JournalTable.Name, cancellation).ConfigureAwait(false);
        if (!File.Exists(file))
        {
            sources.Add($"no {Path.GetRelativePath(options.Directory, file)} in the migrations folder");
        }

        var watch = new QueryWatch(queries, sources);
        await watch.AfterAsync(scratch, cancellation).ConfigureAwait(false);
        return watch;
    }

    /// <summary>The queries that prepared before and no longer do, with the server's reason; the ones that now prepare are watched from here on.</summary>
    public async Task<Dictionary<AppQuery, string>> AfterAsync(NpgsqlConnection scratch, CancellationToken cancellation)
    {
        if (_queries.Count == 0)
        {
            return [];
        }

        await Database.ResetSessionAsync(scratch, durableCommits: false, cancellation: cancellation).ConfigureAwait(false);
        var failures = await AppQueries.FailuresAsync(scratch, null, _queries, cancellation).ConfigureAwait(false);
        var broken = failures.Where(f => _preparing.Contains(f.Key)).ToDictionary(f => f.Key, f => f.Value);
        _preparing.Clear();
        _preparing.UnionWith(_queries.Where(q => !failures.ContainsKey(q)));
        _everPrepared.UnionWith(_preparing);
        return broken;
    }
}
