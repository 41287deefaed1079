using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Postgres.Schema;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Schema;

namespace StreamBot.Migrations.Postgres.Commands;

/// <summary><c>status</c>: every migration's state, the lock holder, drift, INVALID indexes and lingering blockers. Takes no lock and changes nothing.</summary>
internal static class StatusCommand
{
    public static async Task<StatusReport> RunAsync(RunSession session)
    {
        var (validated, _) = session.Validate(failOnErrors: false);
        await using var connection = await session.ConnectAsync("status", writes: false).ConfigureAwait(false);
        var journals = await session.ReadJournalsAsync(connection, validated).ConfigureAwait(false);
        var plan = RunPlanner.Status(journals.Folder, journals.Applied, journals.Stopped, journals.DrizzleRows);
        if (plan.Note is { } note)
        {
            session.Log.Info(note.FullMessage);
        }

        var pending = plan.Entries.Where(e => e.State is MigrationState.Pending or MigrationState.Interrupted).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var lockedAgainstWrites = journals.Folder.Migrations.Where(m => pending.Contains(m.Name)).SelectMany(m => m.Locks.SelectMany(l => l))
            .Where(l => l.Mode.BlocksWrites()).GroupBy(l => l.Table).Select(g => g.MaxBy(l => l.Mode)!).ToList();
        var checks = await session.PreflightAsync(connection, journals.Folder, RunPlanner.Apply(journals.Folder, journals.Applied, [], null, journals.DrizzleRows) is { Problems.Count: 0 } toApply
            ? toApply with { Pending = toApply.Pending.Where(m => pending.Contains(m.Name)).ToList() }
            : new ApplyPlan([], null, []), refuse: false, logged: false).ConfigureAwait(false);
        return new StatusReport(session.Options.Connection.Describe(), plan.Entries, await MigrationLock.ReadHolderAsync(connection).ConfigureAwait(false))
        {
            DataChecks = checks,
            Drift = await DriftAsync(session, connection, journals).ConfigureAwait(false),
            AcceptedDrift = await journals.Fingerprints.AcceptedAsync(connection).ConfigureAwait(false),
            InvalidIndexes = await InvalidIndexes.FindAsync(connection).ConfigureAwait(false),
            Blockers = await BlockingSessions.FindAsync(connection, lockedAgainstWrites, [], session.Options.Locking.LockTimeout).ConfigureAwait(false),
            Drizzle = RunPlanner.Drizzle(journals.Folder, journals.DrizzleRows) is { } match ? (journals.Drizzle!.Name, match) : null,
        };
    }

    /// <summary>
    /// The live schema against the snapshot recorded after the last applied migration: what changed outside the
    /// migrations (warning SBM4035), or null when nothing was recorded to compare with.
    /// </summary>
    private static async Task<IReadOnlyList<SchemaChange>?> DriftAsync(RunSession session, NpgsqlConnection connection, JournalSet journals)
    {
        if (journals.LastApplied is not { } last
            || await journals.Fingerprints.CompareAsync(connection, last, SchemaReader.ToolTables(session.Options.JournalTable), session.Log.Info).ConfigureAwait(false) is not { } drift)
        {
            return null;
        }

        if (drift.Changes.Count > 0)
        {
            session.Log.Report(RehearsalDiagnostics.SchemaDrift(journals.Journal.TableName.ToString(), last, drift.Changes.Select(d => d.ToString()).ToList()));
        }

        return drift.Changes;
    }
}
