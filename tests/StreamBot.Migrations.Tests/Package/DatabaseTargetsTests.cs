using System.Text.RegularExpressions;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Package;

/// <summary>The database targets of the packed package, run as a user runs them: dotnet build -t:... on a real server.</summary>
[Trait(Tier.Name, Tier.Package)]
public sealed class DatabaseTargetsTests(PackedPackage package, TestPostgres postgres) : IClassFixture<PackedPackage>, IClassFixture<TestPostgres>
{
    private ConsumerProject StreamBotConsumer() =>
        package.NewConsumer($"<MigrationsDirectory>{Path.Combine(PackedPackage.RepoRoot, "migrations")}</MigrationsDirectory>");

    [Fact]
    public void The_connection_string_property_in_a_project_file_works_in_libpq_key_value_form()
    {
        // No DATABASE_URL at all: the property is the only source, in the form psql users write.
        var url = new Uri(postgres.CreateDatabase());
        var keyValue = $"host={url.Host} port={url.Port} dbname={url.AbsolutePath.Trim('/')} user={Uri.UnescapeDataString(url.UserInfo.Split(':')[0])} password='{postgres.ServerPassword}'";
        var consumer = package.NewConsumer(
            $"<MigrationsDirectory>{Path.Combine(PackedPackage.RepoRoot, "migrations")}</MigrationsDirectory>" +
            $"<MigrationsConnectionString>{System.Security.SecurityElement.Escape(keyValue)}</MigrationsConnectionString><MigrationsBackup>false</MigrationsBackup>");

        var apply = consumer.Build("-t:ApplyMigrations");
        Assert.True(apply.ExitCode == 0, apply.Output);
        Assert.Contains("Applied 5 migration(s)", apply.Output, StringComparison.Ordinal);
        var status = consumer.Build("-t:MigrationStatus");
        Assert.Contains("5 migration(s): 5 applied.", status.Output, StringComparison.Ordinal);
        Assert.All(new[] { apply, status }, r => Assert.DoesNotContain(postgres.ServerPassword, r.Output, StringComparison.Ordinal));
    }

