using StreamBot.Migrations.Authoring;

namespace StreamBot.Migrations.Tests.Unit.Authoring;

[Trait(Tier.Name, Tier.Unit)]
public sealed class ReadmeEditTests
{
    [Fact]
    public void A_new_section_goes_after_the_last_migration_section_even_when_it_holds_a_code_block_with_hash_lines()
    {
        var readme = string.Join("\n",
            "# Migrations",
            "### 0000_schema.sql",
            "**Rollback**: Not recommended - foundation",
            "",
            "```bash",
            "# restore from the backup instead",
            "psql \"$DATABASE_URL\" < backup.sql",
            "```",
            "",
            "## Running Migrations",
            "- dotnet build");
        var edited = ReadmeEdit.InsertSection(readme, "### 0001_next.sql\n**Status**: Draft\n").Split('\n');
        var inserted = Array.IndexOf(edited, "### 0001_next.sql");
        Assert.True(inserted > Array.IndexOf(edited, "```", 5), string.Join("\n", edited));
        Assert.True(inserted < Array.IndexOf(edited, "## Running Migrations"), string.Join("\n", edited));
    }

    [Fact]
    public void Line_endings_are_kept()
    {
        var readme = "# Migrations\r\n### 0000_schema.sql\r\n**Status**: x\r\n";
        var renamed = ReadmeEdit.RenameSection(readme, "0000_schema.sql", "0001_schema.sql")!;
        Assert.Equal("# Migrations\r\n### 0001_schema.sql\r\n**Status**: x\r\n", renamed);
        Assert.Null(ReadmeEdit.RenameSection(readme, "0009_missing.sql", "0010_missing.sql"));
    }
}
