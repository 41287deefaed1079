using System.Text.Json;
using StreamBot.Migrations.Cli;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Unit.Cli;

[Trait(Tier.Name, Tier.Unit)]
public sealed class CommandLineTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = CommandLine.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Validate_succeeds_on_a_valid_folder()
    {
        using var folder = MigrationsFolder.Valid();
        var (exit, output, errors) = Run("validate", folder.Directory);
        Assert.Equal(0, exit);
        Assert.Empty(errors);
        Assert.Contains("3 migration(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_prints_msbuild_style_errors_and_exits_1()
    {
        using var folder = MigrationsFolder.Valid();
        folder.Write("0002_add_balance_index.sql", "SELECT 1;\nSELECT $$x;\n");
        var (exit, _, errors) = Run("validate", "--dir", folder.Directory);
        Assert.Equal(1, exit);
        Assert.Contains(folder.Path("0002_add_balance_index.sql") + "(2,8): error SBM2004: ", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("public.")]
    [InlineData("a.b.c")]
    [InlineData("\"unclosed")]
    [InlineData("drizzle_migrations; DROP TABLE users; --")]
    [InlineData("journal_with_a_name_long_enough_that_its_progress_table_overflows")]
    public void A_bad_journal_table_name_is_a_usage_error_before_anything_connects(string name)
    {
        using var folder = MigrationsFolder.Valid();
        foreach (var command in new[] { "status", "up", "down" })
        {
            var (exit, _, errors) = Run(command, "--dir", folder.Directory, "--journal-table", name, "--connection", "postgres://u:p@127.0.0.1:1/db");
            Assert.Equal(2, exit);
            Assert.Contains("error SBM0001: --journal-table takes a table name", errors, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--dir=")]
    [InlineData("--dir ")]
    public void Every_command_reads_options_as_name_value_and_name_equals_value(string dirOption)
    {
        using var folder = MigrationsFolder.Valid();
        folder.Write("0002_add_balance_index.sql", "SELECT 'open;\n");
        var args = (dirOption.EndsWith('=') ? [dirOption + folder.Directory] : new[] { dirOption.Trim(), folder.Directory });
        var (exit, _, errors) = Run(["validate", .. args]);
        Assert.Equal(1, exit);
        Assert.Contains(folder.Path("0002_add_balance_index.sql") + "(1,8): error SBM2001", errors, StringComparison.Ordinal);

        var (inspectExit, json, _) = Run("inspect", "--format=json", folder.Path("0001_add_balances.sql"));
        Assert.Equal(0, inspectExit);
        Assert.StartsWith("[", json.TrimStart(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validate --frobnicate", "validate does not take --frobnicate (it takes --dir VALUE, --docs-url VALUE, --format VALUE, --lint-from VALUE, --postgres-version VALUE, --source-root VALUE)")]
    [InlineData("validate --dir", "--dir needs a value.")]
    [InlineData("validate one two", "validate takes one directory")]
    [InlineData("inspect --format", "--format needs a value.")]
    [InlineData("inspect --dir x.sql", "inspect does not take --dir (it takes --format VALUE)")]
    [InlineData("status --dir", "--dir needs a value.")]
    [InlineData("up --no-backup=yes", "--no-backup takes no value.")]
    [InlineData("down --forse", "down does not take --forse")]
    [InlineData("down --resume-from 3", "down does not take --resume-from")]
    [InlineData("status --force", "status does not take --force (it takes --connection VALUE, --dir VALUE, --format VALUE, --journal-table VALUE, --large-table-rows VALUE, --preflight-budget VALUE, --preflight-check-timeout VALUE, --small-table-rows VALUE, --verbose)")]
    [InlineData("status --accept-drift", "status does not take --accept-drift")]
    [InlineData("adopt --no-backup", "adopt does not take --no-backup")]
    [InlineData("baseline --to 3 --statement-lock-timeout 5", "baseline does not take --statement-lock-timeout")]
    [InlineData("rehearse --dry-run", "rehearse does not take --dry-run")]
    [InlineData("rehearse --from-backup /nonexistent/backup.sql", "--from-backup names /nonexistent/backup.sql, which does not exist")]
    [InlineData("status --format markdown", "--format takes text or json (status; markdown and html are for rehearse)")]
    [InlineData("up --statement-lock-timeout 99999999999999", "--statement-lock-timeout takes at most 2147483.647 seconds")]
    [InlineData("up --lock-retry-budget 1e400", "--lock-retry-budget takes a number of seconds.")]
    [InlineData("up --lock-timeout NaN", "--lock-timeout takes a number of seconds.")]
    [InlineData("down --statement-timeout 3000000", "--statement-timeout takes at most 2147483.647 seconds")]
    [InlineData("renumber --from x.sql", "renumber does not take --from")]
    [InlineData("new x --dry-run", "new does not take --dry-run")]
    [InlineData("stauts", "unknown command 'stauts'")]
    [InlineData("up --large-table-rows many", "--large-table-rows takes a number of rows.")]
    [InlineData("status --small-table-rows 5000000", "--small-table-rows (5000000) is more than --large-table-rows (1000000)")]
    [InlineData("up --preflight-check-timeout 0", "--preflight-check-timeout takes a number of seconds above 0.")]
    [InlineData("up --app-name-pattern (", "--app-name-pattern is not a regular expression")]
    [InlineData("up --app-name-pattern ^streambot$", "--app-name-pattern needs the groups (?<app>...) and (?<version>...)")]
    [InlineData("up --app-heartbeat-table a.b.c", "--app-heartbeat-table takes a table name")]
    [InlineData("status --drain-timeout 5", "status does not take --drain-timeout")]
    [InlineData("down --force-contract", "down does not take --force-contract")]
    [InlineData("up --app-queries app/queries.sql", "up does not take --app-queries")]
    [InlineData("rehearse --app-queries /nonexistent/queries.sql", "--app-queries names /nonexistent/queries.sql, which does not exist")]
    [InlineData("rehearse --html-report=", "--html-report takes the path of the HTML file to write.")]
    [InlineData("validate --dir=", "validate takes a directory; the one given is empty.")]
    [InlineData("validate --source-root=", "--source-root '' is not a directory")]
    [InlineData("validate --format sarif --docs-url ftp://docs.example/diagnostics.md", "--docs-url 'ftp://docs.example/diagnostics.md' is not an absolute http(s) or file URL")]
    public void A_bad_command_line_is_exit_code_2_with_one_line_saying_what_was_wrong(string commandLine, string expected)
    {
        var (exit, output, errors) = Run(commandLine.Split(' '));
        Assert.Equal(2, exit);
        Assert.Empty(output);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("error SBM0001: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_overlong_timeout_in_a_directive_is_a_coded_error_at_its_line_not_a_crash()
    {
        using var folder = MigrationsFolder.Valid();
        folder.Write("0002_add_balance_index.sql", "-- streambot:lock-timeout 99999999999999h\nSELECT 1;\n");
        var (exit, output, errors) = Run("validate", folder.Directory);
        Assert.Equal(1, exit);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("SBM6103", StringComparison.Ordinal));
        Assert.StartsWith(folder.Path("0002_add_balance_index.sql") + "(1,1): error SBM6103:", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output + errors, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lint_start_that_names_no_migration_fails_validation_instead_of_linting_nothing()
    {
        using var folder = MigrationsFolder.Valid();
        var (exit, _, errors) = Run("validate", folder.Directory, "--lint-from", "9999");
        Assert.Equal(1, exit);
        Assert.Contains("error SBM6104: ", errors, StringComparison.Ordinal);
        Assert.Contains("'9999', names no migration of the folder", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("up")]
    [InlineData("rehearse")]
    public void A_database_command_on_a_folder_that_does_not_exist_says_so_before_connecting(string command)
    {
        var missing = Path.Combine(Path.GetTempPath(), "sbm-missing-" + Guid.NewGuid().ToString("N"));
        // Port 1: nothing listens there, so a command that got as far as connecting would say so instead.
        var (exit, output, errors) = Run(command, "--dir", missing, "--connection", "postgres://u@127.0.0.1:1/db");
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Equal($"{missing}: error SBM1001: The migrations directory '{missing}' does not exist. Create it, or point MigrationsDirectory (streambot-migrate: --dir) at the folder that holds the NNNN_name.sql files.", errors.Trim());
    }

    [Fact]
    public void Renumber_of_a_folder_that_does_not_exist_says_so()
    {
        var missing = Path.Combine(Path.GetTempPath(), "sbm-missing-" + Guid.NewGuid().ToString("N"));
        var (exit, output, errors) = Run("renumber", "--dir", missing);
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Equal($"{missing}: error SBM1001: The migrations directory '{missing}' does not exist. Create it, or point MigrationsDirectory (streambot-migrate: --dir) at the folder that holds the NNNN_name.sql files.", errors.Trim());
    }

    [Fact]
    public void Validate_keeps_each_diagnostic_on_one_line_whatever_the_file_name()
    {
        using var folder = MigrationsFolder.Valid();
        folder.Write("0003_add\nindex.sql", "SELECT 1;\n");
        var (exit, output, errors) = Run("validate", folder.Directory);
        Assert.Equal(1, exit);
        Assert.All(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Contains(": error SBM", line, StringComparison.Ordinal));
        Assert.Contains("0003_add\\u000aindex.sql", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_prints_statements_as_json_with_positions()
    {
        using var folder = MigrationsFolder.Empty();
        folder.Write("0000_x.sql", "-- header\nCREATE TABLE t (a int);\n  CREATE INDEX CONCURRENTLY i ON t (a);\n");
        var (exit, output, _) = Run("inspect", folder.Path("0000_x.sql"), "--format", "json");
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var statements = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, statements.Count);
        Assert.Equal(2, statements[0].GetProperty("line").GetInt32());
        Assert.Equal(1, statements[0].GetProperty("column").GetInt32());
        Assert.Equal("CREATE TABLE t (a int);", statements[0].GetProperty("text").GetString());
        Assert.True(statements[0].GetProperty("transactional").GetBoolean());
        Assert.Equal(3, statements[1].GetProperty("line").GetInt32());
        Assert.Equal(3, statements[1].GetProperty("column").GetInt32());
        Assert.False(statements[1].GetProperty("transactional").GetBoolean());
        Assert.Equal("CREATE INDEX CONCURRENTLY", statements[1].GetProperty("reason").GetString());
    }

    [Fact]
    public void Inspect_prints_statements_of_a_broken_file_and_the_problem_on_stderr()
    {
        using var folder = MigrationsFolder.Empty();
        folder.Write("0000_x.sql", "SELECT 1;\nSELECT 'unterminated;\n");
        var (exit, output, errors) = Run("inspect", folder.Path("0000_x.sql"), "--format=json");
        Assert.Equal(1, exit);
        Assert.Equal(2, JsonDocument.Parse(output).RootElement.GetArrayLength());
        Assert.Contains("(2,8): error SBM2001", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_of_a_missing_file_is_a_coded_error()
    {
        var (exit, output, errors) = Run("inspect", "/nonexistent/0000_x.sql");
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("error SBM1007", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("inspect")]
    [InlineData("inspect", "a.sql", "--format", "xml")]
    [InlineData("validate", "a", "b")]
    public void Bad_command_lines_exit_2_with_usage(params string[] args)
    {
        var (exit, _, errors) = Run(args);
        Assert.Equal(2, exit);
        Assert.Contains("--help", errors, StringComparison.Ordinal);
    }
}
