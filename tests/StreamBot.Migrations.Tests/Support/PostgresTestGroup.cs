namespace StreamBot.Migrations.Tests.Support;

/// <summary>
/// The reliability suites that start many processes at once or kill them (16 appliers, crash victims, signals) take
/// turns with each other; they still run beside the other database test classes, on the same server.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresTestGroup : ICollectionFixture<TestPostgres>
{
    public const string Name = "postgres";
}