    [Fact]
    public void Status_apply_status_rollback_status_through_msbuild()
    {
        var url = postgres.CreateDatabase();
        var consumer = StreamBotConsumer();

        var before = consumer.Build("-t:MigrationStatus", url);
        Assert.True(before.ExitCode == 0, before.Output);
        Assert.Contains("5 migration(s): 5 pending.", before.Output, StringComparison.Ordinal);

        var apply = consumer.Build("-t:ApplyMigrations", url);
        Assert.True(apply.ExitCode == 0, apply.Output);
        Assert.Contains("Applied 5 migration(s)", apply.Output, StringComparison.Ordinal);
        var backup = Assert.Single(Directory.GetFiles(Path.Combine(consumer.Directory, "backups"), "*.sql"));
        Assert.True(File.Exists(backup + ".manifest.json"), "the backup's manifest is beside it");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup));
        }

        var json = consumer.Build("-t:MigrationStatus -p:MigrationsStatusFormat=json", url);
        Assert.True(json.ExitCode == 0, json.Output);
        Assert.Contains("\"pending\": 0", json.Output, StringComparison.Ordinal);

        var rollback = consumer.Build("-t:RollbackMigration -p:Migration=0003_add_platform_user_unique_constraint", url);
        Assert.True(rollback.ExitCode == 0, rollback.Output);
        Assert.Contains("Rolled back 2 migration(s): 0004_add_giveaway_concurrency_improvements, 0003_add_platform_user_unique_constraint.", rollback.Output, StringComparison.Ordinal);

        var after = consumer.Build("-t:MigrationStatus", url);
        Assert.Contains("5 migration(s): 3 applied, 2 pending.", after.Output, StringComparison.Ordinal);

        // A plain build never touches the database.
        var build = consumer.Build("", url);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.DoesNotContain("Applied", build.Output, StringComparison.Ordinal);
        Assert.All(new[] { before, apply, json, rollback, after, build }, r => Assert.DoesNotContain(postgres.ServerPassword, r.Output, StringComparison.Ordinal));
    }

    [Fact]
    public void Rehearse_through_msbuild_writes_the_markdown_and_html_reports_and_fails_the_build_on_a_broken_rollback()
    {
        var url = postgres.CreateDatabase();
        var consumer = StreamBotConsumer();
        var clean = consumer.Build("-t:RehearseMigrations -p:MigrationsRehearseFormat=markdown", url);
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.Contains("| `0004_add_giveaway_concurrency_improvements` | passed |", clean.Output, StringComparison.Ordinal);
        // The page beside the build's outputs, linked from the Markdown report.
        var page = Path.Combine(consumer.Directory, "bin", "Debug", "net10.0", "streambot-migrations-rehearsal.html");
        Assert.Contains("[streambot-migrations-rehearsal.html](", clean.Output, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"lock timeline of 0004_add_giveaway_concurrency_improvements\"", File.ReadAllText(page), StringComparison.Ordinal);

        var broken = package.NewConsumer()
            .WithFile("0000_initial_schema.sql", "CREATE TABLE users (id uuid PRIMARY KEY);\n")
            .WithFile("0001_add_index.sql", "CREATE INDEX idx_users_id ON users (id);\n")
            .WithFile("README.md", "# Migrations\n" + Support.MigrationsFolder.Section("0000_initial_schema", notRecommended: true)
                + Support.MigrationsFolder.Section("0001_add_index"));
        var failed = broken.Build("-t:RehearseMigrations -p:MigrationsRehearseFormat=html", url);
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Matches(@"README\.md\(\d+,1\): error SBM7001: The rollback of 0001_add_index does not return the schema .*leaves index idx_users_id on users", failed.Output);
        var brokenPage = File.ReadAllText(Path.Combine(broken.Directory, "bin", "Debug", "net10.0", "streambot-migrations-rehearsal.html"));
        Assert.Contains("Lock timelines (HTML): ", failed.Output, StringComparison.Ordinal);
        Assert.Contains("<li><code>index idx_users_id on users", brokenPage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_migration_is_an_msbuild_error_at_its_file_line_and_column()
    {
        var url = postgres.CreateDatabase();
        var consumer = package.NewConsumer()
            .WithFile("0000_initial_schema.sql", "CREATE TABLE users (id int);\n\nINSERT INTO users VALUES ('not a number');\n")
            .WithFile("README.md", """
                ### 0000_initial_schema.sql
                **Status**: new
                **Purpose**: users
                **Date**: 2025-11-15

                **Changes**:
                - users

                **Rollback**: Not recommended - foundation
                """);
        var result = consumer.Build("-t:ApplyMigrations -p:MigrationsBackup=false", url);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches(new Regex(Regex.Escape(consumer.Migration("0000_initial_schema.sql")) + @"\(3,27\): error SBM4005: .*22P02"), result.Output);
        Assert.Contains("warning SBM5006", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("SBM9002", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_with_errors_is_never_applied_and_dry_run_changes_nothing()
    {
        var url = postgres.CreateDatabase();
        var consumer = StreamBotConsumer();
        var dry = consumer.Build("-t:ApplyMigrations -p:MigrationsDryRun=true", url);
        Assert.True(dry.ExitCode == 0, dry.Output);
        Assert.Contains("Dry run: would apply 5 migration(s)", dry.Output, StringComparison.Ordinal);
        Assert.Contains("5 pending", consumer.Build("-t:MigrationStatus", url).Output, StringComparison.Ordinal);

        var broken = package.NewConsumer().WithFile("0000_x.sql", "SELECT 'open;\n");
        var result = broken.Build("-t:ApplyMigrations", url);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error SBM2001", result.Output, StringComparison.Ordinal);
        Assert.Contains("error SBM4014", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // /proc and a shell-script pg_dump stand-in
    public void The_password_stays_out_of_diagnostic_logs_binlogs_backup_names_and_command_lines()
    {
        var url = postgres.CreateDatabase();
        var consumer = StreamBotConsumer();
        using var chain = new ProcessChainRecorder();
        var targets = new[]
        {
            "-t:MigrationStatus", "-t:MigrationStatus -p:MigrationsStatusFormat=json", "-t:ApplyMigrations -p:MigrationsDryRun=true",
            "-t:ApplyMigrations", "-t:RollbackMigration -p:MigrationsDryRun=true", "-t:RollbackMigration",
            "-t:RollbackMigration -p:Migration=0003_add_platform_user_unique_constraint", "-t:ApplyMigrations", "",
        };
        var haystacks = new List<byte[]>();
        for (var i = 0; i < targets.Length; i++)
        {
            var binlog = Path.Combine(consumer.Directory, $"run{i}.binlog");
            var result = consumer.Build($"{targets[i]} -v:diag -bl:\"{binlog}\"", url, chain.SearchPath);
            Assert.True(result.ExitCode == 0, result.Output);
            haystacks.Add(System.Text.Encoding.UTF8.GetBytes(result.Output));
            using var gzip = new System.IO.Compression.GZipStream(File.OpenRead(binlog), System.IO.Compression.CompressionMode.Decompress);
            using var content = new MemoryStream();
            gzip.CopyTo(content);
            Assert.True(content.ToArray().AsSpan().IndexOf("StreamBot"u8) >= 0, "the binlog was not readable");
            haystacks.Add(content.ToArray());
        }

        var backups = Directory.GetFiles(Path.Combine(consumer.Directory, "backups"), "*.sql");
        Assert.Equal(4, backups.Length); // apply, rollback, rollback to 0003, apply again
        haystacks.AddRange(backups.Select(b => System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(b))));
        // The manifests beside them: names, counts and the schema, never the password.
        var manifests = Directory.GetFiles(Path.Combine(consumer.Directory, "backups"), "*.manifest.json");
        Assert.Equal(4, manifests.Length);
        haystacks.AddRange(manifests.Select(File.ReadAllBytes));
        // The chain runs from pg_dump through streambot-migrate and the shell Exec starts up to MSBuild and dotnet.
        // On linux-x64 the targets run the package's native build; elsewhere its .NET build.
        Assert.Contains(chain.CommandLines, l => l.Contains(CliProcess.IsNative ? "tasks/native/linux-x64/streambot-migrate" : "streambot-migrate.dll", StringComparison.Ordinal));
        Assert.Contains(chain.CommandLines, l => l.Contains("MSBuild", StringComparison.OrdinalIgnoreCase));
        haystacks.AddRange(chain.CommandLines.Select(System.Text.Encoding.UTF8.GetBytes));

        var forms = new[] { postgres.ServerPassword, Uri.EscapeDataString(postgres.ServerPassword) }
            .SelectMany(f => new[] { System.Text.Encoding.UTF8.GetBytes(f), System.Text.Encoding.Unicode.GetBytes(f) }).ToList();
        var hits = haystacks.Sum(h => forms.Count(f => h.AsSpan().IndexOf(f) >= 0));
        Assert.Equal(0, hits);
        Console.WriteLine($"[reliability] secrets (msbuild): {targets.Length} builds at -v:diag with binlogs, {backups.Length} backup names, {chain.CommandLines.Count} process command lines searched: {hits} hits");
    }

    [Fact]
    public void No_database_configured_is_one_coded_error()
    {
        var result = StreamBotConsumer().Build("-t:MigrationStatus");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error SBM4001", result.Output, StringComparison.Ordinal);
    }
}
