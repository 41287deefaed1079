using StreamBot.Migrations.Sql;
using StreamBot.Service;

namespace StreamBot.Migrations.Tests.Unit.Validation;

/// <summary>migrations/app/queries.sql holds exactly the queries the sample service runs, so the rehearsal checks what the bot really executes.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class AppQueriesFileTests
{
    [Fact]
    public void The_checked_in_queries_are_the_services_own()
    {
        var script = SqlSplitter.Split(File.ReadAllText(Path.Combine(RepoPaths.Root, "migrations", "app", "queries.sql")));
        var statements = script.Statements.Select(s => Normalized(Code(script.GetText(s)))).ToList();
        Assert.Equal([Normalized(BotSettingsStore.Query)], statements);
    }

    [Fact]
    public void The_service_names_itself_with_its_version()
    {
        Assert.Matches(@"^streambot/\d+\.\d+\.\d+", AppIdentity.ApplicationName);
    }

    // The statement without its leading comments, whitespace folded.
    private static string Code(string text) => string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal)));

    private static string Normalized(string sql) => string.Join(' ', sql.TrimEnd().TrimEnd(';').Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
