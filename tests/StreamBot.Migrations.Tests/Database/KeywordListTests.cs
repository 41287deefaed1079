using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>The lexer's key words are the server's.</summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class KeywordListTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    [Fact]
    public void Key_words_are_the_ones_the_server_lists()
    {
        using var probe = new SqlProbe(postgres.DatabaseUrl("postgres"));

        var server = ((string)probe.Scalar("SELECT string_agg(word, ' ' ORDER BY word COLLATE \"C\") FROM pg_get_keywords()")!).Split(' ');

        Assert.Equal(server, SqlKeywords.All.Order(StringComparer.Ordinal));
    }
}
