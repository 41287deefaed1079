using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Backup;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Postgres.Schema;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Running;

/// <summary>
/// The runbook's status / up / down, made safe: validate first, take the lock, check the journal against the files,
/// back up, then apply each pending migration in its own transaction (or roll back with the README's SQL and its
/// verify queries). Expected failures surface as <see cref="MigrationException"/> with a coded diagnostic.
/// </summary>
/// <param name="options">What to run, where.</param>
/// <param name="log">Where progress and problems go.</param>
/// <param name="cancellation">
/// Ctrl-C or SIGTERM: the running statement is cancelled on the server, its migration's transaction rolled back, the
/// lock released, and the run ends with one coded line (SBM4027) saying what is applied.
/// </param>
public sealed class MigrationRunner(RunOptions options, IRunLog log, CancellationToken cancellation = default)
{
    /// <summary>Where this tool's journal goes when drizzle-orm's journal holds its configured name.</summary>
    public const string BesideDrizzleSuffix = "_streambot";

    private MigrationJournal _journal = new(options.JournalTable);
    private MigrationProgress _progress = new(options.JournalTable);
    private DrizzleJournalTable.Found? _drizzle;

    /// <summary>Every migration's state and the lock holder. Takes no lock and changes nothing.</summary>
    public async Task<StatusReport> StatusAsync()
    {
        var validated = Validate(failOnErrors: false);
        await using var connection = await Database.OpenAsync(options.Connection, "status").ConfigureAwait(false);
        var folder = await ResolveJournalsAsync(connection, validated).ConfigureAwait(false);
        var plan = RunPlanner.Status(folder, await _journal.ReadAsync(connection).ConfigureAwait(false), await _progress.ReadAsync(connection).ConfigureAwait(false));
        var holder = await MigrationLock.ReadHolderAsync(connection).ConfigureAwait(false);
        var invalid = await InvalidIndexes.FindAsync(connection).ConfigureAwait(false);
        var drizzle = Drizzle;
        if (plan.Note is { } note)
        {
            log.Info(note.FullMessage);
        }

        var pending = plan.Entries.Where(e => e.State is MigrationState.Pending or MigrationState.Interrupted).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var strong = folder.Migrations.Where(m => pending.Contains(m.Name))
            .SelectMany(m => LockClassifier.Of(m.Script).SelectMany(l => l)).Where(l => l.Mode.BlocksWrites()).Select(l => l.Table).Distinct().ToList();
        return new StatusReport(options.Connection.Describe(), plan.Entries, holder)
        {
            Drift = await DriftAsync(connection, plan.Entries).ConfigureAwait(false),
            InvalidIndexes = invalid,
            Blockers = await BlockingSessions.FindAsync(connection, strong, [], onlyLingering: true, options.Locking.LockTimeout).ConfigureAwait(false),
            Drizzle = RunPlanner.Drizzle(folder, drizzle) is { } match ? (drizzle!.Value.Table, match) : null,
        };
    }

    /// <summary>
    /// The live schema against the snapshot recorded after the last applied migration: what changed outside the
    /// migrations (warning SBM4035), or null when no snapshot was recorded for it.
    /// </summary>
    private async Task<IReadOnlyList<StreamBot.Migrations.Schema.SchemaChange>?> DriftAsync(NpgsqlConnection connection, IReadOnlyList<StatusEntry> entries)
    {
        if (entries.LastOrDefault(e => e.State == MigrationState.Applied) is not { } last
            || await new SchemaFingerprints(_journal.TableName).ReadAsync(connection, last.Name).ConfigureAwait(false) is not { } recorded)
        {
            return null;
        }

        var live = await SchemaReader.ReadAsync(connection, SchemaReader.ToolTables(options.JournalTable)).ConfigureAwait(false);
        var drift = StreamBot.Migrations.Schema.SchemaDiff.Compare(recorded, live);
        if (drift.Count > 0)
        {
            log.Report(RehearsalDiagnostics.SchemaDrift(_journal.TableName.ToString(), last.Name, drift.Select(d => d.ToString()).ToList()));
        }

        return drift;
    }

    // What the run is doing, for the line that says where an interrupted run stopped.
    private string _stage = "before it started";

    /// <summary>Applies every pending migration. Returns how many were applied.</summary>
    public async Task<int> UpAsync()
    {
        try
        {
            return await ApplyPendingAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw Interrupted("up", "nothing was applied");
        }
    }

