using PublicApiGenerator;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Unit;

/// <summary>
/// The public surface of the core and the database side, as approved files: what the MSBuild task, the CLI and the
/// .NET tool build on. A type made public by accident, or a member that changes shape, is one reviewed diff.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class PublicApiTests
{
    private static readonly ApiGeneratorOptions Options = new() { IncludeAssemblyAttributes = false };

    [Fact]
    public void The_core_public_api_is_approved() =>
        Snapshot.Matches(typeof(StreamBot.Migrations.Validation.MigrationsValidator).Assembly.GeneratePublicApi(Options), "public-api-core");

    [Fact]
    public void The_database_side_public_api_is_approved() =>
        Snapshot.Matches(typeof(StreamBot.Migrations.Postgres.Running.MigrationRunner).Assembly.GeneratePublicApi(Options), "public-api-postgres");

    [Fact]
    public void The_msbuild_task_public_api_is_approved() =>
        Snapshot.Matches(typeof(StreamBot.Migrations.Build.ValidateMigrations).Assembly.GeneratePublicApi(Options), "public-api-build");
}
