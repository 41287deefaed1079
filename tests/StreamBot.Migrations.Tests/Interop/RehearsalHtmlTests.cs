using System.Text;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Interop;

/// <summary>
/// The HTML rehearsal report as a browser shows it: Debian's Chromium, headless, loads the report of the Stream Bot
/// folder and of a generated folder of 200 migrations with no console error and no network request; 0004's timeline
/// has a lane for each pre-existing table it locks; every bar names its line; the labels stay legible. A screenshot
/// of 0004's timeline is written under the test output (rehearsal-html/0004-timeline.png).
/// </summary>
[Trait(Tier.Name, Tier.Interop)]
public sealed class RehearsalHtmlTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private const string Giveaways = "0004_add_giveaway_concurrency_improvements";

    private static string OutputFolder => Path.Combine(AppContext.BaseDirectory, "rehearsal-html");

    [Fact]
    public async Task The_Stream_Bot_report_renders_with_0004s_lanes_and_no_request_or_console_error()
    {
        using var folder = MigrationsFolder.StreamBot();
        var page = Rehearse(folder, "stream-bot.html");

        using var chromium = await HeadlessChromium.StartAsync();
        var load = await chromium.LoadAsync(page);
        Assert.Empty(load.ConsoleErrors);
        Assert.Empty(load.Requests);

        var section = $"Array.from(document.querySelectorAll('section')).find(s => s.querySelector('h2').textContent === '{Giveaways}')";
        var lanes = (await chromium.EvaluateAsync($"Array.from({section}.querySelectorAll('svg .lane')).map(l => l.dataset.table)"))!.AsArray().Select(n => n!.GetValue<string>());
        Assert.Equal(["giveaway_entries", "giveaways", "user_balances"], lanes.Order(StringComparer.Ordinal));
        // Every bar says its statement's line on hover, and the table below the picture lists the same lines.
        var bars = (await chromium.EvaluateAsync($"Array.from({section}.querySelectorAll('svg .lock')).map(b => [b.dataset.line, b.querySelector('title').textContent])"))!.AsArray();
        Assert.NotEmpty(bars);
        Assert.All(bars, b => Assert.StartsWith($"line {b![0]!.GetValue<string>()}: ", b[1]!.GetValue<string>(), StringComparison.Ordinal));
        var rows = (await chromium.EvaluateAsync($"Array.from({section}.querySelectorAll('tr[data-line]')).map(r => r.dataset.line)"))!.AsArray().Select(n => n!.GetValue<string>()).ToHashSet();
        Assert.Subset(rows, bars.Select(b => b![0]!.GetValue<string>()).ToHashSet());
        await AssertLegibleAsync(chromium);

        await chromium.ScreenshotAsync($"#{await chromium.EvaluateAsync($"{section}.id")} svg", Path.Combine(OutputFolder, "0004-timeline.png"));
        var png = await File.ReadAllBytesAsync(Path.Combine(OutputFolder, "0004-timeline.png"));
        Assert.True(png.Length > 1000 && png.AsSpan(1, 3).SequenceEqual("PNG"u8), $"{png.Length} bytes");
    }

    [Fact]
    public async Task A_folder_of_200_migrations_renders_one_of_them_with_200_statements()
    {
        using var folder = Generated(200);
        var page = Rehearse(folder, "generated-200.html");

        using var chromium = await HeadlessChromium.StartAsync();
        var load = await chromium.LoadAsync(page);
        Assert.Empty(load.ConsoleErrors);
        Assert.Empty(load.Requests);
        Assert.Equal(200, (await chromium.EvaluateAsync("document.querySelectorAll('section').length"))!.GetValue<int>());
        var last = "document.querySelector('section:last-of-type')";
        Assert.Equal(100, (await chromium.EvaluateAsync($"{last}.querySelectorAll('svg .lane').length"))!.GetValue<int>());
        Assert.Equal(200, (await chromium.EvaluateAsync($"{last}.querySelectorAll('tr[data-line]').length"))!.GetValue<int>());
        await AssertLegibleAsync(chromium);
    }

    // Lane labels and tick labels render at least 9 px high in a 1,200 px window, whatever the number of lanes.
    private static async Task AssertLegibleAsync(HeadlessChromium chromium)
    {
        var smallest = (await chromium.EvaluateAsync("Math.min(...Array.from(document.querySelectorAll('svg.timeline text')).map(t => t.getBoundingClientRect().height))"))!.GetValue<double>();
        Assert.InRange(smallest, 9, 40);
    }

    // rehearse against a database of the tests' server, the page written under the test output: for the Stream Bot
    // folder with --html-report beside the Markdown report (which must link it), for the generated one as standard
    // output's whole content (--format html).
    private string Rehearse(MigrationsFolder folder, string name)
    {
        Directory.CreateDirectory(OutputFolder);
        var page = Path.Combine(OutputFolder, name);
        var environment = new Dictionary<string, string?> { ["DATABASE_URL"] = postgres.CreateDatabase() };
        var beside = name == "stream-bot.html";
        using var cli = CliProcess.Start($"rehearse --dir \"{folder.Directory}\" " + (beside ? $"--format markdown --html-report \"{page}\"" : "--format html"), environment);
        Assert.True(cli.WaitForExit(TimeSpan.FromMinutes(3)) == 0, cli.Output[..Math.Min(cli.Output.Length, 4000)]);
        if (beside)
        {
            Assert.Contains($"[{name}](rehearsal-html/{name})", cli.StandardOutput, StringComparison.Ordinal);
        }
        else
        {
            Assert.StartsWith("<!DOCTYPE html>", cli.StandardOutput, StringComparison.Ordinal);
            File.WriteAllText(page, cli.StandardOutput, new UTF8Encoding(false));
        }

        return page;
    }

    // Pairs of migrations, each creating a table and then changing it; the last one changes 100 of those tables in
    // 200 statements (a column and an index each), so its timeline has 100 lanes.
    private static MigrationsFolder Generated(int count)
    {
        var folder = MigrationsFolder.Empty();
        folder.WriteReadme("# Migrations\n\n## Migration Files\n");
        for (var i = 0; i < count - 1; i++)
        {
            var name = $"{i:D4}_step_{i}";
            if (i % 2 == 0)
            {
                folder.AddMigration(name, $"CREATE TABLE t{i} (id int PRIMARY KEY, v int);\n", $"DROP TABLE t{i};", $"SELECT 1 FROM pg_tables WHERE tablename = 't{i}';");
            }
            else
            {
                folder.AddMigration(name, $"ALTER TABLE t{i - 1} ADD COLUMN c int;\n", $"ALTER TABLE t{i - 1} DROP COLUMN c;", "SELECT 1 WHERE false;");
            }
        }

        var tables = Enumerable.Range(0, 100).Select(k => k * 2).ToList();
        folder.AddMigration($"{count - 1:D4}_wide_change",
            string.Concat(tables.Select(t => $"ALTER TABLE t{t} ADD COLUMN w int;\nCREATE INDEX idx_t{t}_w ON t{t} (w);\n")),
            string.Concat(tables.Select(t => $"DROP INDEX idx_t{t}_w;\nALTER TABLE t{t} DROP COLUMN w;\n")), "SELECT 1 WHERE false;");
        return folder;
    }
}
