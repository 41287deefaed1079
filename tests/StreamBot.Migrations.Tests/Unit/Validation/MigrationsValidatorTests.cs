using StreamBot.Migrations.Tests.Support;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Tests.Unit.Validation;

[Trait(Tier.Name, Tier.Unit)]
public sealed class MigrationsValidatorTests
{
    public static TheoryData<DiagnosticCase> Cases => [.. DiagnosticCases.All()];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Broken_folder_reports_the_code_at_its_location(DiagnosticCase c)
    {
        using var folder = MigrationsFolder.Valid();
        c.Break(folder);
        var report = MigrationsValidator.Validate(folder.Directory);

        var expectedFile = c.File.Length == 0 ? folder.Directory : folder.Path(c.File);
        var expectedLine = c.Marker is null ? 0 : DiagnosticCases.LineOf(expectedFile, c.Marker);
        var diagnostic = report.Diagnostics.FirstOrDefault(d => d.Code == c.Code);
        Assert.True(diagnostic is not null, $"{c.Code} not reported; got: {string.Join(" | ", report.Diagnostics)}");
        Assert.Equal(Path.GetFullPath(expectedFile).TrimEnd('/'), diagnostic.File.TrimEnd('/'));
        Assert.Equal(expectedLine, diagnostic.Line);
        if (c.Column > 0 || c.Marker is null)
        {
            Assert.Equal(c.Column, diagnostic.Column);
        }

        Assert.False(string.IsNullOrWhiteSpace(diagnostic.Hint));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fixed_folder_reports_no_problem(DiagnosticCase c)
    {
        using var folder = MigrationsFolder.Valid();
        c.Fix(folder);
        var report = MigrationsValidator.Validate(folder.Directory);
        Assert.Empty(report.Diagnostics);
    }

    [Fact]
    public void Every_case_prints_its_diagnostic_as_approved()
    {
        var printed = new List<string>();
        foreach (var c in DiagnosticCases.All())
        {
            using var folder = MigrationsFolder.Valid();
            c.Break(folder);
            var diagnostic = MigrationsValidator.Validate(folder.Directory).Diagnostics.First(d => d.Code == c.Code);
            printed.Add($"{c.Name}:\n  {Snapshot.Scrub(diagnostic.ToString(), (folder.Directory, "<migrations>"))}");
        }

        Snapshot.Matches(string.Join("\n", printed), "diagnostic-cases");
    }

    [Fact]
    public void Every_code_but_the_msbuild_one_has_a_case()
    {
        var covered = DiagnosticCases.All().Select(c => c.Code).ToHashSet();
        // 4xxx/5xxx (database and backup) are covered by the database tests; SBM9001 needs .NET Framework MSBuild.
        var missing = DiagnosticCatalog.All.Select(d => d.Code).Where(code => code[3] is '1' or '2' or '3' && !covered.Contains(code));
        Assert.Empty(missing);
        Assert.True(DiagnosticCases.All().Count() >= 25);
    }

    [Fact]
    public void Codes_are_unique_and_well_formed()
    {
        var codes = DiagnosticCatalog.All.Select(d => d.Code).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, code => Assert.Matches("^SBM[0-9]{4}$", code));
    }

    [Fact]
    public void Stream_bot_migrations_are_valid_and_their_verify_queries_are_found()
    {
        var report = MigrationsValidator.Validate(Path.Combine(RepoPaths.Root, "migrations"));
        Assert.Empty(report.Diagnostics);
        Assert.Equal(5, report.Migrations.Count);
        Assert.True(report.Docs["0000_broad_speedball"].IsRollbackNotRecommended);
        var verify = report.Docs["0004_add_giveaway_concurrency_improvements"].Statements.Where(s => s.IsVerifyQuery).ToList();
        Assert.Equal(3, verify.Count);
        Assert.All(verify, v => Assert.Equal(0, v.ExpectedRows));
        Assert.Equal(Documentation.RollbackRisk.Medium, report.Docs["0004_add_giveaway_concurrency_improvements"].Risk);
    }

    [Fact]
    public void A_fifty_megabyte_file_is_validated_without_crashing()
    {
        using var folder = MigrationsFolder.Valid();
        var statement = "INSERT INTO chat_activity (session_id, username, message_count) VALUES ('6f1c', 'viewer_42', 17);\n"u8.ToArray();
        var tail = "SELECT 1"u8.ToArray();
        var copies = (50 * 1024 * 1024 / statement.Length) + 1;
        var bytes = new byte[(copies * statement.Length) + tail.Length];
        for (var i = 0; i < copies; i++)
        {
            statement.CopyTo(bytes.AsSpan(i * statement.Length));
        }

        tail.CopyTo(bytes.AsSpan(copies * statement.Length));

        // The last statement ends without a semicolon: exactly one warning, on the last line.
        folder.WriteBytes("0002_add_balance_index.sql", bytes);
        var report = MigrationsValidator.Validate(folder.Directory);
        var diagnostic = Assert.Single(report.Diagnostics);
        Assert.Equal("SBM2010", diagnostic.Code);
        Assert.Equal(1 + bytes.Count((byte)'\n'), diagnostic.Line);
    }

    [Fact]
    public void Readme_in_runbook_style_markdown_is_understood()
    {
        using var folder = MigrationsFolder.Valid();
        // **Key:** instead of **Key**:, CRLF line ends, emoji and a "1 row" verify comment.
        var readme = File.ReadAllText(folder.ReadmePath)
            .Replace("**Status**:", "**Status:**", StringComparison.Ordinal)
            .Replace("-- Should return 0 rows", "-- 1 row", StringComparison.Ordinal)
            .Replace("\n", "\r\n", StringComparison.Ordinal);
        folder.WriteReadme(readme);
        var report = MigrationsValidator.Validate(folder.Directory);
        Assert.Empty(report.Diagnostics);
        Assert.Equal(1, report.Docs["0001_add_balances"].Statements.Single(s => s.IsVerifyQuery).ExpectedRows);
        Assert.Equal("✅ Production-Ready", report.Docs["0001_add_balances"].Status);
    }

    [Fact]
    public void Drizzle_meta_folder_and_other_files_are_left_alone()
    {
        using var folder = MigrationsFolder.Valid();
        Directory.CreateDirectory(folder.Path("meta"));
        folder.Write("meta/_journal.json", """
            { "entries": [
              { "idx": 0, "when": 1, "tag": "0000_initial_schema" },
              { "idx": 1, "when": 2, "tag": "0001_add_balances" },
              { "idx": 2, "when": 3, "tag": "0002_add_balance_index" } ] }
            """).Write("meta/0000_snapshot.sql", "not sql at all '").Write("notes.txt", "x");
        Assert.Empty(MigrationsValidator.Validate(folder.Directory).Diagnostics);
    }
}
