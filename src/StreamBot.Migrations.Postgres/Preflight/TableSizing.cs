using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Preflight;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Preflight;

/// <summary>Where a sized finding turns into information or an error.</summary>
/// <param name="SmallTableRows">Below this many rows a finding is information: its lock lasts milliseconds on any server.</param>
/// <param name="LargeTableRows">From this many rows it stops up (SBM4041): seconds of blocked writes, the bot's commands time out.</param>
public sealed record SizingOptions(long SmallTableRows, long LargeTableRows)
{
    /// <summary>10,000 and 1,000,000 rows.</summary>
    public static SizingOptions Default { get; } = new(10_000, 1_000_000);
}

/// <summary>
/// Sizes the safety lint's findings on a run's pending migrations by the live tables: rows and bytes from the catalog
/// (<c>pg_class.reltuples</c>, <c>pg_relation_size</c>), and how long the write-blocking lock would last from rates
/// measured on this server just now (a scan, an index build and a rewrite of a temporary table, in a transaction that
/// is rolled back). What it finds: information lines, and SBM4041 for a large table.
/// </summary>
internal static class TableSizing
{
    // As many rows as the largest table concerned, within these: a small table's estimate needs no precision (it is
    // information either way), a large one's does; about 5 ms at the lower bound, 300 ms at the upper one here.
    private const int FewestCalibrationRows = 1_000;
    private const int MostCalibrationRows = 200_000;

    // A never-analyzed table up to this size is counted (a few milliseconds), a larger one guessed from its bytes.
    private const long CountedBytes = 16L * 1024 * 1024;

    public static async Task<(IReadOnlyList<Diagnostic> Errors, IReadOnlyList<string> Lines)> RunAsync(NpgsqlConnection connection, MigrationFolder folder, LintOptions lint,
        IReadOnlyList<ValidatedMigration> pending, SizingOptions sizing, TimeSpan timeout, CancellationToken cancellation)
    {
        var (sized, notSized) = await SizeAsync(connection, folder, lint, pending, timeout, cancellation).ConfigureAwait(false);
        if (notSized is not null)
        {
            return ([], [string.Create(CultureInfo.InvariantCulture, $"{sized.Count} finding(s) were not sized ({notSized}): each stays the build's warning, not weighed against its table.")]);
        }

        var errors = new List<Diagnostic>();
        var lines = new List<string>();
        if (sized.Count(s => s.Size is null) is > 0 and var unsized)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{unsized} finding(s) on tables that pending migrations create: they hold no live rows to wait for."));
        }

        foreach (var finding in sized.Where(s => s.Size is not null))
        {
            var diagnostic = finding.Target.Finding;
            var holds = Holds(finding.Size!);
            if (finding.Size!.Rows >= sizing.LargeTableRows)
            {
                errors.Add(DeployDiagnostics.LargeTableFinding(diagnostic.File, diagnostic.Line, diagnostic.Column, diagnostic.Code, finding.Target.Table, holds, finding.Blocks,
                    string.Create(CultureInfo.InvariantCulture, $"{sizing.LargeTableRows} rows")));
            }
            else
            {
                lines.Add(finding.Size.Rows < sizing.SmallTableRows
                    ? $"{finding.Where}: {diagnostic.Code} on {finding.Target.Table}, which holds {holds}: information only, {finding.Blocks}."
                    : $"{finding.Where}: {diagnostic.Code} on {finding.Target.Table}, which holds {holds}: {finding.Blocks} (the build's warning stands).");
            }
        }

