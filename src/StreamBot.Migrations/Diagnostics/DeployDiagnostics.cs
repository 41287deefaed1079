using System.Globalization;

namespace StreamBot.Migrations.Diagnostics;

/// <summary>
/// The messages of what protects the running bot during a deploy: the data preflight (SBM4037, SBM4038), the drain
/// gate of contract steps (SBM4039, SBM4040), findings sized by the live tables (SBM4041) and the rehearsal's check
/// of the app's own queries (SBM7008). None of them ever holds a row's value: counts, names and the migration's text.
/// </summary>
internal static class DeployDiagnostics
{
    public static Diagnostic DataConflict(string path, int line, int column, string migration, string what, string table, string found, string listSql) =>
        DiagnosticCatalog.DataConflict.At(path, line, column,
            $"{migration} would fail here on the live data: {what} on {table}, and {found}. Nothing was locked, backed up or applied.",
            $"List the rows with: {OneLine(listSql)} Resolve them (or change the migration so it resolves them first), then run up again.");

    public static Diagnostic DataCheckUnfinished(string path, int line, int column, string migration, string what, string table, string why, string countSql) =>
        DiagnosticCatalog.DataCheckUnfinished.At(path, line, column,
            $"{migration}: {what} on {table} was not checked against the live rows ({why}); the migration may still fail on them.",
            $"Run the check yourself when the database is quiet: {OneLine(countSql)} (0 means no conflict); or raise --preflight-check-timeout / --preflight-budget.");

    public static Diagnostic OldVersionsConnected(string path, int line, string migration, string after, TimeSpan waited, IReadOnlyList<string> sessions) =>
        DiagnosticCatalog.OldVersionsConnected.At(path, line, 1,
            $"{migration} is a contract step after {after}, and after waiting {Duration(waited)} these are still connected: {string.Join("; ", sessions)}. It was not applied; the migrations before it stay applied.",
            "Finish the rollout (or stop the old instances), then run up again; --drain-timeout waits longer; --force-contract applies it anyway (the old version's requests will fail on what it removes).");

    public static Diagnostic ContractForced(string path, int line, string migration, string after, IReadOnlyList<string> sessions) =>
        DiagnosticCatalog.ContractForced.At(path, line, 1,
            $"{migration} is a contract step after {after}, applied with --force-contract while these are connected: {string.Join("; ", sessions)}.",
            "Watch the old version's errors until its instances are gone.");

    public static Diagnostic LargeTableFinding(string path, int line, int column, string code, string table, string size, string estimate, string threshold) =>
        DiagnosticCatalog.LargeTableFinding.At(path, line, column,
            $"{code} on {table}, which holds {size}: {estimate}; a table of {threshold} or more is large (--large-table-rows). Nothing was locked, backed up or applied.",
            $"Use the form {code}'s hint gives (docs/diagnostics.md), or, if the wait is acceptable, say so on the statement: -- streambot:allow {code} because <reason>.");

    public static Diagnostic AppQueryBroken(string path, int line, int column, string migration, string query, string source, string reason, bool located) =>
        DiagnosticCatalog.AppQueryBroken.At(path, line, column,
            $"{(located ? $"After this statement of {migration}" : $"After {migration} (which of its statements could not be singled out: its rollback was not rehearsed, so it was not applied again statement by statement)")}, a query the running app executes no longer prepares: {query} (from {source}): {reason}. The app's old version fails on it for as long as it runs.",
            "Split the change: keep what the query uses until no old version runs (expand), and remove it in a later migration marked -- streambot:contract after <app>/<version> (contract).");

    /// <summary>A duration as a person says it: under 1 ms, 250 ms, 5 s, 2 min.</summary>
    public static string Duration(TimeSpan span) =>
        span.TotalMilliseconds < 1 ? "under 1 ms"
        : span.TotalSeconds < 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0} ms")
        : span.TotalMinutes < 2 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.#} min");

    private static string OneLine(string sql) => string.Join(' ', sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
