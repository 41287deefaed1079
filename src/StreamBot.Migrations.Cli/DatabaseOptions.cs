using System.Globalization;
using System.Text;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Cli;

/// <summary>The options of status, up and down, parsed strictly: an unknown option is a usage error.</summary>
internal sealed class DatabaseOptions
{
    public string Directory { get; private set; } = "migrations";
    public string? Connection { get; private set; }
    public string Format { get; private set; } = "text";
    public bool DryRun { get; private set; }
    public bool NoBackup { get; private set; }
    public bool Force { get; private set; }
    public string BackupDirectory { get; private set; } = "backups";
    public string BackupPrefix { get; private set; } = "streambot";
    public QualifiedName JournalTable { get; private set; } = QualifiedName.Parse(RunOptions.DefaultJournalTable);
    public TimeSpan LockTimeout { get; private set; } = TimeSpan.FromMinutes(5);
    public TimeSpan StaleLockTimeout { get; private set; } = TimeSpan.FromMinutes(10);
    public int? ResumeFrom { get; private set; }
    public List<string> Positional { get; } = [];

    // The progress table is named after the journal; both must fit PostgreSQL's identifier length.
    private const string ProgressSuffix = "_progress";

    public static DatabaseOptions? Parse(string[] args, out string? error)
    {
        var options = new DatabaseOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Length)
                {
                    throw new FormatException($"{arg} needs a value.");
                }

                return args[++i];
            }

            TimeSpan Seconds() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0
                ? TimeSpan.FromSeconds(s)
                : throw new FormatException($"{arg} takes a number of seconds.");

            try
            {
                switch (arg)
                {
                    case "--dir": options.Directory = Value(); break;
                    case "--connection": options.Connection = Value(); break;
                    case "--format": options.Format = Value(); break;
                    case "--dry-run": options.DryRun = true; break;
                    case "--no-backup": options.NoBackup = true; break;
                    case "--force": options.Force = true; break;
                    case "--backup-dir": options.BackupDirectory = Value(); break;
                    case "--backup-prefix": options.BackupPrefix = Value(); break;
                    case "--journal-table":
                        var table = Value();
                        options.JournalTable = QualifiedName.TryParse(table, out var why) is { } name && Encoding.UTF8.GetByteCount(name.Name + ProgressSuffix) <= 63
                            ? name
                            : throw new FormatException($"--journal-table takes a table name, table or schema.table with SQL's quoting (\"My Schema\".journal): {why ?? "with _progress added it is longer than PostgreSQL's 63 bytes"}.");
                        break;
                    case "--lock-timeout": options.LockTimeout = Seconds(); break;
                    case "--stale-lock-timeout": options.StaleLockTimeout = Seconds(); break;
                    case "--resume-from":
                        options.ResumeFrom = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1
                            ? n
                            : throw new FormatException("--resume-from takes a statement number (1 or more).");
                        break;
                    default:
                        if (arg.StartsWith("--", StringComparison.Ordinal))
                        {
                            throw new FormatException($"unknown option '{arg}'.");
                        }

                        options.Positional.Add(arg);
                        break;
                }
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }

        if (options.Format is not ("text" or "json"))
        {
            error = "--format takes text or json.";
            return null;
        }

        return options;
    }
}
