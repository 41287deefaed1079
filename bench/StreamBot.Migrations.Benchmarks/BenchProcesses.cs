using System.Diagnostics;
using System.Text.RegularExpressions;

namespace StreamBot.Migrations.Benchmarks;

/// <summary>
/// The whole-process benchmarks' shared parts: the CLI as a program (a .dll run by dotnet, or the native executable
/// run as it is), fresh databases, and child processes whose failure message never carries a password.
/// </summary>
internal static partial class BenchProcesses
{
    public static string Program(string cli) => cli.EndsWith(".dll", StringComparison.Ordinal) ? "dotnet" : cli;

    public static string Prefix(string cli) => cli.EndsWith(".dll", StringComparison.Ordinal) ? $"\"{cli}\" " : string.Empty;

    /// <summary>A new database on the server (named <paramref name="prefix"/> and a random suffix); its URL.</summary>
    public static string CreateDatabase(string serverUrl, string prefix)
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..12];
        Run("psql", $"-X -q -c \"CREATE DATABASE {name}\" \"{serverUrl.TrimEnd('/')}/postgres\"", null);
        return $"{serverUrl.TrimEnd('/')}/{name}";
    }

    /// <summary>Starts <paramref name="program"/>, with DATABASE_URL set when given.</summary>
    public static Process Start(string program, string arguments, string? databaseUrl)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (databaseUrl is not null)
        {
            info.Environment["DATABASE_URL"] = databaseUrl;
        }

        return Process.Start(info)!;
    }

    /// <summary>Runs <paramref name="program"/> to its end; a failure throws with its output and the command, password removed.</summary>
    public static void Run(string program, string arguments, string? databaseUrl)
    {
        using var process = Start(program, arguments, databaseUrl);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(Redact($"{program} {arguments} failed: {stdout}{stderr.Result}"));
        }
    }

    /// <summary><paramref name="text"/> with the password of every postgres:// URL in it replaced.</summary>
    public static string Redact(string text) => UrlPassword().Replace(text, "://$1:***@");

    [GeneratedRegex("://([^:/@\\s]+):[^@\\s]+@")]
    private static partial Regex UrlPassword();
}
