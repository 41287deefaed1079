using System.Text;
using System.Text.Json;
using StreamBot.Migrations.Cli;
using StreamBot.Migrations.Documentation;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// The Stream Bot's own migrations on a real server: psql applies them and sends exactly the statements
/// `streambot-migrate inspect` shows, and each documented rollback really undoes its migration, as its verify
/// queries prove (they fail before the rollback and pass after it).
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class StreamBotMigrationsOnServerTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private static readonly string Directory_ = Path.Combine(RepoPaths.Root, "migrations");

    [Fact]
    public void Psql_applies_each_migration_with_the_statements_inspect_shows()
    {
        var database = postgres.CreateDatabase();
        foreach (var migration in MigrationsValidator.Validate(Directory_).Migrations)
        {
            var (exit, echoed, error) = TestPostgres.Psql(database, $"-q -e -o /dev/null -v ON_ERROR_STOP=1 -f \"{migration.FullPath}\"");
            Assert.True(exit == 0, $"{migration.FileName}: {error}");
            Assert.Equal(Normalize(echoed), Normalize(InspectTexts(migration.FullPath)));
        }
    }

    [Fact]
    public void Documented_rollbacks_undo_their_migrations_newest_first()
    {
        var database = postgres.CreateDatabase();
        var report = MigrationsValidator.Validate(Directory_);
        foreach (var migration in report.Migrations)
        {
            Assert.Equal(0, TestPostgres.Psql(database, $"-q -v ON_ERROR_STOP=1 -f \"{migration.FullPath}\"").ExitCode);
        }

        foreach (var migration in report.Migrations.Reverse())
        {
            var doc = report.Docs[migration.Name];
            if (doc.IsRollbackNotRecommended)
            {
                continue;
            }

            var verify = doc.Statements.Where(s => s.IsVerifyQuery).ToList();
            Assert.NotEmpty(verify);
            Assert.All(verify, v => Assert.NotEqual(v.ExpectedRows, RowCount(database, v)));

            var rollback = string.Join('\n', doc.Statements.Where(s => !s.IsVerifyQuery).Select(s => s.Text));
            var (exit, _, error) = RunScript(database, rollback, "-1");
            Assert.True(exit == 0, $"{migration.Name} rollback: {error}");
            Assert.All(verify, v => Assert.Equal(v.ExpectedRows, RowCount(database, v)));
        }
    }

    private static string InspectTexts(string file)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, CommandLine.Run(["inspect", file, "--format", "json"], stdout, stderr));
        using var json = JsonDocument.Parse(stdout.ToString());
        return string.Concat(json.RootElement.EnumerateArray().Select(s => s.GetProperty("text").GetString() + "\n"));
    }

    private static int RowCount(string database, RollbackStatement query)
    {
        var (exit, output, error) = RunScript(database, query.Text, "-At");
        Assert.True(exit == 0, $"verify query at README line {query.Line}: {error}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    private static (int ExitCode, string Output, string Error) RunScript(string database, string sql, string options)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, sql, new UTF8Encoding(false));
        try
        {
            return TestPostgres.Psql(database, $"-q {options} -v ON_ERROR_STOP=1 -f \"{file}\"");
        }
        finally
        {
            File.Delete(file);
        }
    }

    // psql drops empty lines outside quotes from what it sends; the migrations have none inside quotes.
    private static string Normalize(string text) => System.Text.RegularExpressions.Regex.Replace(text, "\n\n+", "\n");
}