    /// <summary>
    /// Rolls back the last applied migration, or <paramref name="target"/> and every applied migration numbered after
    /// it, newest first. Returns how many were rolled back.
    /// </summary>
    public async Task<int> DownAsync(string? target)
    {
        try
        {
            return await RollBackAsync(target).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw Interrupted("down", "nothing was rolled back");
        }
    }

    private MigrationException Interrupted(string command, string outcome) => new(RunDiagnostics.RunCancelled(command, _stage, outcome));

    private async Task<int> ApplyPendingAsync()
    {
        var validated = Validate(failOnErrors: true);
        if (options.DryRun)
        {
            await using var readOnly = await Database.OpenAsync(options.Connection, "plan").ConfigureAwait(false);
            var planFolder = await ResolveJournalsAsync(readOnly, validated).ConfigureAwait(false);
            var planned = Planned(RunPlanner.Apply(planFolder, await _journal.ReadAsync(readOnly).ConfigureAwait(false), await _progress.ReadAsync(readOnly).ConfigureAwait(false), options.ResumeFrom, Drizzle));
            if (planned.Resume is { } r)
            {
                log.Info($"{r.Migration.File.FileName} resumes at statement {r.Index + 1} of {r.Migration.Script.Statements.Count}.");
            }

            PrintPlan("apply", planned.Pending.Select(m => $"{m.File.FileName}: {m.Script.Statements.Count} statement(s), {(m.IsTransactional ? "in one transaction" : "without a transaction (non-transactional statements)")}{Locks(m)}"));
            return 0;
        }

        _stage = "while connecting";
        await using var connection = await Database.OpenAsync(options.Connection, "up", cancellation).ConfigureAwait(false);
        var folder = await ResolveJournalsAsync(connection, validated).ConfigureAwait(false);
        // Fast path without the lock: journal rows commit together with their migrations, so when every file is in
        // the journal (with its checksum) there is nothing to do, whatever another applier is doing.
        if (options.ResumeFrom is null && Planned(RunPlanner.Apply(folder, await _journal.ReadAsync(connection).ConfigureAwait(false), [], null, Drizzle)).Pending.Count == 0)
        {
            log.Info($"Database {options.Connection.Describe()} is up to date ({folder.FileCount} migration(s) applied).");
            return 0;
        }

        await Writable.CheckAsync(connection, options.Connection, "up").ConfigureAwait(false);
        _stage = "while waiting for the migration lock";
        await using var lease = await MigrationLock.AcquireAsync(options.Connection, options.Lock, "up", log, cancellation).ConfigureAwait(false);
        _stage = "before the first migration";
        // Read again under the lock (a drizzle-orm deploy may have run meanwhile), and checked before this tool's journal exists.
        folder = await ResolveJournalsAsync(connection, validated).ConfigureAwait(false);
        Planned(RunPlanner.Apply(folder, await _journal.ReadAsync(connection).ConfigureAwait(false), [], null, Drizzle));
        await _journal.EnsureAsync(connection).ConfigureAwait(false);
        var plan = Planned(RunPlanner.Apply(folder, await _journal.ReadAsync(connection).ConfigureAwait(false), await _progress.ReadAsync(connection).ConfigureAwait(false), options.ResumeFrom, Drizzle));
        if (plan.Pending.Count == 0)
        {
            log.Info($"Database {options.Connection.Describe()} is up to date ({folder.FileCount} migration(s) applied; another run applied the rest).");
            return 0;
        }

        if (plan.Resume is { } resume)
        {
            log.Info(resume.Note);
        }
        else
        {
            // When resuming, the interrupted statement's own INVALID index is about to be dropped and rebuilt.
            WarnAboutInvalidIndexes(await InvalidIndexes.FindAsync(connection).ConfigureAwait(false));
        }

        _stage = "during the pg_dump backup (its unfinished file was removed)";
        var backup = await BackupAsync(connection).ConfigureAwait(false);
        var applier = new MigrationApplier(connection, await Database.BackendPidAsync(connection).ConfigureAwait(false), _journal, _progress, lease, options, log, cancellation);
        var done = new List<(string Name, TimeSpan Took)>();
        await Durability.CommitDurablyAsync(connection).ConfigureAwait(false);
        string? lastApplied = null;
        try
        {
            foreach (var migration in plan.Pending)
            {
                try
                {
                    _stage = $"before {migration.File.FileName} started";
                    if (cancellation.IsCancellationRequested)
                    {
                        throw Interrupted("up", done.Count == 0 ? "nothing was applied" : $"{migration.File.FileName} and the ones after it are still pending");
                    }

                    var from = plan.Resume is { } r && r.Migration == migration ? r.Index : (int?)null;
                    done.Add((migration.File.FileName, await applier.ApplyAsync(migration, from).ConfigureAwait(false)));
                    lastApplied = migration.Name;
                }
                catch (MigrationException) when (done.Count > 0)
                {
                    log.Info($"Applied before the failure (these stay applied): {string.Join(", ", done.Select(d => d.Name))}.");
                    throw;
                }
            }
        }
        finally
        {
            if (lastApplied is not null)
            {
                await RecordSchemaAsync(connection, lastApplied).ConfigureAwait(false);
            }
        }

        log.Info($"Applied {done.Count} migration(s) to {options.Connection.Describe()}:");
        foreach (var (name, took) in done)
        {
            log.Info($"  {name,-60} {took.TotalMilliseconds,8:F0} ms");
        }

        log.Info(backup is null ? "No backup was taken (disabled)." : $"Backup: {backup}");
        return done.Count;
    }

