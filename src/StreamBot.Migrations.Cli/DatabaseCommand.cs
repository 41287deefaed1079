using Npgsql;
using StreamBot.Migrations.Postgres;
using StreamBot.Migrations.Postgres.Backup;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Postgres.Rehearsal;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Postgres.Watching;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Reporting;
using StreamBot.Migrations.Safety;

namespace StreamBot.Migrations.Cli;

/// <summary><c>status</c>, <c>up</c> and <c>down [NAME]</c>: the database side, with the same diagnostics as the build.</summary>
internal static class DatabaseCommand
{
    public static int Run(string command, string[] args, TextWriter stdout, TextWriter stderr)
    {
        var options = DatabaseOptions.Parse(command, args, out var error);
        if (options is null)
        {
            return CommandLine.UsageError(stderr, error!);
        }

        if (options.Positional.Count > (command is "down" or "verify-backup" ? 1 : 0))
        {
            return CommandLine.UsageError(stderr, $"unexpected argument '{options.Positional[^1]}'.");
        }

        // Disposed last, after the run's spans have ended: what is left is sent before the process exits.
        using var telemetry = TelemetryExport.Start(out var telemetryProblem);
        if (telemetryProblem is not null)
        {
            return CommandLine.UsageError(stderr, telemetryProblem);
        }

        // A rehearsal report in JSON or Markdown is stdout's whole content (a CI job redirects it to a file): progress goes to stderr.
        // A live progress line only where a person watches: the process's own terminal, not a redirect or a test's writer.
        var terminal = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        var log = command is "rehearse" or "watch" && options.Format != "text" ? new ConsoleRunLog(stderr, stderr) : new ConsoleRunLog(stdout, stderr, terminal);
        // rehearse needs no database of the user's: without one it brings its own throwaway server.
        var bringsItsOwn = command == "rehearse" && options.Connection is null
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ConnectionSettings.DatabaseUrlVariable))
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ConnectionSettings.HandOffVariable));
        using var throwaway = bringsItsOwn ? StartThrowaway(log) : null;
        if (bringsItsOwn && throwaway is null)
        {
            return CommandLine.Failed;
        }

        // The webhook's URL holds its channel's token: read from the environment only, and never printed.
        var webhookUrl = Environment.GetEnvironmentVariable(StreamBot.Migrations.Postgres.Notifications.WebhookOptions.UrlVariable);
        if (command is "up" or "down" && !string.IsNullOrEmpty(webhookUrl) && !(Uri.TryCreate(webhookUrl, UriKind.Absolute, out var hook) && hook.Scheme is "http" or "https"))
        {
            return CommandLine.UsageError(stderr, $"{StreamBot.Migrations.Postgres.Notifications.WebhookOptions.UrlVariable} is not an http(s) URL (its value is not shown: it may hold a token).");
        }

        Diagnostic? problem = null;
        var settings = throwaway?.Settings ?? ConnectionSettings.Resolve(options.Connection, Environment.GetEnvironmentVariable, out problem);
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
            new BackupOptions(!options.NoBackup, options.BackupDirectory, options.BackupPrefix) { Retention = options.Retention, Verify = options.VerifyBackup },
            options.DryRun,
            options.Force)
        {
            ResumeFrom = options.ResumeFrom,
            AcceptDrift = options.AcceptDrift,
            Locking = options.Locking,
            Preflight = options.Preflight,
            Drain = options.Drain,
            Sizing = options.Sizing,
            Backfill = options.Backfill,
            Webhook = options.Webhook with { Url = string.IsNullOrEmpty(webhookUrl) ? null : webhookUrl },
            Watch = options.WatchFor is { } watchFor ? new WatchOptions(watchFor, options.WatchThresholds, options.WatchWarnOnly) : null,
            ReplicaWait = options.ReplicaWait,
            AppQueries = options.AppQueries,
            AppQueriesFromDatabase = throwaway is null,
            Lint = LintOptions.From(options.LintFrom, options.PostgresVersion),
        };
        // status changes nothing, so Ctrl-C may end it at once; up and down finish cleanly first.
        using var interrupts = command == "status" ? null : new Interrupts();
        var runner = new MigrationRunner(runOptions, log, interrupts?.Token ?? CancellationToken.None);
        Func<string>? summary = null;
        try
        {
            switch (command)
            {
                case "status":
                    var report = runner.StatusAsync().GetAwaiter().GetResult();
                    summary = () => StepSummaries.Status(report, log);
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
                case "adopt":
                    runner.AdoptAsync().GetAwaiter().GetResult();
                    break;
                case "rehearse":
                    var rehearsal = new MigrationRehearsal(runOptions, log, interrupts?.Token ?? CancellationToken.None).RunAsync(options.FromBackup).GetAwaiter().GetResult();
                    var htmlReport = WriteHtmlReport(rehearsal, options.HtmlReport, log);
                    RehearsalWriter.Write(rehearsal, options.Format, stdout, htmlReport);
                    foreach (var diagnostic in rehearsal.Diagnostics)
                    {
                        log.Report(diagnostic);
                    }

                    summary = () => StepSummaries.Rehearsal(rehearsal, log, htmlReport);
                    break;
                case "watch":
                    var watched = runner.WatchAsync().GetAwaiter().GetResult();
                    if (options.Format == "json")
                    {
                        WatchWriter.WriteJson(watched, stdout);
                    }

                    break;
                case "verify-backup":
                    runner.VerifyBackupAsync(options.Positional.FirstOrDefault()).GetAwaiter().GetResult();
                    break;
                case "baseline":
                    if (options.BaselineTo is not { } to)
                    {
                        return CommandLine.UsageError(stderr, "baseline needs --to NNNN: the last migration to record as applied.");
                    }

                    runner.BaselineAsync(to).GetAwaiter().GetResult();
                    break;
                default:
                    runner.DownAsync(options.Positional.FirstOrDefault()).GetAwaiter().GetResult();
                    break;
            }
        }
        catch (MigrationException e)
        {
            foreach (var diagnostic in e.Diagnostics)
            {
                log.Report(diagnostic);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A migration file that vanished or became unreadable between validation and use.
            log.Report(ToolDiagnostics.FileVanished(options.Directory, command, e.Message.TrimEnd('.'), Outcome(command)));
        }
        catch (NpgsqlException e)
        {
            // A database error no step anticipated (a permission, a dropped connection): still one coded line.
            log.Report(ConnectionDiagnostics.DatabaseError(command, settings.Describe(), settings.Redact(ConnectionFailure.Reason(e, settings)),
                (e as PostgresException)?.SqlState, Outcome(command)));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failure no step anticipated is a bug of this tool; the user still gets one coded line, not a trace.
            log.Report(ToolDiagnostics.UnexpectedError(command, e.GetType().Name, settings.Redact(e.Message).TrimEnd('.'), Outcome(command), options.Verbose));
            if (options.Verbose)
            {
                foreach (var line in e.ToString().Split('\n'))
                {
                    stderr.WriteLine(Printable.Of(settings.Redact(line.TrimEnd('\r'))));
                }
            }
        }

        if (command is "status" or "up" or "down" or "rehearse" && !options.DryRun)
        {
            // status's and rehearse's reports when they got that far; otherwise (and for up and down) what the run said.
            var interrupted = interrupts?.Received is not null;
            summary ??= () => StepSummaries.Run(command, settings.Describe(), log, interrupted);
            if (StepSummary.Append(summary) is { } notWritten)
            {
                stderr.WriteLine(Printable.Of(notWritten));
            }
        }

        return interrupts?.Received is not null ? interrupts.ExitCode : log.HasErrors ? CommandLine.Failed : CommandLine.Success;
    }

    // The HTML report beside the chosen format (--html-report): its path when written, null when not asked or not
    // writable (SBM9004: the rehearsal itself still stands).
    private static string? WriteHtmlReport(RehearsalReport rehearsal, string? path, ConsoleRunLog log)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var file = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
            RehearsalHtml.Write(rehearsal, file);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Report(ToolDiagnostics.ReportNotWritten(path, "HTML rehearsal report", e.Message, "--html-report (MigrationsRehearseFormat=html writes it beside the build's outputs)"));
            return null;
        }
    }

    private static ThrowawayServer? StartThrowaway(ConsoleRunLog log)
    {
        try
        {
            var server = ThrowawayServer.Start();
            log.Info($"No connection configured: rehearsing on a throwaway PostgreSQL server on 127.0.0.1:{server.Port} (removed at the end).");
            return server;
        }
        catch (MigrationException e)
        {
            log.Report(e.Diagnostic);
            return null;
        }
    }

    /// <summary>What a stop outside any migration's own transaction leaves behind, for each command.</summary>
    private static string Outcome(string command) => command switch
    {
        "up" => "Migrations reported as applied stay applied; nothing else was applied.",
        "down" => "Rollbacks reported as done stay done; nothing else was rolled back.",
        "adopt" => "adopt records all or nothing: nothing was adopted.",
        "baseline" => "baseline records all or nothing: nothing was recorded.",
        "rehearse" => "rehearse changes only its scratch database, which is dropped.",
        "verify-backup" => "verify-backup changes only its scratch database, which is dropped.",
        "watch" => "watch changes nothing.",
        _ => "status changes nothing.",
    };
}
