using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Backup;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Postgres.Preflight;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Postgres.Schema;
using StreamBot.Migrations.Postgres.Telemetry;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Commands;

/// <summary>
/// What every command shares, each done one way: the stage an interrupted run reports, cancellation, validation of
/// the folder with the user's lint settings, the connection, the migration lock, the backup, the journals read once
/// and the schema recorded at the end. A command handler is the sequence of its own steps over this session.
/// </summary>
/// <param name="options">What to run, where.</param>
/// <param name="log">Where progress and problems go.</param>
/// <param name="cancellation">Ctrl-C or SIGTERM: the command ends cleanly with one coded line (SBM4027).</param>
internal sealed class RunSession(RunOptions options, IRunLog log, CancellationToken cancellation)
{
    public RunOptions Options => options;

    public IRunLog Log => log;

    public CancellationToken Cancellation => cancellation;

    /// <summary>Where up and down tell the team what they do (null without a webhook).</summary>
    public Notifications.Webhook? Webhook { get; private set; }

    /// <summary>What the run is doing, for the line that says where an interrupted run stopped.</summary>
    public string Stage { get; set; } = "before it started";

    /// <summary>
    /// Runs a command's steps; a Ctrl-C that surfaces as a cancelled operation becomes SBM4027 naming the stage and
    /// <paramref name="nothingDone"/> (what is true when no step had finished).
    /// </summary>
    public async Task<T> RunAsync<T>(string command, string nothingDone, Func<Task<T>> steps)
    {
        // Only the commands that change the database tell the team; the webhook waits for its queue (within its timeout) at the end.
        await using var webhook = command is "up" or "down" && !options.DryRun ? Notifications.Webhook.For(options.Webhook, command, options.Connection, log) : null;
        Webhook = webhook;
        using var run = RunTelemetry.StartRun(command, options.Connection, options.DryRun);
        try
        {
            var result = await steps().ConfigureAwait(false);
            run?.SetStatus(System.Diagnostics.ActivityStatusCode.Ok);
            return result;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            var interrupted = Interrupted(command, nothingDone);
            Failed(interrupted);
            RunTelemetry.Failed(run, interrupted.Diagnostic);
            throw interrupted;
        }
        catch (MigrationException e)
        {
            Failed(e);
            RunTelemetry.Failed(run, e.Diagnostic);
            throw;
        }
    }

    // The failure as the log shows it: a code and a message that never hold row data or a secret.
    private void Failed(MigrationException e) => Webhook?.Post(new Notifications.WebhookEvent("run.failed", $"failed with {e.Diagnostic.Code}: {e.Diagnostic.Message}",
        [("code", e.Diagnostic.Code), ("message", e.Diagnostic.Message), ("stage", Stage)]));

    /// <summary>SBM4027: the run stopped on Ctrl-C at the current stage, with what that leaves.</summary>
    public MigrationException Interrupted(string command, string outcome) => new(RunDiagnostics.RunCancelled(command, Stage, outcome));

    /// <summary>
    /// The folder as validation reads it. With <paramref name="lint"/> (rehearse), the safety lint runs with the user's
    /// settings (MigrationsLintFrom, MigrationsPostgresVersion) and its findings feed the comparison with the measured
    /// locks; only errors are logged, the build having shown the warnings. Errors stop a command that acts on the folder.
    /// </summary>
    public (MigrationFolder Folder, ValidationReport Report) Validate(bool failOnErrors, bool lint = false)
    {
        // Without its folder no command has anything to say about the database (status would list nothing as if all were well).
        if (!Directory.Exists(options.Directory))
        {
            throw new MigrationException(FolderDiagnostics.DirectoryNotFound(options.Directory));
        }

        var report = MigrationsValidator.Validate(options.Directory, keepScripts: true, lint ? options.Lint : null);
        foreach (var diagnostic in report.Diagnostics.Where(d => !lint || d.Severity == DiagnosticSeverity.Error))
        {
            log.Report(diagnostic);
        }

        if (failOnErrors && report.HasErrors)
        {
            throw new MigrationException(RunDiagnostics.InvalidFolder(report.Directory, report.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error)));
        }

