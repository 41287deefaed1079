using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Authoring;

/// <summary>
/// <c>new DESCRIPTION [--from FILE]</c>: the next number's migration file, its README section (every field a
/// placeholder the build rejects until a person fills it in) and, in a drizzle-kit folder, its journal entry. With a
/// SQL file to start from, its rollback is drafted from what it creates.
/// </summary>
public static class NewMigration
{
    /// <summary>The changes, or why there are none.</summary>
    public static (FolderChanges? Changes, Diagnostic? Refusal) Plan(string directory, string description, string? fromFile, DateOnly today, DateTimeOffset now)
    {
        if (!MigrationDiscovery.IsValidDescription(description))
        {
            return (null, ToolDiagnostics.AuthoringRefused(directory, $"'{description}' cannot name a migration: it must be lower-case letters and digits in words joined by single underscores (snake_case).",
                $"For example: new {Suggest(description)}"));
        }

        var readmePath = Path.Combine(directory, MigrationDiscovery.ReadmeFileName);
        var (migrations, _) = Directory.Exists(directory) ? MigrationDiscovery.Discover(directory) : ([], []);
        // A project's first migration: the folder and its README are started here, as the runbook lays them out.
        var startsTheFolder = !File.Exists(readmePath);
        if (startsTheFolder && migrations.Count > 0)
        {
            return (null, ToolDiagnostics.AuthoringRefused(directory, $"{directory} holds migrations but no README.md: their rollbacks are not documented.",
                "Write the README with a section per migration (dotnet build lists each one missing), then run new again."));
        }

        var number = MigrationDiscovery.NextNumber(migrations);
        var name = $"{number:D4}_{description}";
        var fileName = name + ".sql";
        string sql;
        DraftedRollback? rollback = null;
        if (fromFile is not null)
        {
            if (!File.Exists(fromFile))
            {
                return (null, ToolDiagnostics.AuthoringRefused(fromFile, $"{fromFile} does not exist.", "Give --from the SQL file to copy into the new migration."));
            }

            sql = File.ReadAllText(fromFile);
            rollback = RollbackDraft.Draft(SqlSplitter.Split(File.ReadAllBytes(fromFile)), EarlierObjects.Before(migrations, number));
        }
        else
        {
            sql = $"-- {Placeholder.Text("write the migration's SQL here, each statement ending with ;")}\n";
        }

        var readme = startsTheFolder ? ReadmeEdit.NewReadme() : File.ReadAllText(readmePath);
        var changes = new FolderChanges()
            .Write(Path.Combine(directory, fileName), sql)
            .Write(readmePath, ReadmeEdit.InsertSection(readme, ReadmeEdit.NewSection(fileName, today, rollback)));
        if (startsTheFolder)
        {
            changes.Say($"Started {readmePath}: the folder's runbook, where each migration documents its rollback.");
        }

        var journalPath = Path.Combine(directory, DrizzleJournalEdit.RelativePath);
        if (File.Exists(journalPath))
        {
            changes.Write(journalPath, DrizzleJournalEdit.Add(File.ReadAllText(journalPath), number, name, now));
        }

        return (changes
            .Say($"Created {Path.Combine(directory, fileName)} and its README section{(File.Exists(journalPath) ? " and meta/_journal.json entry" : string.Empty)}.")
            .Say(rollback is null
                ? $"Write its SQL, then run: streambot-migrate draft-rollback {fileName} (the build fails on every {Placeholder.Marker} until then)."
                : $"Its rollback is drafted ({rollback.Undecided} step(s) to decide); fill in Purpose and Changes, then rehearse it: streambot-migrate rehearse."), null);
    }

    // A description a person typed, made snake_case, to propose.
    private static string Suggest(string description)
    {
        var words = new string(description.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_').ToArray()).Split('_', StringSplitOptions.RemoveEmptyEntries);
        return words.Length == 0 ? "add_stream_markers" : string.Join('_', words);
    }
}
