using Xunit.Abstractions;

[assembly: TestCollectionOrderer("StreamBot.Migrations.Tests.Support.LongestFirst", "StreamBot.Migrations.Tests")]

namespace StreamBot.Migrations.Tests.Support;

/// <summary>
/// Starts the collections that take longest first (the packed-package builds, the crash and signal suites, the
/// 16-applier race, ...), so that on a 2-core machine the short ones fill in beside them instead of one long suite
/// starting last and running alone. Measured durations, longest first; the rest keep xUnit's order.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    private static readonly string[] Longest =
    [
        "PackageEndToEndTests", "DatabaseTargetsTests", "postgres", "RehearsalHtmlTests", "MultiTargetingTests", "ToolPackageTests", "ConcurrencyTests", "ConnectionFormsTests", "HostileInputTests", "PsqlAgreementTests",
        "BackfillTests", "SizedFindingsTests", "WatchTests", "SecretsAuditTests", "LockTests", "DrizzleInteropTests", "BaselineTests",
        "TransactionRulesAgainstServerTests",
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(Rank).ToList();

    private static int Rank(ITestCollection collection)
    {
        var index = Array.FindIndex(Longest, name => collection.DisplayName == name || collection.DisplayName.EndsWith("." + name, StringComparison.Ordinal));
        return index < 0 ? Longest.Length : index;
    }
}
