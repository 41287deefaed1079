using StreamBot.Migrations.Validation;
using System.Diagnostics;
using System.Globalization;
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
    private const string DrizzleJournal = "meta/_journal.json";

    public static int Run(string command, string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentList parsed;
        try
        {
            parsed = ArgumentList.Parse(args, new HashSet<string>(StringComparer.Ordinal) { "--dir", "--from", "--connection", "--journal-table" },
                new HashSet<string>(StringComparer.Ordinal) { "--dry-run" });
        }
        catch (FormatException e)
        {
            return CommandLine.UsageError(stderr, e.Message);
        }

        string? Option(string name) => parsed.Options.LastOrDefault(o => o.Name == name).Value;
        var directory = Path.GetFullPath(Option("--dir") ?? "migrations");
        var allowed = command switch
        {
            "new" => new[] { "--dir", "--from" },
            "draft-rollback" => ["--dir"],
            _ => ["--dir", "--dry-run", "--connection", "--journal-table"],
        };
        if (parsed.Options.FirstOrDefault(o => !allowed.Contains(o.Name)) is { Name: { } stray })
        {
            return CommandLine.UsageError(stderr, $"{command} does not take {stray}.");
        }

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

        Diagnostic? problem;
        try
        {
            problem = command switch
            {
                "new" => New(directory, parsed.Positional[0], Option("--from"), stdout),
                "draft-rollback" => DraftRollback(directory, parsed.Positional[0], stdout),
                _ => Renumber(directory, parsed.Options.Any(o => o.Name == "--dry-run"), Option("--connection"), journalTable, stdout),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = ToolDiagnostics.AuthoringRefused(directory, $"{command} could not read or write a file of {directory}: {e.Message.TrimEnd('.')}.",
                "Check the folder's permissions and free space, then run it again (look at git status first: a file may already be written).");
        }
        catch (DrizzleJournalEdit.UnreadableJournalException e)
        {
            problem = ToolDiagnostics.AuthoringRefused(Path.Combine(directory, DrizzleJournal), $"{command} left the folder unchanged: meta/_journal.json cannot be edited ({e.Message}).",
                "Fix the journal first (dotnet build or streambot-migrate validate reports SBM1008 at its line), then run it again.");
        }
        if (problem is not null)
        {
            stderr.WriteLine(Printable.Of(problem.ToString()));
            return CommandLine.Failed;
        }

        return CommandLine.Success;
    }

    private static Diagnostic? New(string directory, string description, string? from, TextWriter stdout)
    {
        if (!MigrationDiscovery.IsValidDescription(description))
        {
            return ToolDiagnostics.AuthoringRefused(directory, $"'{description}' cannot name a migration: it must be lower-case letters and digits in words joined by single underscores (snake_case).",
                $"For example: new {Suggest(description)}");
        }

        var readmePath = Path.Combine(directory, MigrationDiscovery.ReadmeFileName);
        if (!Directory.Exists(directory) || !File.Exists(readmePath))
        {
            return ToolDiagnostics.AuthoringRefused(directory, $"{directory} has no migrations folder with a README.md to add the migration's section to.", "Run it from the project, or give --dir.");
        }

        var (migrations, _) = MigrationDiscovery.Discover(directory);
        var number = migrations.Count == 0 ? 0 : migrations.Max(m => m.Number) + 1;
        var name = $"{number:D4}_{description}";
        var fileName = name + ".sql";
        string sql;
        DraftedRollback? rollback = null;
        if (from is not null)
        {
            if (!File.Exists(from))
            {
                return ToolDiagnostics.AuthoringRefused(from, $"{from} does not exist.", "Give --from the SQL file to copy into the new migration.");
            }

            sql = File.ReadAllText(from);
            rollback = RollbackDraft.Draft(SqlSplitter.Split(File.ReadAllBytes(from)), Earlier(directory, migrations, number));
        }
        else
        {
            sql = $"-- {Placeholder.Text("write the migration's SQL here, each statement ending with ;")}\n";
        }

        var today = DateOnly.FromDateTime(DateTime.Now);
        var readme = ReadmeEdit.InsertSection(File.ReadAllText(readmePath), ReadmeEdit.NewSection(fileName, today, rollback));
        var journalPath = Path.Combine(directory, DrizzleJournal);
        var journal = File.Exists(journalPath) ? DrizzleJournalEdit.Add(File.ReadAllText(journalPath), number, name, DateTimeOffset.UtcNow) : null;

        File.WriteAllText(Path.Combine(directory, fileName), sql);
        File.WriteAllText(readmePath, readme);
        if (journal is not null)
        {
            File.WriteAllText(journalPath, journal);
        }

        stdout.WriteLine(Printable.Of($"Created {Path.Combine(directory, fileName)} and its README section{(journal is null ? string.Empty : " and meta/_journal.json entry")}."));
        stdout.WriteLine(rollback is null
            ? $"Write its SQL, then run: streambot-migrate draft-rollback {fileName} (the build fails on every {Placeholder.Marker} until then)."
            : $"Its rollback is drafted ({rollback.Undecided} step(s) to decide); fill in Purpose and Changes, then rehearse it: streambot-migrate rehearse.");
        return null;
    }

    private static Diagnostic? DraftRollback(string directory, string file, TextWriter stdout)
    {
        var path = File.Exists(file) ? Path.GetFullPath(file) : Path.Combine(directory, Path.GetFileName(file));
        directory = Path.GetDirectoryName(path)!;
        var (migrations, _) = MigrationDiscovery.Discover(directory);
        var migration = migrations.FirstOrDefault(m => m.FullPath == path);
        if (migration is null)
        {
            return ToolDiagnostics.AuthoringRefused(path, $"{file} is not a migration of {directory}.", "Give the migration's file name (NNNN_name.sql), in the migrations folder or with --dir.");
        }

        var script = SqlSplitter.Split(File.ReadAllBytes(path));
        if (script.HasProblems || script.Statements.Count == 0)
        {
            return ToolDiagnostics.AuthoringRefused(path, $"{migration.FileName} has no complete SQL to derive a rollback from.", "Write its SQL first (streambot-migrate validate shows what is wrong).");
        }

        var rollback = RollbackDraft.Draft(script, Earlier(directory, migrations, migration.Number));
        var readmePath = Path.Combine(directory, MigrationDiscovery.ReadmeFileName);
        var edited = File.Exists(readmePath) ? ReadmeEdit.ReplacePlaceholderRollback(File.ReadAllText(readmePath), migration.FileName, rollback) : null;
        if (edited is not null)
        {
            File.WriteAllText(readmePath, edited);
            stdout.WriteLine(Printable.Of($"Wrote the drafted rollback of {migration.FileName} into README.md ({rollback.Undecided} step(s) left to decide, marked {Placeholder.Marker}). Rehearse it: streambot-migrate rehearse."));
        }
        else
        {
            // A rollback a person wrote is never overwritten: the draft is printed to compare.
            stdout.WriteLine(ReadmeEdit.RollbackPart(migration.FileName, rollback));
        }

        return null;
    }

    private static Diagnostic? Renumber(string directory, bool dryRun, string? connection, QualifiedName journalTable, TextWriter stdout)
    {
        var (migrations, _) = MigrationDiscovery.Discover(directory);
        var applied = Applied(connection, journalTable, out var problem);
        if (problem is not null)
        {
            return problem;
        }

        var (moves, problems) = Renumbering.Plan(migrations, applied, AddedAt);
        if (problems.Count > 0)
        {
            return problems[0];
        }

        if (moves.Count == 0)
        {
            stdout.WriteLine("No two migrations share a number: nothing to renumber.");
            return null;
        }

        var readmePath = Path.Combine(directory, MigrationDiscovery.ReadmeFileName);
        var journalPath = Path.Combine(directory, DrizzleJournal);
        var readme = File.Exists(readmePath) ? File.ReadAllText(readmePath) : null;
        var journal = File.Exists(journalPath) ? File.ReadAllText(journalPath) : null;
        foreach (var move in moves)
        {
            readme = readme is null ? null : ReadmeEdit.RenameSection(readme, move.From.FileName, move.NewName + ".sql") ?? readme;
            journal = journal is null ? null : DrizzleJournalEdit.Move(journal, move.From.Name, int.Parse(move.NewName[..4], CultureInfo.InvariantCulture), move.NewName);
            stdout.WriteLine(Printable.Of($"{(dryRun ? "Would move" : "Moved")} {move.From.FileName} to {move.NewName}.sql (with its README section{(journal is null ? string.Empty : " and journal entry")})."));
        }

        if (!dryRun)
        {
            foreach (var move in moves)
            {
                File.Move(move.From.FullPath, Path.Combine(directory, move.NewName + ".sql"));
            }

            if (readme is not null)
            {
                File.WriteAllText(readmePath, readme);
            }

            if (journal is not null)
            {
                File.WriteAllText(journalPath, journal);
            }
        }

        return null;
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

    /// <summary>When git first saw the file; a file git does not know is the newest; without git, its modification time.</summary>
    private static DateTimeOffset AddedAt(MigrationFile file)
    {
        try
        {
            var info = new ProcessStartInfo("git", ["log", "--diff-filter=A", "--format=%ct", "--", file.FullPath])
            {
                WorkingDirectory = Path.GetDirectoryName(file.FullPath)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var git = Process.Start(info)!;
            var output = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            if (git.ExitCode == 0)
            {
                var first = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
                return first is null ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeSeconds(long.Parse(first, CultureInfo.InvariantCulture));
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No git: the file's own time is the next best witness.
        }

        return File.GetLastWriteTimeUtc(file.FullPath);
    }

    private static List<SchemaObject> Earlier(string directory, IReadOnlyList<MigrationFile> migrations, int before)
    {
        var objects = new List<SchemaObject>();
        foreach (var earlier in migrations.Where(m => m.Number < before))
        {
            CreatedObjects.Apply(objects, SqlSplitter.Split(File.ReadAllBytes(earlier.FullPath)));
        }

        return objects;
    }

    private static string Suggest(string description)
    {
        var words = new string(description.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_').ToArray()).Split('_', StringSplitOptions.RemoveEmptyEntries);
        return words.Length == 0 ? "add_stream_markers" : string.Join('_', words);
    }
}