    private async Task<int> RollBackAsync(string? target)
    {
        var validated = Validate(failOnErrors: true);
        _stage = "while connecting";
        await using var connection = await Database.OpenAsync(options.Connection, "down", cancellation).ConfigureAwait(false);
        var folder = await ResolveJournalsAsync(connection, validated).ConfigureAwait(false);
        if (!options.DryRun)
        {
            await Writable.CheckAsync(connection, options.Connection, "down").ConfigureAwait(false);
            await Durability.CommitDurablyAsync(connection).ConfigureAwait(false);
        }

        _stage = "while waiting for the migration lock";
        await using var lease = options.DryRun ? null : await MigrationLock.AcquireAsync(options.Connection, options.Lock, "down", log, cancellation).ConfigureAwait(false);
        _stage = "before the first rollback";
        var plan = RunPlanner.Rollback(folder, await _journal.ReadAsync(connection).ConfigureAwait(false), target, options.Force);
        if (plan.Problems.Count > 0)
        {
            throw new MigrationException(plan.Problems);
        }

        var loaded = plan.Targets;
        if (loaded.Count == 0)
        {
            log.Info("Nothing to roll back: no migration is applied.");
            return 0;
        }

        if (options.DryRun)
        {
            PrintPlan("roll back", loaded.Select(m => m.Doc!.IsRollbackNotRecommended
                ? $"{m.Name}: not recommended; --force removes the journal row only"
                : $"{m.Name}: {m.Doc.Statements.Count(s => !s.IsVerifyQuery)} rollback statement(s), {m.Doc.Statements.Count(s => s.IsVerifyQuery)} verify query(ies), risk {m.Doc.Risk.ToString().ToUpperInvariant()}"));
            return 0;
        }

        _stage = "during the pg_dump backup (its unfinished file was removed)";
        var backup = await BackupAsync(connection).ConfigureAwait(false);
        var waits = new LockWaits(connection, [await Database.BackendPidAsync(connection).ConfigureAwait(false), lease!.BackendPid], options.Locking, log, cancellation);
        var rollback = new MigrationRollback(connection, _journal, lease, waits, folder.ReadmePath, log, cancellation);
        var rolledBack = new List<string>();
        foreach (var migration in loaded)
        {
            _stage = $"before the rollback of {migration.Name} started";
            if (cancellation.IsCancellationRequested)
            {
                throw Interrupted("down", rolledBack.Count == 0 ? "nothing was rolled back" : $"{string.Join(", ", rolledBack)} stay rolled back, {migration.Name} and the ones before it stay applied");
            }

            await rollback.RollBackAsync(migration, backup).ConfigureAwait(false);
            rolledBack.Add(migration.Name);
        }

        if ((await _journal.ReadAsync(connection).ConfigureAwait(false)).Select(r => r.Name).Order(StringComparer.Ordinal).LastOrDefault() is { } nowLast)
        {
            await RecordSchemaAsync(connection, nowLast).ConfigureAwait(false);
        }

        log.Info($"Rolled back {loaded.Count} migration(s): {string.Join(", ", loaded.Select(m => m.Name))}.");
        log.Info(backup is null ? "No backup was taken (disabled)." : $"Backup taken before the rollback: {backup}");
        return loaded.Count;
    }

