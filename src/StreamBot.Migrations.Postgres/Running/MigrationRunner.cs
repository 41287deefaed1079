using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Postgres.Backup;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Postgres.Locking;
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
        var report = Validate(failOnErrors: false);
        await using var connection = await Database.OpenAsync(options.Connection, "status").ConfigureAwait(false);
        var applied = await _journal.ReadAsync(connection).ConfigureAwait(false);
        var holder = await MigrationLock.ReadHolderAsync(connection).ConfigureAwait(false);
        var progress = (await _progress.ReadAsync(connection).ConfigureAwait(false)).ToDictionary(p => p.Name, StringComparer.Ordinal);
        var invalid = await InvalidIndexes.FindAsync(connection).ConfigureAwait(false);
        var files = report.Migrations.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var byName = applied.ToDictionary(a => a.Name, StringComparer.Ordinal);

        var entries = new List<StatusEntry>();
        foreach (var file in report.Migrations)
        {
            if (byName.TryGetValue(file.Name, out var row))
            {
                var hash = report.Scripts?.GetValueOrDefault(file.Name) is { } script
                    ? MigrationJournal.Checksum(script.Bytes.Span)
                    : MigrationJournal.Checksum(File.ReadAllBytes(file.FullPath));
                entries.Add(new StatusEntry(file.Name, hash == row.Hash ? MigrationState.Applied : MigrationState.Changed, row.AppliedAt, row.ExecutionMs, row.AppliedBy));
            }
            else if (progress.TryGetValue(file.Name, out var stopped))
            {
                entries.Add(new StatusEntry(file.Name, MigrationState.Interrupted, stopped.UpdatedAt, null, stopped.By) { Progress = (stopped.Done, stopped.Total) });
            }
            else
            {
                entries.Add(new StatusEntry(file.Name, MigrationState.Pending, null, null, null));
            }
        }

        entries.AddRange(applied.Where(a => !files.ContainsKey(a.Name))
            .Select(a => new StatusEntry(a.Name, MigrationState.FileMissing, a.AppliedAt, a.ExecutionMs, a.AppliedBy)));
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        // status changes nothing, so the finding that fails up and down is a note here.
        if (JournalCheck.Foreign(report.Directory, files.Keys.ToHashSet(StringComparer.Ordinal), applied, options.JournalTable) is { } foreign)
        {
            log.Info(foreign.FullMessage);
        }

        return new StatusReport(options.Connection.Describe(), entries, holder) { InvalidIndexes = invalid };
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

    private MigrationException Interrupted(string command, string outcome) =>
        new(DiagnosticCatalog.Cancelled.AtFile("streambot-migrate",
            $"{command} was interrupted (Ctrl-C or SIGTERM) {_stage}; {outcome}, and the migration lock was released.",
            $"Run {command} again when ready; status shows where the database stands."));

    private async Task<int> ApplyPendingAsync()
    {
        var report = Validate(failOnErrors: true);
        if (options.DryRun)
        {
            await using var readOnly = await Database.OpenAsync(options.Connection, "plan").ConfigureAwait(false);
            var planned = Pending(report, Load(report), await _journal.ReadAsync(readOnly).ConfigureAwait(false));
            var resume = ResumePoint(planned, await _progress.ReadAsync(readOnly).ConfigureAwait(false));
            if (resume is { } r)
            {
                log.Info($"{r.Migration.File.FileName} resumes at statement {r.Index + 1} of {r.Migration.Script.Statements.Count}.");
            }

            PrintPlan("apply", planned.Select(m => $"{m.File.FileName}: {m.Script.Statements.Count} statement(s), {(m.IsTransactional ? "in one transaction" : "without a transaction (non-transactional statements)")}"));
            return 0;
        }

        _stage = "while connecting";
        await using var connection = await Database.OpenAsync(options.Connection, "up", cancellation).ConfigureAwait(false);
        var migrations = Load(report);
        // Fast path without the lock: journal rows commit together with their migrations, so when every file is in
        // the journal (with its checksum) there is nothing to do, whatever another applier is doing.
        if (Pending(report, migrations, await _journal.ReadAsync(connection).ConfigureAwait(false)).Count == 0)
        {
            log.Info($"Database {options.Connection.Describe()} is up to date ({report.Migrations.Count} migration(s) applied).");
            return 0;
        }

        await Writable.CheckAsync(connection, options.Connection, "up").ConfigureAwait(false);
        _stage = "while waiting for the migration lock";
        await using var lease = await MigrationLock.AcquireAsync(options.Connection, options.Lock, "up", log, cancellation).ConfigureAwait(false);
        _stage = "before the first migration";
        await _journal.EnsureAsync(connection).ConfigureAwait(false);
        var pending = Pending(report, migrations, await _journal.ReadAsync(connection).ConfigureAwait(false));
        if (pending.Count == 0)
        {
            log.Info($"Database {options.Connection.Describe()} is up to date ({report.Migrations.Count} migration(s) applied; another run applied the rest).");
            return 0;
        }

        var resumeAt = ResumePoint(pending, await _progress.ReadAsync(connection).ConfigureAwait(false));
        if (resumeAt is null)
        {
            // When resuming, the interrupted statement's own INVALID index is about to be dropped and rebuilt.
            WarnAboutInvalidIndexes(await InvalidIndexes.FindAsync(connection).ConfigureAwait(false));
        }

        _stage = "during the pg_dump backup (its unfinished file was removed)";
        var backup = await BackupAsync(connection).ConfigureAwait(false);
        var applier = new MigrationApplier(connection, _journal, _progress, lease, options, log, cancellation);
        var done = new List<(string Name, TimeSpan Took)>();
        await Durability.CommitDurablyAsync(connection).ConfigureAwait(false);
        foreach (var migration in pending)
        {
            try
            {
                _stage = $"before {migration.File.FileName} started";
                if (cancellation.IsCancellationRequested)
                {
                    throw Interrupted("up", done.Count == 0 ? "nothing was applied" : $"{migration.File.FileName} and the ones after it are still pending");
                }

                var from = resumeAt is { } r && r.Migration == migration ? r.Index : (int?)null;
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
        var report = Validate(failOnErrors: true);
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
        var applied = await _journal.ReadAsync(connection).ConfigureAwait(false);
        if (JournalCheck.Foreign(report.Directory, report.Migrations.Select(m => m.Name).ToHashSet(StringComparer.Ordinal), applied, options.JournalTable) is { } foreign)
        {
            throw new MigrationException(foreign);
        }

        var victims = RollbackTargets(target, applied);
        if (victims.Count == 0)
        {
            log.Info("Nothing to roll back: no migration is applied.");
            return 0;
        }

        var files = report.Migrations.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var loaded = new List<LoadedMigration>();
        foreach (var row in victims)
        {
            if (!files.TryGetValue(row.Name, out var file))
            {
                throw new MigrationException(DiagnosticCatalog.AppliedFileMissing.AtFile(Path.Combine(report.Directory, row.Name + ".sql"),
                    $"{row.Name} is applied but its file and README section are gone, so its rollback SQL is unknown.",
                    "Restore the file and its README section from version control, or restore the database from a backup."));
            }

            var migration = LoadedMigration.Load(file, report.Docs.GetValueOrDefault(row.Name), report.Scripts?.GetValueOrDefault(row.Name));
            if (migration.Doc!.IsRollbackNotRecommended && !options.Force)
            {
                throw new MigrationException(DiagnosticCatalog.RollbackNotRecommended.At(Path.Combine(report.Directory, "README.md"), migration.Doc.HeadingLine, 1,
                    $"Rolling back {row.Name} is not recommended: {migration.Doc.NotRecommendedReason}. Nothing was rolled back.",
                    "Restore a backup instead (psql \"$DATABASE_URL\" < backups/streambot_....sql). --force (-p:MigrationsForce=true) only removes the journal row."));
            }

            loaded.Add(migration);
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
        var rollback = new MigrationRollback(connection, _journal, lease!, Path.Combine(report.Directory, "README.md"), log, cancellation);
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

    private ValidationReport Validate(bool failOnErrors)
    {
        var report = MigrationsValidator.Validate(options.Directory, keepScripts: true);
        foreach (var diagnostic in report.Diagnostics)
        {
            log.Report(diagnostic);
        }

        if (failOnErrors && report.HasErrors)
        {
            throw new MigrationException(DiagnosticCatalog.InvalidFolder.AtFile(report.Directory,
                $"The migrations folder has {report.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error)} error(s); nothing was run against the database.",
                "Fix the errors above (dotnet build reports the same ones) and run again."));
        }

        return report;
    }

    /// <summary>Every migration of the folder, read and split once per run.</summary>
    private static List<LoadedMigration> Load(ValidationReport report) =>
        report.Migrations.Select(file => LoadedMigration.Load(file, report.Docs.GetValueOrDefault(file.Name), report.Scripts?.GetValueOrDefault(file.Name))).ToList();

    private List<LoadedMigration> Pending(ValidationReport report, List<LoadedMigration> migrations, List<AppliedMigration> applied)
    {
        var problems = JournalCheck.Problems(report.Directory, migrations, applied, options.JournalTable);
        if (problems.Count > 0)
        {
            throw new MigrationException(problems);
        }

        var applying = applied.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        return migrations.Where(m => !applying.Contains(m.Name)).ToList();
    }

    /// <summary>
    /// Where an interrupted migration goes on (0-based), if <see cref="RunOptions.ResumeFrom"/> says so; refuses
    /// to go on without it, and refuses a resume with nothing to resume.
    /// </summary>
    private (LoadedMigration Migration, int Index)? ResumePoint(List<LoadedMigration> pending, List<ProgressRow> progress)
    {
        var stopped = progress.FirstOrDefault(p => pending.Any(m => m.Name == p.Name));
        if (stopped is null)
        {
            return options.ResumeFrom is null ? null : throw new MigrationException(DiagnosticCatalog.NothingToResume.AtFile("streambot-migrate",
                $"--resume-from {options.ResumeFrom} was given, but no pending migration was interrupted half-way. Nothing was applied.",
                "Run up without --resume-from (-p:MigrationsResumeFrom)."));
        }

        var migration = pending.First(m => m.Name == stopped.Name);
        var statements = migration.Script.Statements;
        var changed = stopped.Hash == migration.Hash ? string.Empty
            : $" The file changed since (it has {statements.Count} statement(s) now, {stopped.Total} then); statement numbers below are the current file's.";
        var uncertain = Math.Min(stopped.Done, statements.Count - 1);
        var ran = stopped.Done == 0
            ? "No statement is recorded as done."
            : stopped.Done == 1
                ? $"Statement 1 (line {statements[0].Line}) ran."
                : $"Statements 1 to {stopped.Done} (lines {MigrationApplier.Lines(statements.Take(Math.Min(stopped.Done, statements.Count)))}) ran.";
        if (options.ResumeFrom is null)
        {
            throw new MigrationException(DiagnosticCatalog.Interrupted.At(migration.File.FullPath, statements[uncertain].Line, statements[uncertain].Column,
                $"{migration.File.FileName} runs without a transaction and stopped half-way (last progress {stopped.UpdatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, {stopped.By}). {ran} Statement {uncertain + 1} (line {statements[uncertain].Line}) was next or running when it stopped and may or may not have taken effect; statements after it did not run. Nothing was applied.{changed}",
                $"Check statement {uncertain + 1}'s effect in the database, then run up --resume-from {uncertain + 1} (-p:MigrationsResumeFrom={uncertain + 1}); if it did take effect, --resume-from {uncertain + 2}. An INVALID index it left is dropped and rebuilt on resume."));
        }

        if (options.ResumeFrom is not { } n || n < 1 || n > statements.Count + 1 || migration != pending[0])
        {
            throw new MigrationException(DiagnosticCatalog.NothingToResume.AtFile(migration.File.FullPath,
                $"--resume-from {options.ResumeFrom} is outside {migration.File.FileName}, which has {statements.Count} statement(s). Nothing was applied.",
                $"Use a statement number from 1 to {statements.Count + 1} ({statements.Count + 1} only journals it); {stopped.Done + 1} follows the last recorded one."));
        }

        log.Info($"Resuming {migration.File.FileName} at statement {n} of {statements.Count}; {ran}{changed}");
        return (migration, n - 1);
    }

    private void WarnAboutInvalidIndexes(List<string> indexes)
    {
        if (indexes.Count > 0)
        {
            log.Report(DiagnosticCatalog.InvalidIndex.AtFile("streambot-migrate",
                $"INVALID index(es) in the database, left by a failed or interrupted CREATE INDEX CONCURRENTLY: {string.Join(", ", indexes)}. Queries do not use them; writes still maintain them.",
                $"Drop and recreate each (DROP INDEX CONCURRENTLY {indexes[0]}; then its CREATE INDEX CONCURRENTLY)."));
        }
    }

    private static List<AppliedMigration> RollbackTargets(string? target, List<AppliedMigration> applied)
    {
        var ordered = applied.OrderByDescending(a => a.Name, StringComparer.Ordinal).ToList();
        if (target is null)
        {
            return ordered.Take(1).ToList();
        }

        var name = target.EndsWith(".sql", StringComparison.Ordinal) ? target[..^4] : target;
        return ordered.Any(a => a.Name == name)
            ? ordered.TakeWhile(a => string.CompareOrdinal(a.Name, name) >= 0).ToList()
            : throw new MigrationException(DiagnosticCatalog.NotApplied.AtFile("streambot-migrate",
                $"{name} is not applied, so it cannot be rolled back. Applied: {(applied.Count == 0 ? "none" : string.Join(", ", ordered.Select(a => a.Name)))}.",
                "Name an applied migration exactly as in the journal (e.g. 0004_add_giveaway_concurrency_improvements), or run status."));
    }

    private async Task<string?> BackupAsync(NpgsqlConnection connection)
    {
        if (!options.Backup.Enabled)
        {
            log.Report(DiagnosticCatalog.BackupDisabled.AtFile("streambot-migrate",
                "No backup is taken before this run (MigrationsBackup=false / --no-backup).",
                "Make sure a recent backup exists; the runbook keeps one per run for 30 days."));
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
