using System.Text.RegularExpressions;
using StreamBot.Migrations.Preflight;

namespace StreamBot.Migrations.Tests.Unit.Preflight;

/// <summary>Which sessions a contract step waits for: application_name read as app/version, versions ordered as semantic versions are.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class AppVersionTests
{
    [Theory]
    [InlineData("1.4.0", "1.5.0", true)]
    [InlineData("1.4.9", "1.5", true)]
    [InlineData("1.5", "1.5.0", false)]
    [InlineData("1.10.0", "1.9.0", false)]
    [InlineData("1.5.0-rc.1", "1.5.0", true)]
    [InlineData("1.5.0-rc.2", "1.5.0-rc.10", true)]
    [InlineData("1.5.0-alpha", "1.5.0-beta", true)]
    [InlineData("1.5.0+abc123", "1.5.0", false)]
    [InlineData("1.5.0", "1.5.0-rc.1", false)]
    public void Versions_are_ordered_as_semantic_versions(string version, string than, bool older) =>
        Assert.Equal(older, AppVersion.Parse(version)!.IsOlderThan(AppVersion.Parse(than)!));

    [Theory]
    [InlineData("streambot/1.4.0", "streambot", "1.4.0")]
    [InlineData("stream-bot.worker/2.0.0-rc.1", "stream-bot.worker", "2.0.0-rc.1")]
    [InlineData("psql", null, null)]
    [InlineData("streambot/latest", null, null)]
    [InlineData("pg_dump", null, null)]
    [InlineData("", null, null)]
    public void Application_names_that_name_no_version_are_not_the_apps(string applicationName, string? app, string? version)
    {
        var named = AppVersion.FromApplicationName(applicationName, new Regex(AppVersion.DefaultPattern));
        Assert.Equal((app, version), (named?.App, named?.Version.Text));
    }

    [Fact]
    public void A_configured_pattern_reads_another_naming_scheme()
    {
        var named = AppVersion.FromApplicationName("StreamBot v1.4.2 (pod-7)", new Regex(@"^(?<app>StreamBot) v(?<version>\S+) "));
        Assert.Equal(("StreamBot", "1.4.2"), (named?.App, named?.Version.Text));
    }
}