    /// <summary>
    /// Records the schema as the migrations left it, for status's drift check: once per run, after its last applied
    /// migration (a snapshot per migration would cost a catalog read each). Best effort: a failure here changes nothing
    /// that was applied, so it is a line in the log, not an error.
    /// </summary>
    private async Task RecordSchemaAsync(NpgsqlConnection connection, string lastApplied)
    {
        // After a lost connection there is nothing to record with, and the run's own error must not be replaced.
        if (connection.FullState != System.Data.ConnectionState.Open)
        {
            log.Info("The schema fingerprint was not recorded (the connection is gone); status cannot check for drift until the next run records it.");
            return;
        }

        try
        {
            var snapshot = await SchemaReader.ReadAsync(connection, SchemaReader.ToolTables(options.JournalTable)).ConfigureAwait(false);
            if (!await new SchemaFingerprints(_journal.TableName).RecordAsync(connection, lastApplied, snapshot).ConfigureAwait(false))
            {
                log.Info($"The schema fingerprint was not recorded (this role may not create {_journal.TableName}_schema); status cannot check for drift.");
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ObjectDisposedException or TimeoutException)
        {
            log.Info($"The schema fingerprint was not recorded ({ConnectionFailure.Reason(e)}); status cannot check for drift until the next run records it.");
        }
    }

    // What the dry run says a migration will lock, from the same reading of its SQL as the safety lint.
    private string Locks(ValidatedMigration migration)
    {
        var strongest = LockClassifier.Of(migration.Script).SelectMany(l => l).GroupBy(l => l.Table).Select(g => g.MaxBy(l => l.Mode)!).ToList();
        var timeout = LockPolicy.Describe(migration.Settings.LockTimeout ?? options.Locking.LockTimeout);
        return strongest.Count == 0
            ? $"; lock_timeout {timeout}"
            : $"; locks {string.Join(", ", strongest.Select(l => $"{l.Mode.Describe()} on {l.Table}"))}; lock_timeout {timeout}";
    }

    private MigrationFolder Validate(bool failOnErrors)
    {
        var report = MigrationsValidator.Validate(options.Directory, keepScripts: true);
        foreach (var diagnostic in report.Diagnostics)
        {
            log.Report(diagnostic);
        }

        if (failOnErrors && report.HasErrors)
        {
            throw new MigrationException(RunDiagnostics.InvalidFolder(report.Directory, report.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error)));
        }

        return MigrationFolder.From(report, options.JournalTable.ToString());
    }

    private (string Table, IReadOnlyList<DrizzleRow> Rows)? Drizzle => _drizzle is { } found ? (found.Name, found.Rows) : null;

    /// <summary>
    /// Finds drizzle-orm's journal, and when it holds this tool's configured journal name (the runbook's
    /// drizzle_migrations), puts this tool's journal beside it (drizzle_migrations_streambot): the two tools never
    /// share a table, and drizzle-orm's rows are read, never changed. Migrations applied here get drizzle-orm's row too.
    /// </summary>
    private async Task<MigrationFolder> ResolveJournalsAsync(NpgsqlConnection connection, MigrationFolder folder)
    {
        _drizzle = await DrizzleJournalTable.FindAsync(connection, options.JournalTable).ConfigureAwait(false);
        var ours = _drizzle is { UnderJournalName: true } ? options.JournalTable.WithSuffix(BesideDrizzleSuffix) : options.JournalTable;
        _journal = new MigrationJournal(ours)
        {
            Drizzle = _drizzle is { } found && folder.DrizzleKit is { } kit
                ? (found.Quoted, kit.Entries.GroupBy(e => e.Tag, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().When, StringComparer.Ordinal))
                : null,
        };
        _progress = new MigrationProgress(ours);
        return folder with { Journal = ours.ToString() };
    }

    /// <summary>
    /// Records in this tool's journal, without running them, the migrations drizzle-orm's migrator applied (matched
    /// by hash), under the lock and in one transaction; drizzle-orm's rows stay as they are. Returns how many.
    /// </summary>
    public async Task<int> AdoptAsync()
    {
        try
        {
            return await AdoptJournalAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw Interrupted("adopt", "nothing was adopted");
        }
    }

