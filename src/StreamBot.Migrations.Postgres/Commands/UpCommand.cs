using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Postgres.Notifications;
using StreamBot.Migrations.Postgres.Preflight;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Postgres.Schema;
using StreamBot.Migrations.Postgres.Watching;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Commands;

/// <summary>
/// <c>up</c>: validate, take the lock, plan against the journal read under it, back up, then apply each pending
/// migration in its own transaction. Returns how many were applied.
/// </summary>
internal static class UpCommand
{
    public static Task<int> RunAsync(RunSession session) => session.RunAsync("up", "nothing was applied", async () =>
    {
        var (validated, _) = session.Validate(failOnErrors: true);
        if (session.Options.DryRun)
        {
            return await DryRunAsync(session, validated).ConfigureAwait(false);
        }

        var options = session.Options;
        await using var connection = await session.ConnectAsync("up", writes: true).ConfigureAwait(false);
        // Without the lock: journal rows commit together with their migrations, so when every file is in the journal
        // (with its checksum) there is nothing to do, whatever another applier is doing.
        var before = await session.ReadJournalsAsync(connection, validated).ConfigureAwait(false);
        // With --accept-drift there is something to do even then: record the schema as it is, under the lock.
        if (options.ResumeFrom is null && !options.AcceptDrift && Planned(RunPlanner.Apply(before.Folder, before.Applied, [], null, before.DrizzleRows)).Pending.Count == 0)
        {
            session.Log.Info($"Database {options.Connection.Describe()} is up to date ({before.Folder.FileCount} migration(s) applied).");
            return 0;
        }

        // Production's rows are read before anything is locked or backed up: a conflict changes nothing. A plan the
        // journal refuses is left to the planning under the lock, which reports it.
        if (RunPlanner.Apply(before.Folder, before.Applied, before.Stopped, options.ResumeFrom, before.DrizzleRows) is { Problems.Count: 0 } early)
        {
            await session.PreflightAsync(connection, before.Folder, early).ConfigureAwait(false);
            await CheckBackfillKeysAsync(session, connection, early).ConfigureAwait(false);
        }

        await using var lease = await session.LockAsync(connection, "up").ConfigureAwait(false);
        session.Stage = "before the first migration";
        // Read again under the lock: another applier (or a drizzle-orm deploy) may have run meanwhile.
        var journals = await session.ReadJournalsAsync(connection, validated).ConfigureAwait(false);
        var plan = Planned(RunPlanner.Apply(journals.Folder, journals.Applied, journals.Stopped, options.ResumeFrom, journals.DrizzleRows));
        if (plan.Pending.Count == 0)
        {
            if (options.AcceptDrift)
            {
                await session.GuardAgainstDriftAsync(connection, journals, "up").ConfigureAwait(false);
            }

            session.Log.Info($"Database {options.Connection.Describe()} is up to date ({journals.Folder.FileCount} migration(s) applied; another run applied the rest).");
            return 0;
        }

        await session.GuardAgainstDriftAsync(connection, journals, "up").ConfigureAwait(false);
        session.Webhook?.Post(new("run.started", $"applying {plan.Pending.Count} migration(s): {Webhook.Names(plan.Pending.Select(m => m.Name).ToList())}",
            [("pending", plan.Pending.Select(m => m.Name).ToList())]));
        await journals.EnsureAsync(connection).ConfigureAwait(false);
        if (plan.Resume is { } resume)
        {
            session.Log.Info(resume.Note);
        }
        else if (await InvalidIndexes.FindAsync(connection).ConfigureAwait(false) is { Count: > 0 } invalid)
        {
            // When resuming, the interrupted statement's own INVALID index is about to be dropped and rebuilt.
            session.Log.Report(RunDiagnostics.InvalidIndexes(invalid));
        }

        var backup = await session.BackupAsync(connection).ConfigureAwait(false);
        var watch = options.Watch is null ? null
            : await DeployWatch.BeginAsync(connection, options.JournalTable.ToString(), SchemaReader.ToolTables(options.JournalTable), withSchema: true, session.Cancellation).ConfigureAwait(false);
        var applier = new MigrationApplier(connection, await Database.BackendPidAsync(connection).ConfigureAwait(false), journals, lease, options, session.Log, session.Cancellation);
        await applier.WarnAboutBlockersAsync(plan.Pending).ConfigureAwait(false);
        var done = await ApplyAllAsync(session, connection, journals, plan, applier, lease, watch).ConfigureAwait(false);
        session.Log.Info($"Applied {done.Count} migration(s) to {options.Connection.Describe()}:");
        foreach (var applied in done)
        {
            session.Log.Info($"  {applied.FileName,-60} {applied.Took.TotalMilliseconds,8:F0} ms");
        }

        session.Log.Info(backup is null ? "No backup was taken (disabled)." : $"Backup: {backup}");
        var findings = watch is null ? null : await WatchAfterAsync(session, connection, watch).ConfigureAwait(false);
        session.Webhook?.Post(new("run.completed", $"applied {done.Count} migration(s) in {DeployDiagnostics.Duration(TimeSpan.FromMilliseconds(done.Sum(d => d.Took.TotalMilliseconds)))}: {Webhook.Names(done.Select(d => d.Name).ToList())}",
        [
            ("applied", done.Select(d => Webhook.Record(("name", d.Name), ("durationMs", (long)d.Took.TotalMilliseconds))).ToList()),
            ("backup", backup is null ? null : Path.GetFileName(backup)),
            ("watch", findings?.Select(f => f.ToString()).ToList()),
        ]));
        return done.Count;
    });

