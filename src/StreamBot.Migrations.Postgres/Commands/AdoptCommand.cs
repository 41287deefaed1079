using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Journal;

namespace StreamBot.Migrations.Postgres.Commands;

/// <summary>
/// <c>adopt</c>: records in this tool's journal, without running them, the migrations drizzle-orm's migrator applied
/// (matched by hash), under the lock and in one transaction; drizzle-orm's rows stay as they are. Returns how many.
/// </summary>
internal static class AdoptCommand
{
    public static Task<int> RunAsync(RunSession session) => session.RunAsync("adopt", "nothing was adopted", async () =>
    {
        var options = session.Options;
        var (validated, _) = session.Validate(failOnErrors: true);
        if (validated.DrizzleKit is null)
        {
            throw new MigrationException(RunDiagnostics.NotADrizzleKitFolder(validated.Directory));
        }

        await using var connection = await session.ConnectAsync("adopt", writes: true).ConfigureAwait(false);
        await using var lease = options.DryRun ? null : await session.LockAsync(connection, "adopt").ConfigureAwait(false);
        session.Stage = "before anything was recorded";
        var journals = await session.ReadJournalsAsync(connection, validated).ConfigureAwait(false);
        if (journals.DrizzleRows is not { } drizzle)
        {
            throw new MigrationException(RunDiagnostics.NoDrizzleJournal(options.Connection.Describe(), options.JournalTable.ToString()));
        }

        var plan = RunPlanner.Adopt(journals.Folder, journals.Applied, drizzle);
        RunSession.ThrowIfRefused(plan.Problems);
        var journal = journals.Folder.Journal;
        if (options.DryRun || plan.Targets.Count == 0)
        {
            session.Log.Info(plan.Targets.Count == 0
                ? $"Nothing to adopt: every migration drizzle-orm applied ({drizzle.Table}) is in this tool's journal {journal}."
                : $"Dry run: would record {plan.Targets.Count} migration(s) drizzle-orm applied ({drizzle.Table}) in this tool's journal {journal}, running none of them:");
            foreach (var file in options.DryRun ? plan.Targets : [])
            {
                session.Log.Info($"  {file.Migration.File.FileName} (drizzle-orm row {file.Row!.Id}{(file.MatchedAs is null ? string.Empty : ", " + file.MatchedAs)})");
            }

            return 0;
        }

        var rowOf = plan.Targets.ToDictionary(t => t.Migration.Name, t => t.Row!.Id, StringComparer.Ordinal);
        await journals.RecordWithoutRunningAsync(connection, lease!, plan.Targets.Select(t => t.Migration).ToList(),
            m => $"{MigrationJournal.WhoAmI()}, adopted from drizzle-orm's journal {drizzle.Table} (row {rowOf[m.Name]})", session.Cancellation).ConfigureAwait(false);
        await session.RecordSchemaAsync(connection, journals, plan.Targets[^1].Migration.Name).ConfigureAwait(false);
        session.Log.Info($"Adopted {plan.Targets.Count} migration(s) drizzle-orm applied ({drizzle.Table}) into this tool's journal {journal}; none was run: {string.Join(", ", plan.Targets.Select(t => t.Migration.Name))}.");
        return plan.Targets.Count;
    });
}
