using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Notifications;
using StreamBot.Migrations.Postgres.Running;

namespace StreamBot.Migrations.Postgres.Commands;

/// <summary>
/// <c>down [MIGRATION]</c>: rolls back the last applied migration, or the one named and every applied migration
/// after it, newest first, each with its README rollback and verify queries. Returns how many were rolled back.
/// </summary>
internal static class DownCommand
{
    public static Task<int> RunAsync(RunSession session, string? target) => session.RunAsync("down", "nothing was rolled back", async () =>
    {
        var options = session.Options;
        var (validated, _) = session.Validate(failOnErrors: true);
        await using var connection = await session.ConnectAsync("down", writes: true).ConfigureAwait(false);
        await using var lease = options.DryRun ? null : await session.LockAsync(connection, "down").ConfigureAwait(false);
        session.Stage = "before the first rollback";
        var journals = await session.ReadJournalsAsync(connection, validated).ConfigureAwait(false);
        var plan = RunPlanner.Rollback(journals.Folder, journals.Applied, target, options.Force);
        RunSession.ThrowIfRefused(plan.Problems);
        if (plan.Targets.Count == 0)
        {
            session.Log.Info("Nothing to roll back: no migration is applied.");
            return 0;
        }

        await session.GuardAgainstDriftAsync(connection, journals, "down").ConfigureAwait(false);
        if (options.DryRun)
        {
            session.PrintPlan("roll back", plan.Targets.Select(m => m.Doc!.IsRollbackNotRecommended
                ? $"{m.Name}: not recommended; --force removes the journal row only"
                : $"{m.Name}: {m.Doc.Statements.Count(s => !s.IsVerifyQuery)} rollback statement(s), {m.Doc.Statements.Count(s => s.IsVerifyQuery)} verify query(ies), risk {m.Doc.Risk.ToString().ToUpperInvariant()}").ToList());
            return 0;
        }

        session.Webhook?.Post(new("run.started", $"rolling back {plan.Targets.Count} migration(s): {Webhook.Names(plan.Targets.Select(m => m.Name).ToList())}",
            [("targets", plan.Targets.Select(m => m.Name).ToList())]));
        var backup = await session.BackupAsync(connection).ConfigureAwait(false);
        var waits = new LockWaits(connection, [await Database.BackendPidAsync(connection).ConfigureAwait(false), lease!.BackendPid], options.Locking, session.Log, session.Cancellation);
        var rollback = new MigrationRollback(connection, journals.Journal, lease, waits, journals.Folder.ReadmePath, session.Log, session.Cancellation);
        var rolledBack = new List<string>();
        foreach (var migration in plan.Targets)
        {
            session.Stage = $"before the rollback of {migration.Name} started";
            if (session.Cancellation.IsCancellationRequested)
            {
                throw session.Interrupted("down", rolledBack.Count == 0 ? "nothing was rolled back" : $"{string.Join(", ", rolledBack)} stay rolled back, {migration.Name} and the ones before it stay applied");
            }

            await rollback.RollBackAsync(migration, backup).ConfigureAwait(false);
            rolledBack.Add(migration.Name);
            session.Webhook?.Post(new("migration.rolled_back", $"rolled back {migration.Name}", [("migration", migration.Name)]));
        }

        // The newest migration still applied: the schema is now what it left.
        var stillApplied = journals.Applied.Select(r => r.Name).Except(rolledBack, StringComparer.Ordinal).Order(StringComparer.Ordinal).LastOrDefault();
        if (stillApplied is not null)
        {
            await session.RecordSchemaAsync(connection, journals, stillApplied).ConfigureAwait(false);
        }

        session.Log.Info($"Rolled back {rolledBack.Count} migration(s): {string.Join(", ", rolledBack)}.");
        session.Log.Info(backup is null ? "No backup was taken (disabled)." : $"Backup taken before the rollback: {backup}");
        session.Webhook?.Post(new("run.completed", $"rolled back {rolledBack.Count} migration(s): {Webhook.Names(rolledBack)}",
            [("rolledBack", rolledBack), ("backup", backup is null ? null : Path.GetFileName(backup))]));
        return rolledBack.Count;
    });
}
