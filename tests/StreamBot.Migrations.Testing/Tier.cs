namespace StreamBot.Migrations.Testing;

/// <summary>
/// Test tiers, as xUnit traits, each in a folder of its own: <c>dotnet test --filter Tier=Unit</c> runs the tests
/// that need no server at all; <c>--filter "Tier=Unit|Tier=Database"</c> the inner loop with one. The README test
/// command runs every tier.
/// </summary>
public static class Tier
{
    public const string Name = "Tier";

    /// <summary>No server, no child process: the core's logic, the CLI's parsing and printing, the MSBuild task.</summary>
    public const string Unit = "Unit";

    /// <summary>One PostgreSQL server for the run, a fresh database per test.</summary>
    public const string Database = "Database";

    /// <summary>Crashes, kills, signals, many processes at once, hostile input at scale.</summary>
    public const string Reliability = "Reliability";

    /// <summary>What other real tools make of our output: the SARIF validator, headless Chromium, an OTLP receiver.</summary>
    public const string Interop = "Interop";

    /// <summary>The packed .nupkg built into real consumer projects.</summary>
    public const string Package = "Package";
}
