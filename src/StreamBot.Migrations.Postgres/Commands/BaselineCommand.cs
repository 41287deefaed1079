using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Postgres.Running;

namespace StreamBot.Migrations.Postgres.Commands;

/// <summary>
/// <c>baseline --to NNNN</c>: records 0000 to the target as applied without running them, for a database built some
/// other way, once every object they create (tables, columns, indexes, constraints, sequences, views, functions,
/// triggers, types; minus what a later one in the range drops) is found in the catalog. A missing object is an error
/// at the statement that creates it (a warning with --force, which records anyway). Returns how many were recorded.
/// </summary>
internal static class BaselineCommand
{
    public static Task<int> RunAsync(RunSession session, string to) => session.RunAsync("baseline", "nothing was recorded", async () =>
    {
        var options = session.Options;
        var (validated, _) = session.Validate(failOnErrors: true);
        // A target the folder lacks is refused before connecting; the journal is checked once it is read under the lock.
        RunSession.ThrowIfRefused(RunPlanner.Baseline(validated, [], to).Problems);
        await using var connection = await session.ConnectAsync("baseline", writes: true).ConfigureAwait(false);
        await using var lease = options.DryRun ? null : await session.LockAsync(connection, "baseline").ConfigureAwait(false);
        session.Stage = "before anything was recorded";
        var journals = await session.ReadJournalsAsync(connection, validated).ConfigureAwait(false);
        var plan = RunPlanner.Baseline(journals.Folder, journals.Applied, to);
        RunSession.ThrowIfRefused(plan.Problems);

        var creators = plan.Objects.ToDictionary(o => (object)o.Object, o => o.CreatedBy, ReferenceEqualityComparer.Instance);
        var (notThere, currentSchema) = await CatalogCheck.LookUpAsync(connection, plan.Objects.Select(o => o.Object)).ConfigureAwait(false);
        var missing = notThere
            .Select(l => RunDiagnostics.BaselineObjectMissing(creators[l.Object].File.FullPath, l.Object.Line, l.Object.Column, creators[l.Object].File.FileName,
                l.Object.ToString(), l.Schema, l.FoundIn, options.Force))
            .ToList();
        if (missing.Count > 0 && !options.Force)
        {
            throw new MigrationException(missing);
        }

        missing.ForEach(session.Log.Report);
        var (range, checkedCount) = (plan.Range, plan.Objects.Count);
        if (options.DryRun)
        {
            session.Log.Info($"Dry run: would record {range.Count} migration(s), {range[0].Name} to {range[^1].Name}, in {journals.Folder.Journal} without running them; {checkedCount} object(s) they create checked, {missing.Count} missing. Nothing was changed.");
            return 0;
        }

        var appliedBy = $"{MigrationJournal.WhoAmI()}, baseline ({checkedCount} object(s) checked{(missing.Count > 0 ? $", {missing.Count} missing, forced" : string.Empty)})";
        await journals.RecordWithoutRunningAsync(connection, lease!, range, _ => appliedBy, session.Cancellation).ConfigureAwait(false);
        await session.RecordSchemaAsync(connection, journals, range[^1].Name).ConfigureAwait(false);
        session.Log.Info($"Baselined {range.Count} migration(s), {range[0].Name} to {range[^1].Name}: recorded as applied in {journals.Folder.Journal} without running them, after finding the {checkedCount - missing.Count} of {checkedCount} object(s) they create in the database (unqualified names in schema {currentSchema}).");
        return range.Count;
    });
}