    /// <summary>
    /// Applies each pending migration; each is reported applied once its commit is durable (<see cref="DurableReports"/>),
    /// and every one is before the command reports its end, a failure or an interruption.
    /// </summary>
    private static async Task<List<AppliedMigration>> ApplyAllAsync(RunSession session, NpgsqlConnection connection, JournalSet journals, ApplyPlan plan,
        MigrationApplier applier, LockLease lease, DeployWatch? watch)
    {
        var done = new List<AppliedMigration>();
        await using var reports = new DurableReports(lease, session.Log, applied => session.Webhook?.Post(new("migration.applied",
            $"applied {applied.Name} ({DeployDiagnostics.Duration(applied.Took)})", [("migration", applied.Name), ("durationMs", (long)applied.Took.TotalMilliseconds)])));
        try
        {
            foreach (var migration in plan.Pending)
            {
                session.Stage = $"before {migration.File.FileName} started";
                if (session.Cancellation.IsCancellationRequested)
                {
                    await reports.FlushAsync().ConfigureAwait(false);
                    throw session.Interrupted("up", done.Count == 0 ? "nothing was applied" : $"{migration.File.FileName} and the ones after it are still pending");
                }

                if (migration.Settings.ContractAfter is not null)
                {
                    session.Stage = $"while {migration.File.FileName} waited for older versions of the app to leave (it was not applied)";
                    await DrainGate.WaitAsync(connection, migration, session.Options.Drain, session.Log, session.Cancellation).ConfigureAwait(false);
                }

                var from = plan.Resume is { } r && r.Migration == migration ? r.Index : (int?)null;
                var applied = await applier.ApplyAsync(migration, from).ConfigureAwait(false);
                done.Add(applied);
                reports.Committed(applied);
                if (watch is not null)
                {
                    await watch.AppliedAsync(connection, migration.Name).ConfigureAwait(false);
                }
                if (session.Options.ReplicaWait is { } bound)
                {
                    // Durable first: a standby receives only what the primary has flushed.
                    await reports.FlushAsync().ConfigureAwait(false);
                    session.Stage = $"while the standbys replayed {migration.File.FileName} (it is applied)";
                    await ReplicaWait.WaitAsync(connection, migration, bound, session.Log, session.Cancellation).ConfigureAwait(false);
                }
            }

            await reports.FlushAsync().ConfigureAwait(false);
        }
        catch (MigrationException) when (done.Count > 0)
        {
            if (await reports.FlushAsync().ConfigureAwait(false))
            {
                session.Log.Info($"Applied before the failure (these stay applied): {string.Join(", ", done.Select(d => d.FileName))}.");
            }

            throw;
        }
        finally
        {
            if (done.Count > 0)
            {
                await session.RecordSchemaAsync(connection, journals, done[^1].Name).ConfigureAwait(false);
            }
        }

        return done;
    }

    // After the last migration: the watch, with the lock still held so no other deploy muddles the figures.
    private static async Task<IReadOnlyList<Migrations.Watching.WatchFinding>> WatchAfterAsync(RunSession session, NpgsqlConnection connection, DeployWatch watch)
    {
        session.Stage = "while watching the database after the deploy";
        try
        {
            return (await watch.WatchAsync(connection, session.Options.Watch!, session.Log, session.Cancellation).ConfigureAwait(false)).Findings;
        }
        catch (OperationCanceledException) when (session.Cancellation.IsCancellationRequested)
        {
            throw session.Interrupted("up", "every migration stays applied; the watch stopped early");
        }
    }

