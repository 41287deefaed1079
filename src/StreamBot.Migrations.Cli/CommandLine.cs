namespace StreamBot.Migrations.Cli;

/// <summary>Parses the command line and dispatches to a command. Exit codes: 0 success, 1 reported errors, 2 usage.</summary>
internal static class CommandLine
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private const string Help = """
        streambot-migrate: checks and inspects PostgreSQL migrations.

        Usage:
          streambot-migrate validate [DIR]                  check DIR (default: ./migrations)
          streambot-migrate inspect FILE.sql [--format json|text]
                                                            show the statements as they will be sent

        Exit codes: 0 success, 1 problems reported, 2 bad command line.
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine(Help);
            return args.Length == 0 ? Usage : Success;
        }

        var rest = args[1..];
        return args[0] switch
        {
            "validate" => ValidateCommand.Run(rest, stdout, stderr),
            "inspect" => InspectCommand.Run(rest, stdout, stderr),
            _ => UsageError(stderr, $"unknown command '{args[0]}'."),
        };
    }

    public static int UsageError(TextWriter stderr, string message)
    {
        stderr.WriteLine($"streambot-migrate: error SBM0001: {message} Run 'streambot-migrate --help' for usage.");
        return Usage;
    }
}
