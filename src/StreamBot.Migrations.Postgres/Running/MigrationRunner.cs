using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Backup;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Postgres.Locking;
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
    private readonly MigrationJournal _journal = new(options.JournalTable);
    private readonly MigrationProgress _progress = new(options.JournalTable);

    /// <summary>Every migration's state and the lock holder. Takes no lock and changes nothing.</summary>
    public async Task<StatusReport> StatusAsync()
    {
        var folder = Validate(failOnErrors: false);
        await using var connection = await Database.OpenAsync(options.Connection, "status").ConfigureAwait(false);
        var plan = RunPlanner.Status(folder, await _journal.ReadAsync(connection).ConfigureAwait(false), await _progress.ReadAsync(connection).ConfigureAwait(false));
        var holder = await MigrationLock.ReadHolderAsync(connection).ConfigureAwait(false);
        var invalid = await InvalidIndexes.FindAsync(connection).ConfigureAwait(false);
        var drizzle = await DrizzleJournalAsync(connection).ConfigureAwait(false);
        if (plan.Note is { } note)
        {
            log.Info(note.FullMessage);
        }

        return new StatusReport(options.Connection.Describe(), plan.Entries, holder)
        {
            InvalidIndexes = invalid,
            Drizzle = RunPlanner.Drizzle(folder, drizzle) is { } match ? (drizzle!.Value.Table, match) : null,
        };
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
        var folder = Validate(failOnErrors: true);
        if (options.DryRun)
        {
            await using var readOnly = await Database.OpenAsync(options.Connection, "plan").ConfigureAwait(false);
            var planned = Planned(RunPlanner.Apply(folder, await _journal.ReadAsync(readOnly).ConfigureAwait(false), await _progress.ReadAsync(readOnly).ConfigureAwait(false), options.ResumeFrom,
                await DrizzleJournalAsync(readOnly).ConfigureAwait(false)));
            if (planned.Resume is { } r)
            {
                log.Info($"{r.Migration.File.FileName} resumes at statement {r.Index + 1} of {r.Migration.Script.Statements.Count}.");
            }

            PrintPlan("apply", planned.Pending.Select(m => $"{m.File.FileName}: {m.Script.Statements.Count} statement(s), {(m.IsTransactional ? "in one transaction" : "without a transaction (non-transactional statements)")}"));
            return 0;
        }

        _stage = "while connecting";
        await using var connection = await Database.OpenAsync(options.Connection, "up", cancellation).ConfigureAwait(false);
        // Fast path without the lock: journal rows commit together with their migrations, so when every file is in
        // the journal (with its checksum) there is nothing to do, whatever another applier is doing.
        var drizzle = await DrizzleJournalAsync(connection).ConfigureAwait(false);
        if (options.ResumeFrom is null && Planned(RunPlanner.Apply(folder, await _journal.ReadAsync(connection).ConfigureAwait(false), [], null, drizzle)).Pending.Count == 0)
        {
            log.Info($"Database {options.Connection.Describe()} is up to date ({folder.FileCount} migration(s) applied).");
            return 0;
        }

        await Writable.CheckAsync(connection, options.Connection, "up").ConfigureAwait(false);
        _stage = "while waiting for the migration lock";
        await using var lease = await MigrationLock.AcquireAsync(options.Connection, options.Lock, "up", log, cancellation).ConfigureAwait(false);
        _stage = "before the first migration";
        // Checked again under the lock (a drizzle-orm deploy may have run meanwhile), before this tool's journal exists.
        drizzle = await DrizzleJournalAsync(connection).ConfigureAwait(false);
        Planned(RunPlanner.Apply(folder, await _journal.ReadAsync(connection).ConfigureAwait(false), [], null, drizzle));
        await _journal.EnsureAsync(connection).ConfigureAwait(false);
        var plan = Planned(RunPlanner.Apply(folder, await _journal.ReadAsync(connection).ConfigureAwait(false), await _progress.ReadAsync(connection).ConfigureAwait(false), options.ResumeFrom, drizzle));
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
        var applier = new MigrationApplier(connection, _journal, _progress, lease, options, log, cancellation);
        var done = new List<(string Name, TimeSpan Took)>();
        await Durability.CommitDurablyAsync(connection).ConfigureAwait(false);
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
            }
            catch (MigrationException) when (done.Count > 0)
            {
                log.Info($"Applied before the failure (these stay applied): {string.Join(", ", done.Select(d => d.Name))}.");
                throw;
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
        var folder = Validate(failOnErrors: true);
        _stage = "while connecting";
        await using var connection = await Database.OpenAsync(options.Connection, "down", cancellation).ConfigureAwait(false);
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
        var rollback = new MigrationRollback(connection, _journal, lease!, folder.ReadmePath, log, cancellation);
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

        log.Info($"Rolled back {loaded.Count} migration(s): {string.Join(", ", loaded.Select(m => m.Name))}.");
        log.Info(backup is null ? "No backup was taken (disabled)." : $"Backup taken before the rollback: {backup}");
        return loaded.Count;
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

    private async Task<(string Table, IReadOnlyList<DrizzleRow> Rows)?> DrizzleJournalAsync(NpgsqlConnection connection) =>
        await DrizzleJournalTable.FindAsync(connection, options.JournalTable).ConfigureAwait(false) is { } found ? (found.Table, found.Rows) : null;

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
