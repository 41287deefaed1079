using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Tests.Unit.Sql;

[Trait(Tier.Name, Tier.Unit)]
public sealed class QualifiedNameTests
{
    [Theory]
    [InlineData("drizzle_migrations", null, "drizzle_migrations", "\"public\".\"drizzle_migrations\"")]
    [InlineData("Drizzle_Migrations", null, "drizzle_migrations", "\"public\".\"drizzle_migrations\"")]
    [InlineData("public.journal", "public", "journal", "\"public\".\"journal\"")]
    [InlineData("\"my schema\".\"journal\"", "my schema", "journal", "\"my schema\".\"journal\"")]
    [InlineData("\"Schema \"\"History\"\"\"", null, "Schema \"History\"", "\"public\".\"Schema \"\"History\"\"\"")]
    [InlineData("bot.\"Journal.v2\"", "bot", "Journal.v2", "\"bot\".\"Journal.v2\"")]
    [InlineData("_private$1", null, "_private$1", "\"public\".\"_private$1\"")]
    [InlineData("Überblick", null, "überblick", "\"public\".\"überblick\"")]
    public void Reads_names_with_sql_quoting_rules(string text, string? schema, string name, string quoted)
    {
        var parsed = QualifiedName.Parse(text);
        Assert.Equal((schema, name, quoted), (parsed.Schema, parsed.Name, parsed.Quoted));
    }

    [Theory]
    [InlineData("")]
    [InlineData("public.")]
    [InlineData(".journal")]
    [InlineData("a.b.c")]
    [InlineData("\"unclosed")]
    [InlineData("\"\"")]
    [InlineData("two words")]
    [InlineData("journal; DROP TABLE users")]
    [InlineData("1journal")]
    [InlineData("a..b")]
    public void Refuses_what_is_not_a_table_name(string text)
    {
        Assert.Null(QualifiedName.TryParse(text, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Refuses_a_part_postgresql_would_truncate()
    {
        Assert.NotNull(QualifiedName.TryParse(new string('j', 63), out _));
        Assert.Null(QualifiedName.TryParse(new string('j', 64), out _));
        Assert.Null(QualifiedName.TryParse("\"" + new string('é', 32) + "\"", out _));
    }

    [Fact]
    public void Shows_names_as_a_user_writes_them_and_puts_siblings_in_the_same_schema()
    {
        Assert.Equal("bot.journal_progress", QualifiedName.Parse("bot.journal").WithSuffix("_progress").ToString());
        Assert.Equal("\"my schema\".\"Journal\"", QualifiedName.Parse("\"my schema\".\"Journal\"").ToString());
    }
}
