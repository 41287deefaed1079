namespace StreamBot.Migrations.Tests.Reliability;

/// <summary>
/// Figures the reliability suites measured in this run, printed at the end of each test so CI logs carry them
/// (docs/RELIABILITY.md quotes the last run's).
/// </summary>
internal static class ReliabilityFigures
{
    public static void Record(string suite, string figures) =>
        Console.WriteLine($"[reliability] {suite}: {figures}");
}
