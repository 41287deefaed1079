using System.Text.Json;

namespace StreamBot.Migrations.Testing;

/// <summary>
/// The official SARIF validator, <c>@microsoft/sarif-multitool</c> (the version pinned in tests/sarif/package-lock.json,
/// installed from the npm registry with <c>npm ci</c> once per test process).
/// </summary>
public static class SarifMultitool
{
    private static readonly Lazy<string> Installed = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Validates <paramref name="sarifFile"/> against the SARIF 2.1.0 schema and the validator's rules at the error and
    /// warning levels; returns each problem as <c>RULE: message</c> (empty when the log is valid).
    /// </summary>
    public static IReadOnlyList<string> Validate(string sarifFile)
    {
        var output = sarifFile + ".validation.sarif";
        var run = ChildProcess.Run(Installed.Value, $"validate \"{sarifFile}\" --output \"{output}\" --log ForceOverwrite --level \"Error;Warning\"",
            new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" }, Path.GetDirectoryName(sarifFile), TimeSpan.FromMinutes(2));
        if (run.ExitCode != 0 || !File.Exists(output))
        {
            throw new InvalidOperationException($"sarif-multitool validate failed (exit {run.ExitCode}):\n{run.Output}");
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(output));
        return document.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .Select(r => $"{r.GetProperty("ruleId").GetString()}: {Text(r.GetProperty("message"))}")
            .ToList();
    }

    // The validator's messages are an id with arguments (its rule's template), or a text.
    private static string Text(JsonElement message) =>
        message.TryGetProperty("text", out var text)
            ? text.GetString()!
            : message.GetProperty("id").GetString() + " " + string.Join(", ", message.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()));

    private static string Install()
    {
        var directory = Path.Combine(RepoPaths.Root, "tests", "sarif");
        var install = ChildProcess.Run("npm", "ci --no-audit --no-fund", null, directory, TimeSpan.FromMinutes(5));
        // npm 11 does not run the package's install script (chmod u+x of its binary), so this does it.
        var binary = Path.Combine(directory, "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool");
        if (install.ExitCode != 0 || !File.Exists(binary))
        {
            throw new InvalidOperationException($"npm ci in {directory} failed (node and npm must be on PATH, the npm registry reachable):\n{install.Output}");
        }

        ChildProcess.Run("chmod", $"a+x \"{binary}\"");
        return binary;
    }
}