    private async Task<int> AdoptJournalAsync()
    {
        var validated = Validate(failOnErrors: true);
        if (validated.DrizzleKit is null)
        {
            throw new MigrationException(RunDiagnostics.NotADrizzleKitFolder(validated.Directory));
        }

        _stage = "while connecting";
        await using var connection = await Database.OpenAsync(options.Connection, "adopt", cancellation).ConfigureAwait(false);
        await using var lease = options.DryRun ? null : await LockToChangeAsync(connection, "adopt").ConfigureAwait(false);
        _stage = "before anything was recorded";
        var folder = await ResolveJournalsAsync(connection, validated).ConfigureAwait(false);
        if (Drizzle is not { } drizzle)
        {
            throw new MigrationException(RunDiagnostics.NoDrizzleJournal(options.Connection.Describe(), options.JournalTable.ToString()));
        }

        var plan = RunPlanner.Adopt(folder, await _journal.ReadAsync(connection).ConfigureAwait(false), drizzle);
        if (plan.Problems.Count > 0)
        {
            throw new MigrationException(plan.Problems);
        }

        if (options.DryRun || plan.Targets.Count == 0)
        {
            log.Info(plan.Targets.Count == 0
                ? $"Nothing to adopt: every migration drizzle-orm applied ({drizzle.Table}) is in this tool's journal {folder.Journal}."
                : $"Dry run: would record {plan.Targets.Count} migration(s) drizzle-orm applied ({drizzle.Table}) in this tool's journal {folder.Journal}, running none of them:");
            foreach (var file in options.DryRun ? plan.Targets : [])
            {
                log.Info($"  {file.Migration.File.FileName} (drizzle-orm row {file.Row!.Id}{(file.MatchedAs is null ? string.Empty : ", " + file.MatchedAs)})");
            }

            return 0;
        }

        await _journal.EnsureAsync(connection).ConfigureAwait(false);
        await Durability.CommitDurablyAsync(connection).ConfigureAwait(false);
        await using (var transaction = await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false))
        {
            await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { lease!.Fence() } };
            foreach (var file in plan.Targets)
            {
                batch.BatchCommands.Add(_journal.InsertCommand(file.Migration.Name, file.Migration.Hash, 0,
                    $"{MigrationJournal.WhoAmI()}, adopted from drizzle-orm's journal {drizzle.Table} (row {file.Row!.Id})"));
            }

