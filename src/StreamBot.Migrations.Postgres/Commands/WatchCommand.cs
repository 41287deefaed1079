using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Schema;
using StreamBot.Migrations.Postgres.Watching;

namespace StreamBot.Migrations.Postgres.Commands;

/// <summary>
/// <c>watch DURATION</c>: the watch of <c>up --watch</c> on its own (after a deploy made by another step, or at any
/// time): a baseline now, then the statistics read for the duration. Needs no migrations folder; takes no lock.
/// </summary>
internal static class WatchCommand
{
    public static Task<WatchReport> RunAsync(RunSession session) => session.RunAsync("watch", "nothing was changed", async () =>
    {
        await using var connection = await Database.OpenAsync(session.Options.Connection, "watch", session.Cancellation).ConfigureAwait(false);
        var watch = await DeployWatch.BeginAsync(connection, session.Options.JournalTable.ToString(), SchemaReader.ToolTables(session.Options.JournalTable), withSchema: false, session.Cancellation).ConfigureAwait(false);
        session.Stage = "while watching the database (nothing is changed)";
        return await watch.WatchAsync(connection, session.Options.Watch!, session.Log, session.Cancellation).ConfigureAwait(false);
    });
}
