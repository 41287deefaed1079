using System.Text.RegularExpressions;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// With GITHUB_STEP_SUMMARY naming a file, validate, status, up, rehearse and a failing up append their
/// Markdown summary to it, in order, each readable on its own, without the password or a row value; without the
/// variable, nothing is written anywhere.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed partial class StepSummaryTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private const string RowValue = "streamer_only_in_a_row";

    [Fact]
    public void Each_command_appends_its_summary_to_the_job_page()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        var summary = Path.Combine(s.Folder.Directory, "..", Path.GetFileName(s.Folder.Directory) + "-summary.md");
        var environment = new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url, ["GITHUB_STEP_SUMMARY"] = summary };
        try
        {
            var dir = $"--dir \"{s.Folder.Directory}\"";
            Assert.Equal(0, CliProcess.Run($"validate \"{s.Folder.Directory}\"", environment).ExitCode);
            Assert.Equal(0, CliProcess.Run($"status {dir}", environment).ExitCode);
            Assert.Equal(0, CliProcess.Run($"up --no-backup {dir}", environment).ExitCode);
            Assert.Equal(0, CliProcess.Run($"rehearse {dir} --format json", environment).ExitCode);
            s.Execute($"INSERT INTO users (name) VALUES ('{RowValue}')");
            s.Folder.AddMigration("0003_broken", "ALTER TABLE users ADD COLUMN x int;\nSELECT 1 / 0;\n", "ALTER TABLE users DROP COLUMN x;", "SELECT 1 WHERE false;");
            Assert.Equal(1, CliProcess.Run($"up --no-backup {dir}", environment).ExitCode);

            var text = File.ReadAllText(summary);
            Assert.DoesNotContain(postgres.ServerPassword, text, StringComparison.Ordinal);
            Assert.DoesNotContain(RowValue, text, StringComparison.Ordinal);
            Snapshot.Matches(Normalized(text, s), "step_summary_validate_status_up_rehearse_failure");
        }
        finally
        {
            File.Delete(summary);
        }
    }

    [Fact]
    public void A_summary_file_or_html_report_that_cannot_be_written_is_one_line_each_and_the_rehearsal_still_stands()
    {
        using var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        var (exit, output) = CliProcess.Run($"rehearse --dir \"{s.Folder.Directory}\" --html-report /proc/streambot/rehearsal.html",
            new Dictionary<string, string?> { ["DATABASE_URL"] = s.Url, ["GITHUB_STEP_SUMMARY"] = "/proc/streambot/summary.md" });
        Assert.Equal(1, exit);
        Assert.Contains("0002_add_balance_check: passed", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n'), l => l.StartsWith("/proc/streambot/rehearsal.html: error SBM9004: The HTML rehearsal report cannot be written: ", StringComparison.Ordinal));
        Assert.Single(output.Split('\n'), l => l.StartsWith("GITHUB_STEP_SUMMARY names '/proc/streambot/summary.md', which cannot be appended to (", StringComparison.Ordinal));
    }

    // Durations, timestamps, the database's name and the folder vary from run to run.
    private static string Normalized(string text, DatabaseScenario s)
    {
        var database = new Uri(s.Url);
        text = text.Replace(s.Folder.Directory, "/FOLDER", StringComparison.Ordinal)
            .Replace(Path.GetFileName(s.Folder.Directory), "FOLDER", StringComparison.Ordinal)
            .Replace(database.AbsolutePath.TrimStart('/'), "DATABASE", StringComparison.Ordinal)
            .Replace($"{database.Host}:{database.Port}", "HOST:PORT", StringComparison.Ordinal);
        text = Timestamp().Replace(text, "YYYY-MM-DD HH:MM:SS");
        text = Scratch().Replace(text, "streambot_rehearsal_ID");
        text = Duration().Replace(text, "N $1");
        return Padding().Replace(text, " ");
    }

    [GeneratedRegex(@"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"\d+(?:[.,]\d+)? ?(ms|s)\b")]
    private static partial Regex Duration();

    [GeneratedRegex(@"streambot_rehearsal_[0-9a-f]+")]
    private static partial Regex Scratch();

    [GeneratedRegex(@" {2,}")]
    private static partial Regex Padding();
}
