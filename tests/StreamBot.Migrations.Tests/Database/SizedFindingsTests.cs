using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using StreamBot.Migrations.Tests.Support;
using Xunit.Abstractions;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// The same lint finding weighs what its table weighs: CREATE INDEX without CONCURRENTLY on a users table of 20 rows is
/// information, on one of 2 million rows it stops up before the lock (SBM4041), each with an estimate of how long the
/// bot's writes would wait, from rates measured on this server; the estimate is compared with the real build.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed partial class SizedFindingsTests(TestPostgres postgres, ITestOutputHelper output) : IClassFixture<TestPostgres>
{
    [Fact]
    public async Task Twenty_rows_are_information()
    {
        using var s = Scenario(20);
        Assert.Equal(1, await s.Runner().UpAsync());
        var line = Assert.Single(s.Log.Lines, l => l.StartsWith("Sized by the live table: 0003", StringComparison.Ordinal));
        Assert.Matches(@"^Sized by the live table: 0003_index_user_names\.sql\(1,1\): SBM6001 on users, which holds about 20 rows \(8 kB\): information only, CREATE INDEX blocks writes to it for (about \d+ ms|under 1 ms) here\.$", line);
        Assert.DoesNotContain(s.Log.Diagnostics, d => d.Code == "SBM4041");
    }

    [Fact]
    public async Task Two_million_rows_stop_up_before_the_lock_with_an_estimate_within_a_factor_of_three_of_the_real_build()
    {
        using var s = Scenario(2_000_000);
        var refused = await DatabaseScenario.FailsWith("SBM4041", () => s.Runner(backup: true).UpAsync());
        Assert.Equal(1, refused.Line);
        Assert.Matches(@"^SBM6001 on users, which holds about 2000000 rows \(\d+ MB\): CREATE INDEX blocks writes to it for about [\d.]+ (s|ms) here; a table of 1000000 rows or more is large \(--large-table-rows\)\. Nothing was locked, backed up or applied\.$", refused.Message);
        Assert.Equal(3L, s.JournalCount());
        Assert.False(Directory.Exists(s.BackupDirectory) && Directory.EnumerateFiles(s.BackupDirectory).Any());

        var estimate = Seconds(Estimate().Match(refused.Message));
        var clock = Stopwatch.StartNew();
        s.Execute("CREATE INDEX users_name_idx ON users (name)");
        var measured = clock.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CREATE INDEX on 2,000,000 rows: estimated {estimate:0.00} s, measured {measured:0.00} s (ratio {estimate / measured:0.00})"));
        Assert.InRange(estimate / measured, 1 / 3.0, 3.0);
    }

    [Fact]
    public async Task A_rehearsal_on_a_backup_puts_the_estimate_beside_what_the_lock_trace_measured()
    {
        using var s = Scenario(200_000);
        Assert.Equal(1, await s.Runner(backup: true).UpAsync());
        Assert.Contains(s.Log.Lines, l => l.StartsWith("Sized by the live table: 0003_index_user_names.sql(1,1): SBM6001 on users, which holds about 200000 rows", StringComparison.Ordinal)
            && l.EndsWith("(the build's warning stands).", StringComparison.Ordinal));

        var report = await new StreamBot.Migrations.Postgres.Rehearsal.MigrationRehearsal(s.Options(), s.Log).RunAsync(Directory.EnumerateFiles(s.BackupDirectory, "*.sql").Single());
        var sized = Assert.Single(report.Sized);
        output.WriteLine(sized);
        Assert.Matches(@"^0003_index_user_names\.sql\(1,1\): SBM6001 on users, which holds about 200000 rows \(\d+ MB\): CREATE INDEX estimated \d+(\.\d)? (ms|s), measured \d+(\.\d)? (ms|s) in this rehearsal\.$", sized);
    }

    [Fact]
    public async Task Sizing_does_not_queue_behind_another_sessions_exclusive_lock()
    {
        using var s = Scenario(20);
        await using var holder = new Npgsql.NpgsqlConnection(s.Settings.ToNpgsql("test"));
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await new Npgsql.NpgsqlCommand("LOCK TABLE users IN ACCESS EXCLUSIVE MODE", holder, hold).ExecuteNonQueryAsync();

        var report = StreamBot.Migrations.Validation.MigrationsValidator.Validate(s.Folder.Directory, keepScripts: true);
        var folder = StreamBot.Migrations.Planning.MigrationFolder.From(report, "drizzle_migrations");
        await using var connection = await StreamBot.Migrations.Postgres.Connection.Database.OpenAsync(s.Settings, "test");
        var (errors, lines) = await StreamBot.Migrations.Postgres.Preflight.TableSizing.RunAsync(connection, folder, StreamBot.Migrations.Safety.LintOptions.Default,
            [folder.Migrations[^1]], StreamBot.Migrations.Postgres.Preflight.SizingOptions.Default, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Empty(errors);
        Assert.Equal(["1 finding(s) were not sized (another session holds one of their tables locked against reads; not waited for): each stays the build's warning, not weighed against its table."], lines);
    }

    private DatabaseScenario Scenario(int rows)
    {
        var s = new DatabaseScenario(postgres, MigrationsFolder.ForDatabase());
        s.Runner().UpAsync().GetAwaiter().GetResult();
        s.Execute($"INSERT INTO users (name) SELECT 'streamer ' || i FROM generate_series(1, {rows}) AS i");
        s.Execute("ANALYZE users");
        s.Folder.AddMigration("0003_index_user_names", "CREATE INDEX users_name_idx ON users (name);\n", "DROP INDEX users_name_idx;",
            "SELECT 1 FROM pg_indexes WHERE indexname = 'users_name_idx';");
        return s;
    }

    private static double Seconds(Match estimate) =>
        double.Parse(estimate.Groups["value"].Value, CultureInfo.InvariantCulture) / (estimate.Groups["unit"].Value == "ms" ? 1000 : 1);

    [GeneratedRegex(@"for about (?<value>[\d.]+) (?<unit>s|ms)")]
    private static partial Regex Estimate();
}
