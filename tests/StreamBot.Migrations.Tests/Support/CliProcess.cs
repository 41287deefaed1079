namespace StreamBot.Migrations.Tests.Support;

/// <summary>streambot-migrate as a real child process (for kills, concurrency and what a user sees).</summary>
public static class CliProcess
{
    // The package's .NET 10 build of the CLI, copied next to the tests (see CopyPackagedCli in the project).
    private static string Cli => $"\"{Path.Combine(AppContext.BaseDirectory, "cli", "streambot-migrate.dll")}\"";

    /// <summary>Starts the CLI with <paramref name="environment"/> and without the test host's DATABASE_URL.</summary>
    public static ChildProcess Start(string arguments, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null) =>
        ChildProcess.Start("dotnet", $"{Cli} {arguments}", WithoutInheritedUrl(environment), workingDirectory ?? AppContext.BaseDirectory);

    public static (int ExitCode, string Output) Run(string arguments, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null)
    {
        var result = ChildProcess.Run("dotnet", $"{Cli} {arguments}", WithoutInheritedUrl(environment), workingDirectory ?? AppContext.BaseDirectory);
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