        return (errors, lines);
    }

    /// <summary>
    /// Each sizable finding of <paramref name="pending"/> with its table's size (null when a pending migration creates
    /// the table) and the estimated duration of its write-blocking work (null when rates could not be measured); or
    /// the findings unsized and why, when the catalog could not be read within <paramref name="timeout"/> or a table's
    /// lock was not granted within a second (sizing never queues behind another session's ALTER).
    /// </summary>
    public static async Task<(IReadOnlyList<SizedFinding> Findings, string? NotSized)> SizeAsync(NpgsqlConnection connection, MigrationFolder folder, LintOptions lint,
        IReadOnlyList<ValidatedMigration> pending, TimeSpan timeout, CancellationToken cancellation)
    {
        // The lint at the server's own version: what that version makes safe is not sized.
        var targets = SizingTargets.For(folder, pending, lint with { PostgresVersion = connection.PostgreSqlVersion.Major });
        if (targets.Count == 0)
        {
            return ([], null);
        }

        Dictionary<string, TableSize> sizes;
        await using (var transaction = await DataPreflight.BeginBoundedReadAsync(connection, timeout, cancellation).ConfigureAwait(false))
        {
            try
            {
                sizes = await SizesAsync(connection, targets.Select(t => t.Table).Distinct(StringComparer.Ordinal).ToArray(), cancellation).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled)
            {
                return (targets.Select(t => new SizedFinding(t, null, null)).ToList(), e.SqlState == PostgresErrorCodes.LockNotAvailable
                    ? "another session holds one of their tables locked against reads; not waited for"
                    : $"reading their sizes did not finish within {DeployDiagnostics.Duration(timeout)}");
            }
            finally
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        var rates = sizes.Count > 0
            ? await MeasureAsync(connection, (int)Math.Clamp(sizes.Values.Max(s => s.Rows), FewestCalibrationRows, MostCalibrationRows), cancellation).ConfigureAwait(false)
            : null;
        return (targets.Select(t => sizes.TryGetValue(t.Table, out var size)
            ? new SizedFinding(t, size, rates?.Seconds(t.Work, size))
            : new SizedFinding(t, null, null)).ToList(), null);
    }

    /// <summary>How many rows and bytes, in words: "about 2000000 rows (146 MB)".</summary>
    public static string Holds(TableSize size) => size.Count switch
    {
        RowCount.Estimated => string.Create(CultureInfo.InvariantCulture, $"about {size.Rows} rows ({Bytes(size.Bytes)})"),
        RowCount.Exact => string.Create(CultureInfo.InvariantCulture, $"{size.Rows} rows ({Bytes(size.Bytes)})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"(never analyzed; guessed from its size) {size.Rows} rows ({Bytes(size.Bytes)})"),
    };

    /// <summary>How a table's row count was had.</summary>
    public enum RowCount
    {
        /// <summary>pg_class.reltuples, as the last ANALYZE or VACUUM left it.</summary>
        Estimated,

        /// <summary>count(*): a table never analyzed and small enough to count.</summary>
        Exact,

        /// <summary>From its bytes: a table never analyzed and too large to count here.</summary>
        Guessed,
    }

    /// <summary>A table as the catalog sizes it.</summary>
    public sealed record TableSize(long Rows, long Bytes, int Indexes, RowCount Count);

    /// <summary>A sizable finding with its table's size and the estimated duration of its write-blocking work.</summary>
    public sealed record SizedFinding(SizingTarget Target, TableSize? Size, double? Seconds)
    {
        /// <summary>file(line,col) of the finding.</summary>
        public string Where => $"{Path.GetFileName(Target.Finding.File)}({Target.Finding.Line},{Target.Finding.Column})";

        /// <summary>"CREATE INDEX blocks writes to it for about 1.4 s here".</summary>
        public string Blocks => Seconds is { } seconds
            ? $"{Target.Operation} blocks writes to it for {(seconds < 0.001 ? string.Empty : "about ")}{Describe(seconds)} here"
            : $"{Target.Operation} blocks writes to it while it runs";
    }

    // Rows per second of an index build; bytes per second of a scan and of a rewrite.
    private sealed record Rates(double ScanBytes, double IndexRows, double RewriteBytes)
    {
        public double Seconds(LockedWork work, TableSize size) => work switch
        {
            LockedWork.Scan => size.Bytes / ScanBytes,
            LockedWork.IndexBuild => size.Rows / IndexRows,
            _ => (size.Bytes / RewriteBytes) + (size.Indexes * size.Rows / IndexRows),
        };
    }

    private static async Task<Dictionary<string, TableSize>> SizesAsync(NpgsqlConnection connection, string[] tables, CancellationToken cancellation)
    {
        var sizes = new Dictionary<string, TableSize>(StringComparer.Ordinal);
        await using var command = Database.Command(connection, """
            SELECT t.written, c.reltuples::float8, pg_catalog.pg_relation_size(c.oid), (SELECT count(*)::int FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid)
            FROM unnest($1::text[]) AS t(written)
            JOIN pg_catalog.pg_class c ON c.oid = to_regclass(t.written)
            """, (object)tables);
        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        var unanalyzed = new List<string>();
        while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            var reltuples = reader.GetDouble(1);
            var bytes = reader.GetInt64(2);
            // Never analyzed (reltuples -1): rows guessed from its bytes at 100 bytes a row, and said so; a small one is counted below.
            sizes[reader.GetString(0)] = new TableSize(reltuples >= 0 ? (long)reltuples : bytes / 100, bytes, reader.GetInt32(3), reltuples >= 0 ? RowCount.Estimated : RowCount.Guessed);
            if (reltuples < 0 && bytes <= CountedBytes)
            {
                unanalyzed.Add(reader.GetString(0));
            }
        }

        await reader.DisposeAsync().ConfigureAwait(false);
        foreach (var table in unanalyzed)
        {
            await using var count = Database.Command(connection, $"SELECT count(*) FROM {table}");
            sizes[table] = sizes[table] with { Rows = (long)(await count.ExecuteScalarAsync(cancellation).ConfigureAwait(false))!, Count = RowCount.Exact };
        }

        return sizes;
    }

    private static async Task<Rates?> MeasureAsync(NpgsqlConnection connection, int rows, CancellationToken cancellation)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, $"CREATE TEMPORARY TABLE streambot_sizing ON COMMIT DROP AS SELECT i, md5(i::text) AS t FROM generate_series(1, {rows}) AS i", cancellation).ConfigureAwait(false);
            var bytes = (long)(await ScalarAsync(connection, "SELECT pg_catalog.pg_relation_size('streambot_sizing')", cancellation).ConfigureAwait(false))!;
            var scan = await TimeAsync(connection, "SELECT count(*) FROM streambot_sizing WHERE t IS NULL", cancellation).ConfigureAwait(false);
            var index = await TimeAsync(connection, "CREATE INDEX ON streambot_sizing (t)", cancellation).ConfigureAwait(false);
            var rewrite = await TimeAsync(connection, "ALTER TABLE streambot_sizing ALTER COLUMN i TYPE bigint", cancellation).ConfigureAwait(false);
            // The rewrite rebuilt the index too: what is left is the copy.
            return new Rates(bytes / scan, rows / index, bytes / Math.Max(rewrite - index, scan));
        }
        catch (PostgresException)
        {
            // A standby or a role without TEMP: sizes without durations.
            return null;
        }
        finally
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<double> TimeAsync(NpgsqlConnection connection, string sql, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        await ExecuteAsync(connection, sql, cancellation).ConfigureAwait(false);
        return Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellation)
    {
        await using var command = Database.Command(connection, sql);
        await command.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellation)
    {
        await using var command = Database.Command(connection, sql);
        return await command.ExecuteScalarAsync(cancellation).ConfigureAwait(false);
    }

    private static string Bytes(long bytes) => bytes switch
    {
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0} kB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.0} GB"),
    };

    private static string Describe(double seconds) => DeployDiagnostics.Duration(TimeSpan.FromSeconds(seconds));
}
