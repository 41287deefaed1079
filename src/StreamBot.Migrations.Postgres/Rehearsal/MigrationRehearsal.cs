using System.Diagnostics;
using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Commands;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Postgres.Preflight;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Postgres.Schema;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Schema;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Rehearsal;

/// <summary>
/// Proves every migration's rollback before production needs it. On a scratch database, for each migration in order:
/// snapshot the schema, apply it (tracing its locks, rewrites and scans), snapshot, run its README rollback with the
/// verify queries, snapshot and compare with the schema before it, then apply it again and compare with the first
/// "after". The scratch database is dropped at the end, whatever happened.
/// </summary>
public sealed class MigrationRehearsal(RunOptions options, IRunLog log, CancellationToken cancellation = default)
{
    // What the rehearsal is doing, for the line that says where an interrupted one stopped.
    private string _stage = "before it started";

    // Each backfill's first run in batches, for the report.
    private readonly List<string> _backfills = [];

    /// <summary>
    /// Rehearses the folder; with <paramref name="fromBackup"/>, on a restored copy of that backup first. Ctrl-C or
    /// SIGTERM ends it with one coded line (SBM4027) once its scratch database is dropped.
    /// </summary>
    public async Task<RehearsalReport> RunAsync(string? fromBackup = null)
    {
        try
        {
            return await RunOnScratchAsync(fromBackup).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw new MigrationException(RehearsalDiagnostics.Interrupted(_stage));
        }
    }

