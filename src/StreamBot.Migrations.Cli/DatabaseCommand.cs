using Npgsql;
using StreamBot.Migrations.Postgres;
using StreamBot.Migrations.Postgres.Backup;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Cli;

/// <summary><c>status</c>, <c>up</c> and <c>down [NAME]</c>: the database side, with the same diagnostics as the build.</summary>
internal static class DatabaseCommand
{
    public static int Run(string command, string[] args, TextWriter stdout, TextWriter stderr)
    {
        var options = DatabaseOptions.Parse(args, out var error);
        if (options is null)
        {
            return CommandLine.UsageError(stderr, error!);
        }

        if (options.Positional.Count > (command == "down" ? 1 : 0))
        {
            return CommandLine.UsageError(stderr, $"unexpected argument '{options.Positional[^1]}'.");
        }

        var log = new ConsoleRunLog(stdout, stderr);
        var settings = ConnectionSettings.Resolve(options.Connection, Environment.GetEnvironmentVariable, out var problem);
        if (settings is null)
        {
            log.Report(problem!);
            return CommandLine.Failed;
        }

        var runOptions = new RunOptions(
            options.Directory,
            settings,
            options.JournalTable,
            new LockOptions(options.LockTimeout, options.StaleLockTimeout),
            new BackupOptions(!options.NoBackup, options.BackupDirectory, options.BackupPrefix),
            options.DryRun,
            options.Force)
        {
            ResumeFrom = options.ResumeFrom,
        };
        var runner = new MigrationRunner(runOptions, log);
        try
        {
            switch (command)
            {
                case "status":
                    var report = runner.StatusAsync().GetAwaiter().GetResult();
                    if (options.Format == "json")
                    {
                        StatusWriter.WriteJson(report, stdout);
                    }
                    else
                    {
                        StatusWriter.WriteTable(report, stdout);
                    }

                    break;
                case "up":
                    runner.UpAsync().GetAwaiter().GetResult();
                    break;
                default:
                    runner.DownAsync(options.Positional.FirstOrDefault()).GetAwaiter().GetResult();
                    break;
            }
        }
        catch (MigrationException e)
        {
            log.Report(e.Diagnostic);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A migration file that vanished or became unreadable between validation and use.
            log.Report(DiagnosticCatalog.FileUnreadable.AtFile(options.Directory,
                $"{command} stopped: a migration file cannot be read ({e.Message}).",
                "Check the migrations directory and run again; nothing that was not reported as applied is applied."));
        }
        catch (NpgsqlException e)
        {
            // A database error no step anticipated (a permission, a dropped connection): still one coded line.
            var detail = e is PostgresException p ? $"{p.MessageText} (SQLSTATE {p.SqlState})" : e.Message;
            log.Report(DiagnosticCatalog.DatabaseError.AtFile("streambot-migrate",
                $"{command} stopped on a database error at {settings.Describe()}: {settings.Redact(detail)}",
                "Check the server log and the user's privileges; every migration that was not reported as applied is not applied."));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failure no step anticipated is a bug of this tool; the user still gets one coded line, not a trace.
            log.Report(DiagnosticCatalog.UnexpectedError.AtFile("streambot-migrate",
                $"{command} stopped on an unexpected {e.GetType().Name}: {settings.Redact(e.Message)}",
                "Every migration that was not reported as applied is not applied. Please report this line and the command you ran."));
        }

        return log.HasErrors ? CommandLine.Failed : CommandLine.Success;
    }
}