            await batch.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
            await transaction.CommitAsync(cancellation).ConfigureAwait(false);
        }

        await RecordSchemaAsync(connection, plan.Targets[^1].Migration.Name).ConfigureAwait(false);
        log.Info($"Adopted {plan.Targets.Count} migration(s) drizzle-orm applied ({drizzle.Table}) into this tool's journal {folder.Journal}; none was run: {string.Join(", ", plan.Targets.Select(t => t.Migration.Name))}.");
        return plan.Targets.Count;
    }

    private async Task<LockLease> LockToChangeAsync(NpgsqlConnection connection, string command)
    {
        await Writable.CheckAsync(connection, options.Connection, command).ConfigureAwait(false);
        _stage = "while waiting for the migration lock";
        return await MigrationLock.AcquireAsync(options.Connection, options.Lock, command, log, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Records 0000 to <paramref name="to"/> as applied without running them, for a database built some other way, once
    /// every object they create (tables, columns, indexes, constraints, sequences, views, functions, triggers, types;
    /// minus what a later one in the range drops) is found in the catalog. A missing object is an error at the statement
    /// that creates it (a warning with --force, which records anyway). Returns how many were recorded.
    /// </summary>
    public async Task<int> BaselineAsync(string to)
    {
        try
        {
            return await BaselineJournalAsync(to).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw Interrupted("baseline", "nothing was recorded");
        }
    }

    private async Task<int> BaselineJournalAsync(string to)
    {
        var validated = Validate(failOnErrors: true);
        var target = to.EndsWith(".sql", StringComparison.Ordinal) ? to[..^4] : to;
        var end = validated.Migrations.ToList().FindIndex(m => m.Name == target || m.Name[..4] == target);
        if (end < 0)
        {
            throw new MigrationException(RunDiagnostics.BaselineTargetUnknown(validated.Directory, to,
                validated.Migrations.Count == 0 ? "none" : validated.Migrations[0].Name, validated.Migrations.Count == 0 ? "none" : validated.Migrations[^1].Name));
        }

        var range = validated.Migrations.Take(end + 1).ToList();
        _stage = "while connecting";
        await using var connection = await Database.OpenAsync(options.Connection, "baseline", cancellation).ConfigureAwait(false);
        await using var lease = options.DryRun ? null : await LockToChangeAsync(connection, "baseline").ConfigureAwait(false);
        _stage = "before anything was recorded";
        var folder = await ResolveJournalsAsync(connection, validated).ConfigureAwait(false);
        var applied = await _journal.ReadAsync(connection).ConfigureAwait(false);
        if (applied.Count > 0)
        {
            throw new MigrationException(RunDiagnostics.BaselineOnJournal(folder.Journal, applied.Count));
        }

        var objects = new List<SchemaObject>();
        var owner = new Dictionary<SchemaObject, ValidatedMigration>(ReferenceEqualityComparer.Instance);
        foreach (var migration in range)
        {
            foreach (var created in CreatedObjects.Apply(objects, migration.Script).Where(o => !owner.ContainsKey(o)))
            {
                owner[created] = migration;
            }
        }

        var missing = (await CatalogCheck.MissingAsync(connection, objects).ConfigureAwait(false))
            .Select(o => RunDiagnostics.BaselineObjectMissing(owner[o].File.FullPath, o.Line, o.Column, owner[o].File.FileName, o.ToString(), options.Force))
            .ToList();
        if (missing.Count > 0 && !options.Force)
        {
            throw new MigrationException(missing);
        }

        missing.ForEach(log.Report);
        if (options.DryRun)
        {
            log.Info($"Dry run: would record {range.Count} migration(s), {range[0].Name} to {range[^1].Name}, in {folder.Journal} without running them; {objects.Count} object(s) they create checked, {missing.Count} missing. Nothing was changed.");
            return 0;
        }

        await _journal.EnsureAsync(connection).ConfigureAwait(false);
        await Durability.CommitDurablyAsync(connection).ConfigureAwait(false);
        await using (var transaction = await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false))
        {
            await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { lease!.Fence() } };
            foreach (var migration in range)
            {
                batch.BatchCommands.Add(_journal.InsertCommand(migration.Name, migration.Hash, 0,
                    $"{MigrationJournal.WhoAmI()}, baseline ({objects.Count} object(s) checked{(missing.Count > 0 ? $", {missing.Count} missing, forced" : string.Empty)})"));
            }

            await batch.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
            await transaction.CommitAsync(cancellation).ConfigureAwait(false);
        }

        await RecordSchemaAsync(connection, range[^1].Name).ConfigureAwait(false);
        log.Info($"Baselined {range.Count} migration(s), {range[0].Name} to {range[^1].Name}: recorded as applied in {folder.Journal} without running them, after finding the {objects.Count - missing.Count} of {objects.Count} object(s) they create in the database.");
        return range.Count;
    }

    private static ApplyPlan Planned(ApplyPlan plan) => plan.Problems.Count > 0 ? throw new MigrationException(plan.Problems) : plan;

    private void WarnAboutInvalidIndexes(List<string> indexes)
    {
        if (indexes.Count > 0)
        {
            log.Report(RunDiagnostics.InvalidIndexes(indexes));
        }
    }

    private async Task<string?> BackupAsync(NpgsqlConnection connection)
    {
        if (!options.Backup.Enabled)
        {
            log.Report(BackupDiagnostics.Disabled());
            return null;
        }

        return await PgDumpBackup.CreateAsync(options.Connection, options.Backup, connection.PostgreSqlVersion.Major * 10000, log, cancellation).ConfigureAwait(false);
    }

    private void PrintPlan(string verb, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        log.Info(list.Count == 0
            ? $"Dry run: nothing to {verb} on {options.Connection.Describe()}."
            : $"Dry run: would {verb} {list.Count} migration(s) on {options.Connection.Describe()} (after a lock and {(options.Backup.Enabled ? "a pg_dump backup" : "no backup")}):");
        foreach (var line in list)
        {
            log.Info("  " + line);
        }

        log.Info("Nothing was changed.");
    }

    internal static string Ms(TimeSpan elapsed) => elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms";
}