    private static async Task<int> DryRunAsync(RunSession session, MigrationFolder validated)
    {
        await using var readOnly = await session.ConnectAsync("plan", writes: false).ConfigureAwait(false);
        var journals = await session.ReadJournalsAsync(readOnly, validated).ConfigureAwait(false);
        var plan = Planned(RunPlanner.Apply(journals.Folder, journals.Applied, journals.Stopped, session.Options.ResumeFrom, journals.DrizzleRows));
        if (plan.Pending.Count > 0)
        {
            await session.GuardAgainstDriftAsync(readOnly, journals, "up").ConfigureAwait(false);
        }

        if (plan.Resume is { } r)
        {
            session.Log.Info($"{r.Migration.File.FileName} resumes at statement {r.Index + 1} of {r.Migration.Script.Statements.Count}.");
        }

        var checks = await session.PreflightAsync(readOnly, journals.Folder, plan, refuse: false).ConfigureAwait(false);
        var drain = new Dictionary<ValidatedMigration, string>();
        foreach (var contract in plan.Pending.Where(m => m.Settings.ContractAfter is not null))
        {
            var older = await DrainGate.OlderAsync(readOnly, contract, session.Options.Drain, session.Cancellation).ConfigureAwait(false);
            drain[contract] = $"; a contract step after {contract.Settings.ContractAfter}: {(older.Count == 0 ? "no older version is connected now" : $"{older.Count} older session(s) connected now, up would wait for them")}";
        }

        session.PrintPlan("apply", plan.Pending.Select(m =>
            $"{m.File.FileName}: {m.Script.Statements.Count} statement(s), {How(m)}{Locks(session, m)}{drain.GetValueOrDefault(m)}").ToList());
        // The dry run fails as up would, after showing the whole plan.
        RunSession.ThrowIfRefused(checks.Conflicts);
        await CheckBackfillKeysAsync(session, readOnly, plan).ConfigureAwait(false);
        return 0;
    }

    private static string How(ValidatedMigration migration) =>
        migration.Backfills.Count > 0
            ? $"in {MigrationPhases.Of(migration).Count} phases, with {string.Join(" and ", migration.Backfills.Select(b => $"a backfill over {b.TableName} (line {b.Line}) in batches"))}"
            : migration.IsTransactional ? "in one transaction" : "without a transaction (non-transactional statements)";

    /// <summary>
    /// Before the lock: each pending backfill's table has a key its batches can walk (SBM2015). A table that does not
    /// exist yet, or that an earlier pending statement alters (it may add the key), is checked when its backfill starts.
    /// </summary>
    private static async Task CheckBackfillKeysAsync(RunSession session, NpgsqlConnection connection, ApplyPlan plan)
    {
        if (plan.Pending.All(m => m.Backfills.Count == 0))
        {
            return;
        }

        var altered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var migration in plan.Pending)
        {
            var from = plan.Resume is { } r && r.Migration == migration ? r.Index : 0;
            for (var i = from; i < migration.Script.Statements.Count; i++)
            {
                if (migration.Backfills.FirstOrDefault(b => b.Statement == i) is { } backfill && !altered.Contains(backfill.TableName))
                {
                    await Backfills.BackfillKey.ReadAsync(connection, migration, backfill, beforeAnything: true, session.Cancellation).ConfigureAwait(false);
                }

                altered.UnionWith(migration.Locks[i].Where(l => l.Mode > LockMode.RowExclusive).Select(l => l.Table));
            }
        }
    }

    // What the dry run says a migration will lock, from the classification the lint and the lock policy share.
    private static string Locks(RunSession session, ValidatedMigration migration)
    {
        var strongest = migration.Locks.SelectMany(l => l).GroupBy(l => l.Table).Select(g => g.MaxBy(l => l.Mode)!).ToList();
        var timeout = LockPolicy.Describe(migration.Settings.LockTimeout ?? session.Options.Locking.LockTimeout);
        return strongest.Count == 0
            ? $"; lock_timeout {timeout}"
            : $"; locks {string.Join(", ", strongest.Select(l => $"{l.Mode.Describe()} on {l.Table}"))}; lock_timeout {timeout}";
    }

    private static ApplyPlan Planned(ApplyPlan plan)
    {
        RunSession.ThrowIfRefused(plan.Problems);
        return plan;
    }
}
