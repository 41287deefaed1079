using Npgsql;
using StreamBot.Migrations.Authoring;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Postgres;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Journal;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Cli;

/// <summary>
/// <c>new NAME</c>, <c>draft-rollback FILE</c> and <c>renumber</c>: writing migrations. Every change to the folder is
/// computed first and written only when nothing is refused.
/// </summary>
internal static class AuthoringCommand
{
    public static int Run(string command, string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentList parsed;
        try
        {
            HashSet<string> valued = command switch
            {
                "new" => ["--dir", "--from"],
                "draft-rollback" => ["--dir"],
                _ => ["--dir", "--connection", "--journal-table"],
            };
            HashSet<string> flags = command == "renumber" ? ["--dry-run"] : [];
            parsed = ArgumentList.Parse(args, valued, flags, command);
        }
        catch (FormatException e)
        {
            return CommandLine.UsageError(stderr, e.Message);
        }

        string? Option(string name) => parsed.Options.LastOrDefault(o => o.Name == name).Value;
        var directory = Path.GetFullPath(Option("--dir") ?? "migrations");

        if (parsed.Positional.Count != (command == "renumber" ? 0 : 1))
        {
            return CommandLine.UsageError(stderr, command switch
            {
                "new" => "new takes the new migration's description: new add_stream_markers.",
                "draft-rollback" => "draft-rollback takes one migration file: draft-rollback 0005_add_stream_markers.sql.",
                _ => $"unexpected argument '{parsed.Positional[^1]}'.",
            });
        }

        string? why = null;
        var journalTable = Option("--journal-table") is { } table ? QualifiedName.TryParse(table, out why) : QualifiedName.Parse(Postgres.Running.RunOptions.DefaultJournalTable);
        if (journalTable is null)
        {
            return CommandLine.UsageError(stderr, $"--journal-table takes a table name, table or schema.table with SQL's quoting: {why}.");
        }

        // new starts a folder that does not exist yet; draft-rollback finds its folder from the file it is given.
        if (command == "renumber" && !Directory.Exists(directory))
        {
            stderr.WriteLine(Printable.Of(FolderDiagnostics.DirectoryNotFound(directory).ToString()));
            return CommandLine.Failed;
        }

        // Planned and written under the folder's lock: concurrent writers take turns instead of sharing a number.
        var written = command == "draft-rollback" && File.Exists(parsed.Positional[0]) ? Path.GetDirectoryName(Path.GetFullPath(parsed.Positional[0]))! : directory;
        FolderLock? folderLock;
        try
        {
            folderLock = FolderLock.Take(written, TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine(Printable.Of(ToolDiagnostics.AuthoringRefused(written, $"{command} could not lock {written} for its changes ({e.Message.TrimEnd('.')}); it changed nothing.",
                "Make the temporary directory writable (TMPDIR), then run the command again.").ToString()));
            return CommandLine.Failed;
        }

        using var heldLock = folderLock;
        if (folderLock is null)
        {
            stderr.WriteLine(Printable.Of(ToolDiagnostics.AuthoringRefused(directory, $"another new, renumber or draft-rollback has held {directory} for 30 s; {command} changed nothing.",
                "Let it finish (or end it), then run the command again.").ToString()));
            return CommandLine.Failed;
        }

        Diagnostic? problem;
        try
        {
            var (changes, refusal) = command switch
            {
                "new" => NewMigration.Plan(directory, parsed.Positional[0], Option("--from"), DateOnly.FromDateTime(DateTime.Now), DateTimeOffset.UtcNow),
                "draft-rollback" => RollbackDrafting.Plan(directory, parsed.Positional[0]),
                _ => Renumber(directory, parsed.Options.Any(o => o.Name == "--dry-run"), Option("--connection"), journalTable),
            };
            problem = refusal;
            if (changes is not null)
            {
                changes.Apply();
                foreach (var message in changes.Messages)
                {
                    stdout.WriteLine(Printable.Of(message));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = ToolDiagnostics.AuthoringRefused(directory, $"{command} could not read or write a file of {directory}: {e.Message.TrimEnd('.')}.",
                "Check the folder's permissions and free space, then run it again (look at git status first: a file may already be written).");
        }
        catch (DrizzleJournalEdit.UnreadableJournalException e)
        {
            problem = ToolDiagnostics.AuthoringRefused(Path.Combine(directory, DrizzleJournalEdit.RelativePath), $"{command} left the folder unchanged: meta/_journal.json cannot be edited ({e.Message}).",
                "Fix the journal first (dotnet build or streambot-migrate validate reports SBM1008 at its line), then run it again.");
        }

        if (problem is not null)
        {
            stderr.WriteLine(Printable.Of(problem.ToString()));
            return CommandLine.Failed;
        }

        return CommandLine.Success;
    }

    private static (FolderChanges? Changes, Diagnostic? Refusal) Renumber(string directory, bool dryRun, string? connection, QualifiedName journalTable)
    {
        var (migrations, _) = MigrationDiscovery.Discover(directory);
        var applied = Applied(connection, journalTable, out var problem);
        if (problem is not null)
        {
            return (null, problem);
        }

        var (moves, problems) = Renumbering.Plan(migrations, applied, FileHistory.AddedAt);
        return problems.Count > 0 ? (null, problems[0]) : (Renumbering.Changes(directory, moves, dryRun), null);
    }

    /// <summary>What the configured database's journal lists; empty when no database is configured.</summary>
    private static HashSet<string> Applied(string? connection, QualifiedName journalTable, out Diagnostic? problem)
    {
        problem = null;
        if (connection is null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ConnectionSettings.DatabaseUrlVariable)))
        {
            return [];
        }

        var settings = ConnectionSettings.Resolve(connection, Environment.GetEnvironmentVariable, out problem);
        if (settings is null)
        {
            return [];
        }

        try
        {
            using var open = Database.OpenAsync(settings, "renumber").GetAwaiter().GetResult();
            return JournalSet.AppliedNamesAsync(open, journalTable).GetAwaiter().GetResult().ToHashSet(StringComparer.Ordinal);
        }
        catch (MigrationException e)
        {
            problem = e.Diagnostic;
            return [];
        }
        catch (NpgsqlException e)
        {
            problem = ConnectionDiagnostics.DatabaseError("renumber", settings.Describe(), settings.Redact(ConnectionFailure.Reason(e, settings)),
                (e as PostgresException)?.SqlState, "renumber changed nothing: it reads the journal to know which migration is applied.");
            return [];
        }
    }
}