    private async Task<RehearsalReport> RunOnScratchAsync(string? fromBackup)
    {
        var clock = Stopwatch.StartNew();
        var (folder, report) = new RunSession(options, log, cancellation).Validate(failOnErrors: true, lint: true);
        var lint = report.Diagnostics.Where(d => d.Code.StartsWith("SBM60", StringComparison.Ordinal))
            .GroupBy(d => (d.File, d.Line)).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(d => d.Code).Distinct()));
        var diagnostics = new List<Diagnostic>();
        var rehearsed = new List<RehearsedMigration>();
        _stage = "while creating its scratch database";
        await using var scratch = await ScratchDatabase.CreateAsync(options.Connection, log.Info, cancellation).ConfigureAwait(false);
        log.Info($"Rehearsing {report.Validated.Count} migration(s) on the scratch database {scratch.Name} ({options.Connection.Describe()}).");
        if (fromBackup is not null)
        {
            _stage = $"while restoring {Path.GetFileName(fromBackup)}";
            await BackupRestore.RestoreAsync(scratch.Settings, fromBackup, cancellation).ConfigureAwait(false);
            log.Info($"Restored {Path.GetFileName(fromBackup)} into it.");
        }

        await using var connection = await Database.OpenAsync(scratch.Settings, "rehearsal", cancellation).ConfigureAwait(false);
        var applied = fromBackup is null ? new HashSet<string>() : await JournalSet.AppliedNamesAsync(connection, options.JournalTable, cancellation).ConfigureAwait(false);
        // On a restored backup the tables have production's sizes: the preflight's estimates, to compare with the trace.
        IReadOnlyList<TableSizing.SizedFinding> sized = [];
        if (fromBackup is not null)
        {
            _stage = "while sizing the safety findings by the restored tables";
            // The scratch database is the rehearsal's own: nobody else locks its tables.
            (sized, _) = await TableSizing.SizeAsync(connection, folder, options.Lint, report.Validated.Where(m => !applied.Contains(m.Name)).ToList(),
                options.Preflight.CheckTimeout, cancellation).ConfigureAwait(false);
        }

        _stage = "while reading the app's queries";
        var watch = await QueryWatch.StartAsync(connection, options, cancellation).ConfigureAwait(false);
        var tools = SchemaReader.ToolTables(options.JournalTable);
        var stopped = false;
        foreach (var migration in report.Validated)
        {
            if (applied.Contains(migration.Name))
            {
                rehearsed.Add(new RehearsedMigration(migration.Name, RehearsalOutcome.AlreadyApplied, 0, 0, [], []));
                continue;
            }

            if (stopped)
            {
                rehearsed.Add(new RehearsedMigration(migration.Name, RehearsalOutcome.NotReached, 0, 0, [], []));
                continue;
            }

            _stage = $"while rehearsing {migration.Name}";
            var (result, stop) = await RehearseAsync(connection, migration, tools, lint, diagnostics, report.Migrations, watch).ConfigureAwait(false);
            rehearsed.Add(result);
            stopped = stop;
        }

        return new RehearsalReport($"{scratch.Name} on {options.Connection.Describe()}", rehearsed, diagnostics, clock.Elapsed.TotalMilliseconds)
        {
            AppQueries = watch.Summary,
            Sized = sized.Where(f => f.Size is not null).Select(f => Measured(f, rehearsed)).ToList(),
            Backfills = _backfills,
        };
    }

    // A sized finding with what the lock trace measured for its statement on the restored data.
    private static string Measured(TableSizing.SizedFinding finding, IReadOnlyList<RehearsedMigration> rehearsed)
    {
        var migration = Path.GetFileNameWithoutExtension(finding.Target.Finding.File);
        var traced = rehearsed.FirstOrDefault(m => m.Name == migration)?.Trace.FirstOrDefault(t => t.Line == finding.Target.StatementLine);
        var estimate = finding.Seconds is { } seconds ? $"estimated {DeployDiagnostics.Duration(TimeSpan.FromSeconds(seconds))}" : "no estimate (rates could not be measured)";
        var measured = traced is null ? "not measured (the statement was not reached)" : $"measured {DeployDiagnostics.Duration(TimeSpan.FromMilliseconds(traced.Milliseconds))} in this rehearsal";
        return $"{finding.Where}: {finding.Target.Finding.Code} on {finding.Target.Table}, which holds {TableSizing.Holds(finding.Size!)}: {finding.Target.Operation} {estimate}, {measured}.";
    }

    /// <summary>The report's line for one migration.</summary>
    public static string Summary(RehearsedMigration m) => m.Outcome switch
    {
        RehearsalOutcome.Passed => $"{m.Name}: passed (apply {m.ApplyMs:0} ms, rollback {m.RollbackMs:0} ms, schema restored as far as compared, applied again identically)",
        RehearsalOutcome.RollbackSkipped => $"{m.Name}: applied in {m.ApplyMs:0} ms; rollback not rehearsed (README: not recommended)",
        RehearsalOutcome.AlreadyApplied => $"{m.Name}: already applied in the restored backup",
        RehearsalOutcome.NotReached => $"{m.Name}: not rehearsed (an earlier migration failed)",
        _ => $"{m.Name}: FAILED{(m.Differences.Count > 0 ? ": " + string.Join("; ", m.Differences) : string.Empty)}",
    };

    private async Task<(RehearsedMigration Result, bool Stop)> RehearseAsync(NpgsqlConnection connection, ValidatedMigration migration,
        IReadOnlyCollection<string> tools, Dictionary<(string, int), string> lint, List<Diagnostic> diagnostics, IReadOnlyList<Discovery.MigrationFile> folder, QueryWatch watch)
    {
        var (result, stop, broken) = await RehearseAndWatchAsync(connection, migration, tools, lint, diagnostics, folder, watch).ConfigureAwait(false);
        foreach (var (query, (reason, statement)) in broken)
        {
            var at = migration.Script.Statements[statement ?? 0];
            diagnostics.Add(DeployDiagnostics.AppQueryBroken(migration.File.FullPath, at.Line, at.Column, migration.Name, query.Describe(), query.Source, reason, statement is not null));
        }

        return (broken.Count > 0 && result.Outcome != RehearsalOutcome.Failed ? result with { Outcome = RehearsalOutcome.Failed } : result, stop);
    }

    private async Task<(RehearsedMigration Result, bool Stop, Dictionary<AppQuery, (string Reason, int? Statement)> Broken)> RehearseAndWatchAsync(NpgsqlConnection connection,
        ValidatedMigration migration, IReadOnlyCollection<string> tools, Dictionary<(string, int), string> lint, List<Diagnostic> diagnostics,
        IReadOnlyList<Discovery.MigrationFile> folder, QueryWatch watch)
    {
        var broken = new Dictionary<AppQuery, (string Reason, int? Statement)>();
        var file = migration.File;
        var before = await SchemaReader.ReadAsync(connection, tools).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<TracedStatement> trace;
        try
        {
            trace = await TracedApply.RunAsync(connection, migration, cancellation, backfill: async backfill =>
            {
                var done = await Backfill(connection).RunAsync(migration, backfill, store: null, lease: null, Stopwatch.StartNew()).ConfigureAwait(false);
                _backfills.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{migration.File.FileName} line {backfill.Line}: backfill over {backfill.TableName}, {done.Changed:N0} row(s) changed of {done.Scanned:N0} walked in {done.Batches} batch(es), {DeployDiagnostics.Duration(done.Took)} (longest batch {DeployDiagnostics.Duration(done.LongestBatch)})"));
            }).ConfigureAwait(false);
        }
        catch (MigrationException e)
        {
            diagnostics.Add(e.Diagnostic);
            return (new RehearsedMigration(migration.Name, RehearsalOutcome.Failed, clock.Elapsed.TotalMilliseconds, 0, [], []), true, broken);
        }

        var applyMs = clock.Elapsed.TotalMilliseconds;
        foreach (var (query, reason) in await watch.AfterAsync(connection, cancellation).ConfigureAwait(false))
        {
            broken[query] = (reason, null);
        }

        foreach (var statement in trace)
        {
            var statementAt = migration.Script.Statements.First(s => s.Line == statement.Line);
            foreach (var (taken, heldMs) in statement.Locks.Where(l => l.Lock.Mode.BlocksWrites()))
            {
                diagnostics.Add(RehearsalDiagnostics.TracedStrongLock(file.FullPath, statement.Line, statementAt.Column, file.FileName, taken.Table, taken.Mode.Describe(), heldMs,
                    lint.GetValueOrDefault((file.FullPath, statement.Line)), statement.Scanned.Contains(taken.Table) || statement.Rewritten.Contains(taken.Table),
                    SafetyLint.Checks(options.Lint, folder, file)));
            }

            foreach (var relation in statement.Rewritten)
            {
                diagnostics.Add(RehearsalDiagnostics.TracedRewrite(file.FullPath, statement.Line, statementAt.Column, file.FileName, relation));
            }
        }

        var after = await SchemaReader.ReadAsync(connection, tools).ConfigureAwait(false);
        if (migration.Doc is not { IsRollbackNotRecommended: false } doc)
        {
            return (new RehearsedMigration(migration.Name, RehearsalOutcome.RollbackSkipped, applyMs, 0, trace, []), false, broken);
        }

        clock.Restart();
        var readme = Path.Combine(options.Directory, Discovery.MigrationDiscovery.ReadmeFileName);
        if (await RollBackAsync(connection, migration, readme) is { } failed)
        {
            diagnostics.Add(failed);
            return (new RehearsedMigration(migration.Name, RehearsalOutcome.Failed, applyMs, clock.Elapsed.TotalMilliseconds, trace, []), false, broken);
        }

        var rollbackMs = clock.Elapsed.TotalMilliseconds;
        var restored = await SchemaReader.ReadAsync(connection, tools).ConfigureAwait(false);
        var left = SchemaDiff.Compare(before, restored);
        if (left.Count > 0)
        {
            diagnostics.Add(RehearsalDiagnostics.RollbackLeavesDifference(Path.GetFullPath(readme), doc.Statements[0].Line, migration.Name, left.Select(Leftover).ToList()));
        }

        try
        {
            // Applied again statement by statement: the first statement after which a broken query no longer prepares is the one that broke it.
            await TracedApply.RunAsync(connection, migration, cancellation, backfill: async backfill => await Backfill(connection).RunAsync(migration, backfill, null, null, Stopwatch.StartNew()).ConfigureAwait(false),
                afterStatement: broken.Count == 0 ? null : async (transaction, statement) =>
            {
                var unplaced = broken.Where(b => b.Value.Statement is null).Select(b => b.Key).ToList();
                foreach (var (query, reason) in await AppQueries.FailuresAsync(connection, transaction, unplaced, cancellation).ConfigureAwait(false))
                {
                    broken[query] = (reason, statement);
                }
            }).ConfigureAwait(false);
        }
        catch (MigrationException e)
        {
            diagnostics.Add(e.Diagnostic);
            return (new RehearsedMigration(migration.Name, RehearsalOutcome.Failed, applyMs, rollbackMs, trace, left), true, broken);
        }

        var again = SchemaDiff.Compare(after, await SchemaReader.ReadAsync(connection, tools).ConfigureAwait(false));
        if (again.Count > 0)
        {
            diagnostics.Add(RehearsalDiagnostics.ReapplyDiffers(file.FullPath, file.FileName, again.Select(c => c.ToString()).ToList()));
        }

        var outcome = left.Count == 0 && again.Count == 0 ? RehearsalOutcome.Passed : RehearsalOutcome.Failed;
        return (new RehearsedMigration(migration.Name, outcome, applyMs, rollbackMs, trace, [.. left, .. again]), false, broken);
    }

    private static string Leftover(SchemaChange change) => change.Kind switch
    {
        SchemaChangeKind.Added => $"leaves {change.Name}",
        SchemaChangeKind.Removed => $"does not restore {change.Name}",
        _ => $"leaves {change.Name} changed ({change.Before} -> {change.After})",
    };

    /// <summary>Runs the README rollback and its verify queries in one transaction; the diagnostic when it fails.</summary>
    // Backfills run as up runs them, in batches, with the run's backfill settings; the scratch database has no standby to throttle on.
    private Backfills.BackfillRunner Backfill(NpgsqlConnection connection) => new(connection, [], options.Backfill, options.Locking, log, cancellation);

    private async Task<Diagnostic?> RollBackAsync(NpgsqlConnection connection, ValidatedMigration migration, string readme)
    {
        await Database.ResetSessionAsync(connection, durableCommits: false, cancellation: cancellation).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false);
        foreach (var statement in migration.Doc!.Statements)
        {
            try
            {
                if (await MigrationRollback.RunStepAsync(connection, transaction, statement, cancellation).ConfigureAwait(false) is { } rows && rows != statement.ExpectedRows)
                {
                    return RehearsalDiagnostics.RollbackFailed(Path.GetFullPath(readme), statement.Line, statement.Column, migration.Name,
                        $"its verify query returned {rows} row(s), the README expects {statement.ExpectedRows}");
                }
            }
            catch (PostgresException e)
            {
                var (line, column) = ServerErrorPosition.InText(statement.Text, statement.Line, statement.Column, e.Position);
                return RehearsalDiagnostics.RollbackFailed(Path.GetFullPath(readme), line, column, migration.Name, $"{e.MessageText} (SQLSTATE {e.SqlState})");
            }
        }

        await transaction.CommitAsync(cancellation).ConfigureAwait(false);
        return null;
    }

}
