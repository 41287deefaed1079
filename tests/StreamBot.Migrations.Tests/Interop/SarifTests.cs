using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StreamBot.Migrations.Cli;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Interop;

/// <summary>
/// <c>validate --format sarif</c> over a folder with errors, warnings, file-level findings and findings silenced with a
/// reason: the log passes the official SARIF validator, and its content is the approved one.
/// </summary>
[Trait(Tier.Name, Tier.Interop)]
public sealed class SarifTests
{
    private static MigrationsFolder FolderWithEveryKindOfFinding()
    {
        var folder = MigrationsFolder.Valid();
        // A warning at a line and column (SBM6001), one silenced with its reason (SBM6011) beside one that is not (SBM6009).
        folder.AddMigration("0003_add_user_lookup", "-- Lookups by id.\nCREATE INDEX idx_users_id ON users (id);\n");
        folder.AddMigration("0004_reset_balances",
            "-- streambot:allow SBM6011 because the table holds ten rows in every environment\nUPDATE user_balances SET balance = 0;\nDROP TABLE users;\n");
        // An error at a line (SBM2009) and a warning without a semicolon at the end (SBM2010).
        folder.Write("0005_wrapped.sql", "BEGIN;\nCREATE TABLE audit (id int PRIMARY KEY);\nCOMMIT;\nSELECT 1");
        // A file-level error: a migration the README does not document (SBM3002).
        return folder;
    }

    [Fact]
    public void The_log_passes_the_official_validator_and_matches_the_approved_one()
    {
        using var folder = FolderWithEveryKindOfFinding();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CommandLine.Run(["validate", folder.Directory, "--format", "sarif", "--source-root", Path.GetDirectoryName(folder.Directory)!], stdout, stderr);

        Assert.Equal((1, string.Empty), (exit, stderr.ToString()));
        var file = Path.Combine(folder.Directory, "..", Path.GetFileName(folder.Directory) + ".sarif");
        File.WriteAllText(file, stdout.ToString());
        try
        {
            Assert.Empty(SarifMultitool.Validate(file));
        }
        finally
        {
            File.Delete(file);
            File.Delete(file + ".validation.sarif");
        }

        var log = JsonNode.Parse(stdout.ToString())!;
        var codes = log["runs"]![0]!["results"]!.AsArray().Select(r => r!["ruleId"]!.GetValue<string>()).ToList();
        var found = string.Join(' ', codes.Order(StringComparer.Ordinal));
        Assert.True(found == "SBM2009 SBM2009 SBM2010 SBM3002 SBM6001 SBM6001 SBM6009 SBM6011 SBM6018", found);
        Snapshot.Matches(Normalized(log, folder.Directory), "sarif_every_kind_of_finding");
    }

    [Fact]
    public void Every_code_is_a_rule_linking_its_section_of_the_documentation()
    {
        using var folder = MigrationsFolder.Valid();
        var stdout = new StringWriter();
        Assert.Equal(0, CommandLine.Run(["validate", folder.Directory, "--format", "sarif", "--docs-url", "https://docs.example/diagnostics.md"], stdout, new StringWriter()));

        var rules = JsonNode.Parse(stdout.ToString())!["runs"]![0]!["tool"]!["driver"]!["rules"]!.AsArray();
        var documented = Regex.Matches(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "diagnostics.md")), @"^## (SBM\d{4})$", RegexOptions.Multiline).Select(m => m.Groups[1].Value);
        Assert.Equal(documented.Order(StringComparer.Ordinal), rules.Select(r => r!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(rules, r => Assert.Equal("https://docs.example/diagnostics.md#" + r!["id"]!.GetValue<string>().ToLowerInvariant(), r["helpUri"]!.GetValue<string>()));
    }

    [Fact]
    public void A_docs_url_that_is_not_absolute_is_refused()
    {
        using var folder = MigrationsFolder.Valid();
        var stderr = new StringWriter();
        Assert.Equal(CommandLine.Usage, CommandLine.Run(["validate", folder.Directory, "--format", "sarif", "--docs-url", "docs/diagnostics.md"], new StringWriter(), stderr));
        Snapshot.Matches(stderr.ToString(), "sarif_docs_url_refused");
    }

    // The rules the results use (the full list is checked above), with the folder, the repository and the version as
    // placeholders, so the approved file reads as what a user's log holds.
    private static string Normalized(JsonNode log, string directory)
    {
        var driver = log["runs"]![0]!["tool"]!["driver"]!;
        var used = log["runs"]![0]!["results"]!.AsArray().Select(r => r!["ruleId"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var kept = new JsonArray(driver["rules"]!.AsArray().Where(r => used.Contains(r!["id"]!.GetValue<string>())).Select(r => r!.DeepClone()).ToArray());
        driver["rules"] = kept;
        driver["semanticVersion"] = "VERSION";
        var text = log.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        return text.Replace(new Uri(RepoPaths.Root).AbsoluteUri.TrimEnd('/'), "file:///REPO", StringComparison.Ordinal)
            .Replace(new Uri(Path.GetDirectoryName(directory)! + "/").AbsoluteUri, "file:///SOURCE-ROOT/", StringComparison.Ordinal)
            .Replace(directory, "/SOURCE-ROOT/FOLDER", StringComparison.Ordinal)
            .Replace(Path.GetFileName(directory), "FOLDER", StringComparison.Ordinal);
    }
}
