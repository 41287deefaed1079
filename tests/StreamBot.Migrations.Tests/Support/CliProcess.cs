namespace StreamBot.Migrations.Tests.Support;

/// <summary>streambot-migrate as a real child process (for kills, concurrency and what a user sees).</summary>
public static class CliProcess
{
    // The build the package's targets run on this machine, published next to the tests (see PublishReadyToRunCli in
    // the project): the native one on linux-x64, else the .NET 10 build.
    private static readonly string Native = Path.Combine(AppContext.BaseDirectory, "cli-native", "streambot-migrate");

    private static (string FileName, string Prefix) Cli => File.Exists(Native)
        ? (Native, string.Empty)
        : ("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "cli", "streambot-migrate.dll")}\" ");

    /// <summary>Whether the CLI under test is the native (AOT) build.</summary>
    public static bool IsNative => File.Exists(Native);

    /// <summary>Starts the CLI with <paramref name="environment"/> and without the test host's DATABASE_URL.</summary>
    public static ChildProcess Start(string arguments, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null) =>
        ChildProcess.Start(Cli.FileName, Cli.Prefix + arguments, WithoutInheritedUrl(environment), workingDirectory ?? AppContext.BaseDirectory);

    public static (int ExitCode, string Output) Run(string arguments, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null)
    {
        var result = ChildProcess.Run(Cli.FileName, Cli.Prefix + arguments, WithoutInheritedUrl(environment), workingDirectory ?? AppContext.BaseDirectory);
        return (result.ExitCode, result.Output);
    }

    private static Dictionary<string, string?> WithoutInheritedUrl(IReadOnlyDictionary<string, string?> environment)
    {
        var complete = new Dictionary<string, string?> { ["DATABASE_URL"] = null };
        foreach (var (key, value) in environment)
        {
            complete[key] = value;
        }

        return complete;
    }
}