        return (MigrationFolder.From(report, options.JournalTable.ToString()), report);
    }

    /// <summary>A connection for <paramref name="purpose"/>; one that <paramref name="writes"/> commits each transaction durably.</summary>
    public Task<NpgsqlConnection> ConnectAsync(string purpose, bool writes)
    {
        Stage = "while connecting";
        return Database.OpenAsync(options.Connection, purpose, durableCommits: writes && !options.DryRun, cancellation);
    }

    /// <summary>This tool's journal, its progress and drizzle-orm's journal, as the database has them now.</summary>
    public Task<JournalSet> ReadJournalsAsync(NpgsqlConnection connection, MigrationFolder folder) =>
        JournalSet.ReadAsync(connection, options.JournalTable, folder, cancellation);

    /// <summary>Checks that the database takes writes, then waits for the migration lock.</summary>
    public async Task<LockLease> LockAsync(NpgsqlConnection connection, string command)
    {
        await Writable.CheckAsync(connection, options.Connection, command).ConfigureAwait(false);
        Stage = "while waiting for the migration lock";
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        var lease = await MigrationLock.AcquireAsync(options.Connection, options.Lock, command, log, cancellation).ConfigureAwait(false);
        RunTelemetry.MigrationLockTaken(waiting.Elapsed);
        return lease;
    }

    /// <summary>The pg_dump backup before a change, or null (with warning SBM5006) when disabled.</summary>
    public async Task<string?> BackupAsync(NpgsqlConnection connection)
    {
        if (!options.Backup.Enabled)
        {
            log.Report(BackupDiagnostics.Disabled());
            return null;
        }

        Stage = "during the pg_dump backup (its unfinished file was removed)";
        using var span = RunTelemetry.StartBackup();
        try
        {
            var toolTables = SchemaReader.ToolTables(options.JournalTable);
            var backup = await PgDumpBackup.CreateAsync(options.Connection, options.Backup, connection.PostgreSqlVersion.Major * 10000, toolTables, log, cancellation).ConfigureAwait(false);
            if (options.Backup.Verify)
            {
                Stage = $"while verifying the backup {Path.GetFileName(backup)} (nothing was applied)";
                span?.SetTag("streambot.backup.verified", true);
                await BackupVerification.VerifyAsync(options.Connection, backup, toolTables, log, cancellation).ConfigureAwait(false);
            }

            RunTelemetry.BackupWritten(span, backup);
            return backup;
        }
        catch (MigrationException e)
        {
            RunTelemetry.Failed(span, e.Diagnostic);
            throw;
        }
    }

    /// <summary>
    /// Records the schema as the migrations left it, for status's drift check: once per run, after its last applied
    /// migration (a snapshot per migration would cost a catalog read each). Best effort: a failure here changes nothing
    /// that was applied, so it is a line in the log, not an error, and never replaces the run's own error.
    /// </summary>
    public async Task RecordSchemaAsync(NpgsqlConnection connection, JournalSet journals, string lastApplied)
    {
        if (connection.FullState != System.Data.ConnectionState.Open)
        {
            log.Info("The schema fingerprint was not recorded (the connection is gone); status cannot check for drift until the next run records it.");
            return;
        }

        try
        {
            var snapshot = await SchemaReader.ReadAsync(connection, SchemaReader.ToolTables(options.JournalTable)).ConfigureAwait(false);
            if (!await journals.Fingerprints.RecordAsync(connection, lastApplied, snapshot).ConfigureAwait(false))
            {
                log.Info($"The schema fingerprint was not recorded (this role may not create {journals.Fingerprints.TableName}); status cannot check for drift.");
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ObjectDisposedException or TimeoutException)
        {
            log.Info($"The schema fingerprint was not recorded ({ConnectionFailure.Reason(e)}); status cannot check for drift until the next run records it.");
        }
    }

    /// <summary>
    /// Before <paramref name="command"/> changes anything: the live schema against the snapshot recorded after the
    /// last applied migration. Drift stops the run (SBM4036), so the deploy that would record a new snapshot never
    /// erases the evidence; with <see cref="RunOptions.AcceptDrift"/> the live schema is recorded as accepted (who,
    /// when, what) and the run goes on.
    /// </summary>
    public async Task GuardAgainstDriftAsync(NpgsqlConnection connection, JournalSet journals, string command)
    {
        Stage = "while comparing the schema with the recorded one";
        var drift = journals.LastApplied is { } last
            ? await journals.Fingerprints.CompareAsync(connection, last, SchemaReader.ToolTables(options.JournalTable), log.Info).ConfigureAwait(false)
            : null;
        if (drift is not { Changes.Count: > 0 })
        {
            if (options.AcceptDrift)
            {
                log.Info(drift is null
                    ? "--accept-drift: no recorded schema to compare with, so there is no drift to accept."
                    : "--accept-drift: the schema matches the recorded one in everything a snapshot compares (what it does not compare: docs/diagnostics.md, SBM4035); nothing to accept.");
            }

            return;
        }

        var changes = drift.Changes.Select(c => c.ToString()).ToList();
        if (journals.Stopped.Count > 0 && !options.AcceptDrift)
        {
            // A migration that stopped half-way left some of its statements applied: that is drift the journal
            // explains, and refusing would leave no way to resume it.
            log.Report(RehearsalDiagnostics.SchemaDrift(journals.Journal.TableName.ToString(), drift.Migration, changes));
            log.Info($"{string.Join(", ", journals.Stopped.Select(s => s.Name))} stopped half-way and may explain this; {command} goes on. Check the list once it has finished.");
            return;
        }

        if (!options.AcceptDrift)
        {
            throw new MigrationException(RehearsalDiagnostics.DriftRefused(journals.Journal.TableName.ToString(), drift.Migration, command, changes));
        }

        log.Report(RehearsalDiagnostics.SchemaDrift(journals.Journal.TableName.ToString(), drift.Migration, changes));
        if (options.DryRun)
        {
            log.Info($"Dry run: --accept-drift would record these {changes.Count} change(s) as accepted.");
            return;
        }

        if (!await journals.Fingerprints.RecordAsync(connection, drift.Migration, drift.Live, (MigrationJournal.WhoAmI(), changes)).ConfigureAwait(false))
        {
            throw new MigrationException(RehearsalDiagnostics.DriftRefused(journals.Journal.TableName.ToString(), drift.Migration, command, changes));
        }

        log.Info($"Accepted {changes.Count} change(s) made outside the migrations, recorded in {journals.Fingerprints.TableName} with who accepted them and when; status lists them as accepted.");
    }

    /// <summary>
    /// The data checks of <paramref name="plan"/>'s pending migrations on the live rows, and the lint's lock and rewrite
    /// findings sized by the live tables, read-only, before any lock or backup: what was left to the rehearsal and the
    /// sizes are logged, checks that could not finish are warnings, and a conflict or a finding on a large table stops
    /// the command (SBM4037, SBM4041) unless <paramref name="refuse"/> is false. Status lists the result itself, so
    /// <paramref name="logged"/> is false there.
    /// </summary>
    public async Task<PreflightResult> PreflightAsync(NpgsqlConnection connection, MigrationFolder folder, ApplyPlan plan, bool refuse = true, bool logged = true)
    {
        if (plan.Pending.Count == 0)
        {
            return PreflightResult.Empty;
        }

        Stage = "while checking the live data (nothing was locked or changed)";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var data = await DataPreflight.RunAsync(connection, plan.Pending, plan.Resume?.Index ?? 0, options.Preflight, cancellation).ConfigureAwait(false);
        Stage = "while sizing the safety findings by the live tables (nothing was locked or changed)";
        var (large, sized) = await TableSizing.RunAsync(connection, folder, options.Lint, plan.Pending, options.Sizing, options.Preflight.CheckTimeout, cancellation).ConfigureAwait(false);
        var result = data with
        {
            Conflicts = [.. data.Conflicts, .. large],
            Notes = [.. data.Notes.Select(n => "Data check: " + n), .. sized.Select(l => "Sized by the live table: " + l)],
        };
        if (!logged)
        {
            return result;
        }

        foreach (var note in result.Notes)
        {
            log.Info(note);
        }

        foreach (var warning in result.Unfinished)
        {
            log.Report(warning);
        }

        if (data.Checked > 0 || data.Conflicts.Count > 0)
        {
            log.Info($"Data checks: {data.Checked} constraint(s) of the pending migration(s) counted against the live rows in {clock.Elapsed.TotalMilliseconds:0} ms; {data.Conflicts.Count} would fail.");
        }

        if (refuse)
        {
            ThrowIfRefused(result.Conflicts);
        }

        return result;
    }

    /// <summary>A plan's refusal as the command's error.</summary>
    public static void ThrowIfRefused(IReadOnlyList<Diagnostic> problems)
    {
        if (problems.Count > 0)
        {
            throw new MigrationException(problems);
        }
    }

    /// <summary>The dry run's listing: what would happen, line by line, and that nothing was changed.</summary>
    public void PrintPlan(string verb, IReadOnlyList<string> lines)
    {
        log.Info(lines.Count == 0
            ? $"Dry run: nothing to {verb} on {options.Connection.Describe()}."
            : $"Dry run: would {verb} {lines.Count} migration(s) on {options.Connection.Describe()} (after a lock and {(options.Backup.Enabled ? "a pg_dump backup" : "no backup")}):");
        foreach (var line in lines)
        {
            log.Info("  " + line);
        }

        log.Info("Nothing was changed.");
    }
}
