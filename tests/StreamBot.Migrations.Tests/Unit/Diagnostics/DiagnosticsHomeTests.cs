using System.Text.RegularExpressions;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Tests.Unit.Diagnostics;

/// <summary>
/// Each code has one home: the catalog lists it, docs/diagnostics.md documents it once, and only the builders in
/// src/StreamBot.Migrations/Diagnostics write its message. These read the sources, so a new throw site with an
/// inline message, or a code used in a .targets file but missing from the catalog, fails here.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed partial class DiagnosticsHomeTests
{
    [GeneratedRegex(@"\bSBM[0-9]{4}\b")]
    private static partial Regex Code();

    [GeneratedRegex(@"DiagnosticCatalog\.\w+\.At(File)?\(")]
    private static partial Regex InlineMessage();

    private static string Source => Path.Combine(RepoPaths.Root, "src");

    private static IEnumerable<string> SourceFiles(params string[] extensions) =>
        Directory.EnumerateFiles(Source, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "build"), "*", SearchOption.AllDirectories))
            .Where(f => extensions.Contains(Path.GetExtension(f)) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [Fact]
    public void Docs_document_exactly_the_catalog_each_code_once()
    {
        var docs = File.ReadAllLines(Path.Combine(RepoPaths.Root, "docs", "diagnostics.md"));
        var documented = docs.Where(l => l.StartsWith("## SBM", StringComparison.Ordinal)).Select(l => Code().Match(l).Value).ToList();

        Assert.Equal(DiagnosticCatalog.All.Select(d => d.Code).Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_code_written_in_the_sources_is_in_the_catalog()
    {
        var catalog = DiagnosticCatalog.All.Select(d => d.Code).ToHashSet(StringComparer.Ordinal);
        var unknown = SourceFiles(".cs", ".targets", ".props")
            .SelectMany(f => Code().Matches(File.ReadAllText(f)).Select(m => $"{Path.GetFileName(f)}: {m.Value}"))
            .Where(hit => !catalog.Contains(hit[^7..]))
            .ToList();

        Assert.Empty(unknown);
    }

    [Fact]
    public void Messages_are_built_only_in_the_diagnostics_folder()
    {
        var home = Path.Combine(Source, "StreamBot.Migrations", "Diagnostics") + Path.DirectorySeparatorChar;
        var inline = SourceFiles(".cs")
            .Where(f => !f.StartsWith(home, StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => InlineMessage().IsMatch(x.line))
            .Select(x => $"{Path.GetFileName(x.f)}({x.i + 1})")
            .ToList();

        Assert.Empty(inline);
    }

    [Theory]
    [InlineData("Diagnostics", new string[0])]
    [InlineData("Sql", new[] { "Diagnostics" })]
    [InlineData("Discovery", new[] { "Diagnostics" })]
    [InlineData("Documentation", new[] { "Diagnostics", "Sql" })]
    public void The_core_is_layered_with_diagnostics_at_the_bottom(string folder, string[] allowed)
    {
        var imports = Directory.EnumerateFiles(Path.Combine(Source, "StreamBot.Migrations", folder), "*.cs")
            .SelectMany(File.ReadLines)
            .Where(l => l.StartsWith("using StreamBot.Migrations.", StringComparison.Ordinal))
            .Select(l => l["using StreamBot.Migrations.".Length..].TrimEnd(';'))
            .Distinct()
            .Where(ns => !allowed.Contains(ns))
            .ToList();

        Assert.Empty(imports);
    }
}
