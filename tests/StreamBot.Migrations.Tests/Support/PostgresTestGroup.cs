namespace StreamBot.Migrations.Tests.Support;

/// <summary>
/// The reliability suites that kill processes or signal them at chosen moments (crash victims, Ctrl-C) take turns
/// with each other; they still run beside the other database test classes, on the same server. The 16-applier race
/// runs beside them: it asserts outcomes, not timings.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresTestGroup : ICollectionFixture<TestPostgres>
{
    public const string Name = "postgres";
}
