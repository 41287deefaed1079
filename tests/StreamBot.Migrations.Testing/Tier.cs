namespace StreamBot.Migrations.Testing;

/// <summary>
/// Test tiers, as xUnit traits: <c>dotnet test --filter "Tier!=Reliability&amp;Tier!=Package"</c> runs the fast tier
/// (unit and database tests) alone. The README test command runs every tier.
/// </summary>
public static class Tier
{
    public const string Name = "Tier";

    /// <summary>Crashes, kills, signals, many processes at once, hostile input at scale.</summary>
    public const string Reliability = "Reliability";

    /// <summary>The packed .nupkg built into real consumer projects.</summary>
    public const string Package = "Package";
}
