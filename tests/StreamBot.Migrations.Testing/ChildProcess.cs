using System.Diagnostics;
using System.Text;

namespace StreamBot.Migrations.Testing;

/// <summary>
/// The one way the tests run a program: its own environment (a null value removes an inherited variable), standard
/// output and error read as they come (so a chatty child never blocks on a full pipe) and kept exactly as written
/// (line ends included), apart and together in arrival order, and a timeout that kills the whole process tree.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _standardOutput = new();
    private readonly StringBuilder _standardError = new();
    private readonly string _commandLine;
    private Task _pumps = Task.CompletedTask;

    private ChildProcess(Process process, string commandLine)
    {
        _process = process;
        _commandLine = commandLine;
    }

    /// <summary>How a finished program ended and what it printed.</summary>
    /// <param name="ExitCode">Its exit code.</param>
    /// <param name="Output">Standard output and error together, in the order lines arrived.</param>
    /// <param name="StandardOutput">Standard output alone.</param>
    /// <param name="StandardError">Standard error alone.</param>
    public sealed record Result(int ExitCode, string Output, string StandardOutput, string StandardError);

    public static ChildProcess Start(string fileName, string arguments, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process, $"{fileName} {arguments}");
        process.Start();
        child._pumps = Task.WhenAll(child.PumpAsync(process.StandardOutput, child._standardOutput), child.PumpAsync(process.StandardError, child._standardError));
        return child;
    }

    /// <summary>Runs the program to its end, or kills it after <paramref name="timeout"/> (two minutes by default).</summary>
    public static Result Run(string fileName, string arguments, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        using var child = Start(fileName, arguments, environment, workingDirectory);
        var exitCode = child.WaitForExit(timeout ?? TimeSpan.FromMinutes(2));
        return child.Finished(exitCode);
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Standard output and error so far, in arrival order.</summary>
    public string Output => Read(_output);

    /// <summary>Standard output alone, so far.</summary>
    public string StandardOutput => Read(_standardOutput);

    /// <summary>Standard error alone, so far.</summary>
    public string StandardError => Read(_standardError);

    /// <summary>Waits for the end; on timeout kills the process tree and throws with what it printed.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{_commandLine}' did not finish in {timeout}. Output so far:\n{Output}");
        }

        _process.WaitForExit();
        // Both streams are read to their end: nothing the program wrote is missing from the result.
        _pumps.Wait(timeout);
        return _process.ExitCode;
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private Result Finished(int exitCode) => new(exitCode, Output, Read(_standardOutput), Read(_standardError));

    private async Task PumpAsync(StreamReader reader, StringBuilder stream)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (_output)
            {
                _output.Append(buffer, 0, read);
                stream.Append(buffer, 0, read);
            }
        }
    }

    private string Read(StringBuilder text)
    {
        lock (_output)
        {
            return text.ToString();
        }
    }
}
