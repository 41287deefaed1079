using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Tests.Support;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Tests.Unit.Safety;

[Trait(Tier.Name, Tier.Unit)]
public sealed class SafetyLintTests
{
    // 0000 creates what the statements under test find "existing": created by an earlier migration.
    private const string Schema = """
        CREATE TYPE mood AS ENUM ('happy', 'sad');
        CREATE TABLE users (id int PRIMARY KEY, email varchar(50), name text, amount numeric(10,2), mood mood);
        CREATE TABLE orders (id int PRIMARY KEY, user_id int);
        CREATE VIEW v AS SELECT id FROM users;
        """;

    public static TheoryData<string, string, string?> Rules() => new()
    {
        { "index on an existing table", "CREATE INDEX i ON users (email);", "SBM6001" },
        { "unique index, schema-qualified", "CREATE UNIQUE INDEX IF NOT EXISTS i ON public.users USING btree (email);", "SBM6001" },
        { "index built concurrently", "CREATE INDEX CONCURRENTLY i ON users (email);", null },
        { "index on a table of the same migration", "CREATE TABLE t (id int);\nCREATE INDEX i ON t (id);", null },
        { "CHECK without NOT VALID", "ALTER TABLE users ADD CONSTRAINT c CHECK (length(name) > 0);", "SBM6002" },
        { "CHECK with NOT VALID", "ALTER TABLE users ADD CONSTRAINT c CHECK (length(name) > 0) NOT VALID;", null },
        { "foreign key without NOT VALID", "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);", "SBM6002" },
        { "foreign key with NOT VALID", "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;", null },
        { "CHECK on a table of the same migration", "CREATE TABLE t (n int);\nALTER TABLE t ADD CONSTRAINT c CHECK (n > 0);", null },
        { "validated in the same transaction", "ALTER TABLE users ADD CONSTRAINT c CHECK (amount > 0) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;", "SBM6003" },
        { "validated alone", "ALTER TABLE users VALIDATE CONSTRAINT c;", null },
        { "UNIQUE without USING INDEX", "ALTER TABLE users ADD CONSTRAINT u UNIQUE (email);", "SBM6004" },
        { "PRIMARY KEY without USING INDEX", "ALTER TABLE orders ADD PRIMARY KEY (id);", "SBM6004" },
        { "UNIQUE USING INDEX", "ALTER TABLE users ADD CONSTRAINT u UNIQUE USING INDEX i;", null },
        { "varchar widened", "ALTER TABLE users ALTER COLUMN email TYPE varchar(100);", null },
        { "varchar to text", "ALTER TABLE users ALTER COLUMN email SET DATA TYPE text;", null },
        { "numeric precision raised", "ALTER TABLE users ALTER COLUMN amount TYPE numeric(12,2);", null },
        { "varchar narrowed", "ALTER TABLE users ALTER COLUMN email TYPE varchar(20);", "SBM6005" },
        { "numeric scale changed", "ALTER TABLE users ALTER COLUMN amount TYPE numeric(12,3);", "SBM6005" },
        { "type with USING", "ALTER TABLE users ALTER COLUMN name TYPE text USING upper(name);", "SBM6005" },
        { "type of a column the folder did not create", "ALTER TABLE users ALTER COLUMN legacy TYPE bigint;", "SBM6005" },
        { "SET NOT NULL with no CHECK", "ALTER TABLE users ALTER COLUMN name SET NOT NULL;", "SBM6006" },
        { "volatile default", "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();", "SBM6007" },
        { "serial column", "ALTER TABLE orders ADD COLUMN n bigserial;", "SBM6007" },
        { "stored generated column", "ALTER TABLE users ADD COLUMN lower_email text GENERATED ALWAYS AS (lower(email)) STORED;", "SBM6007" },
        { "constant default", "ALTER TABLE users ADD COLUMN IF NOT EXISTS score integer DEFAULT 0 NOT NULL;", null },
        { "stable default", "ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();", null },
        { "column renamed", "ALTER TABLE users RENAME COLUMN name TO full_name;", "SBM6008" },
        { "table renamed", "ALTER TABLE users RENAME TO people;", "SBM6008" },
        { "constraint renamed", "ALTER TABLE users RENAME CONSTRAINT a TO b;", null },
        { "DROP TABLE at LOW risk", "DROP TABLE orders;", "SBM6009" },
        { "DROP COLUMN at LOW risk", "ALTER TABLE users DROP COLUMN IF EXISTS name;", "SBM6009" },
        { "TRUNCATE at LOW risk", "TRUNCATE orders;", "SBM6009" },
        { "CASCADE at LOW risk", "DROP VIEW v CASCADE;", "SBM6009" },
        { "DROP of a table of the same migration", "CREATE TABLE t (id int);\nDROP TABLE t;", null },
        { "VACUUM FULL", "VACUUM FULL users;", "SBM6010" },
        { "VACUUM (FULL)", "VACUUM (FULL, ANALYZE) users;", "SBM6010" },
        { "plain VACUUM", "VACUUM users;", null },
        { "CLUSTER", "CLUSTER users USING users_pkey;", "SBM6010" },
        { "REINDEX", "REINDEX TABLE users;", "SBM6010" },
        { "REINDEX CONCURRENTLY", "REINDEX TABLE CONCURRENTLY users;", null },
        { "UPDATE without WHERE", "UPDATE users SET name = 'x';", "SBM6011" },
        { "DELETE without WHERE", "DELETE FROM ONLY orders;", "SBM6011" },
        { "UPDATE with WHERE", "UPDATE users u SET name = s.n FROM (SELECT 1 AS id, 'x' AS n WHERE true) s WHERE u.id = s.id;", null },
        { "UPDATE whose only WHERE is in a subquery", "UPDATE users SET name = (SELECT 'x' WHERE true);", "SBM6011" },
        { "UPDATE of a table of the same migration", "CREATE TABLE t (n int);\nUPDATE t SET n = 1;", null },
        { "CONCURRENTLY mixed", "CREATE INDEX CONCURRENTLY i ON users (email);\nUPDATE users SET name = 'x' WHERE id = 1;", "SBM6012" },
        { "new enum value used", "ALTER TYPE mood ADD VALUE 'ecstatic';\nUPDATE users SET mood = 'ecstatic' WHERE id = 1;", "SBM6013" },
        { "new enum value cast", "ALTER TYPE mood ADD VALUE 'ecstatic';\nSELECT 'ecstatic'::mood;", "SBM6013" },
        { "new enum value inserted", "ALTER TYPE mood ADD VALUE 'ecstatic';\nINSERT INTO users (id, mood) VALUES (2, 'ecstatic');", "SBM6013" },
        { "new enum value in a DO block", "ALTER TYPE mood ADD VALUE 'ecstatic';\nDO $$ BEGIN UPDATE users SET mood = 'ecstatic' WHERE id = 1; END $$;", "SBM6013" },
        { "new enum value in a function body", "ALTER TYPE mood ADD VALUE 'ecstatic';\nCREATE FUNCTION cheer() RETURNS mood LANGUAGE sql AS $$ SELECT 'ecstatic'::mood $$;", "SBM6013" },
        { "a string that reads like the new value", "ALTER TYPE mood ADD VALUE 'ecstatic';\nSELECT 'ecstatic' AS label;", null },
        { "the new value compared to a text column", "ALTER TYPE mood ADD VALUE 'ecstatic';\nUPDATE users SET name = 'x' WHERE name = 'ecstatic';", null },
        { "new enum value not used", "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ecstatic';\nUPDATE users SET mood = 'happy' WHERE id = 1;", null },
        { "NOT NULL without DEFAULT", "ALTER TABLE users ADD COLUMN tier text NOT NULL;", "SBM6015" },
        { "NOT NULL with a DEFAULT", "ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';", null },
        { "NOT NULL on a new table", "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN tier text NOT NULL;", null },
        { "DROP INDEX", "DROP INDEX IF EXISTS idx_users_email;", "SBM6016" },
        { "DROP INDEX CONCURRENTLY", "DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;", null },
        { "DROP INDEX of the same migration", "CREATE INDEX CONCURRENTLY idx_t ON users (email);\nDROP INDEX idx_t;", "SBM6012" },
        { "SET UNLOGGED", "ALTER TABLE users SET UNLOGGED;", "SBM6017" },
        { "SET TABLESPACE", "ALTER TABLE users SET TABLESPACE fast_disk;", "SBM6017" },
        { "foreign key in drizzle-kit's DO block", "DO $$ BEGIN\n ALTER TABLE \"orders\" ADD CONSTRAINT \"orders_user_id_users_id_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"public\".\"users\"(\"id\") ON DELETE no action ON UPDATE no action;\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;", "SBM6002" },
        { "foreign key NOT VALID in a DO block", "DO $$ BEGIN\n ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;", null },
        { "a DO block of other code", "DO $$ DECLARE n int; BEGIN SELECT count(*) INTO n FROM users; END $$;", null },
        { "a collation change", "ALTER TABLE users ALTER COLUMN name TYPE text COLLATE \"C\";", "SBM6005" },
        { "a table renamed then indexed", "CREATE TABLE t (id int);\nALTER TABLE t RENAME TO t2;\nCREATE INDEX i ON t2 (id);", null },
        { "session SET", "SET search_path = reporting;", "SBM6014" },
        { "session SET SESSION", "SET SESSION statement_timeout = '10ms';", "SBM6014" },
        { "session SET ROLE", "SET ROLE reporting_owner;", "SBM6014" },
        { "pg_dump's header", "SELECT pg_catalog.set_config('search_path', '', false);", "SBM6014" },
        { "RESET", "RESET lock_timeout;", "SBM6014" },
        { "SET LOCAL", "SET LOCAL search_path = reporting;", null },
        { "set_config local", "SELECT set_config('search_path', 'reporting', true);", null },
        { "SET CONSTRAINTS", "SET CONSTRAINTS ALL DEFERRED;", null },
        { "SET TRANSACTION", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;", null },
        { "DROP COLUMN outside a contract step", "ALTER TABLE users DROP COLUMN name;", "SBM6018" },
        { "DROP TABLE outside a contract step", "DROP TABLE orders;", "SBM6018" },
        { "SET NOT NULL outside a contract step", "ALTER TABLE users ALTER COLUMN name SET NOT NULL;", "SBM6019" },
        { "SET NOT NULL on a table of the same migration", "CREATE TABLE t (n int);\nALTER TABLE t ALTER COLUMN n SET NOT NULL;", null },
    };

    [Theory]
    [InlineData("ALTER TABLE users DROP COLUMN name;")]
    [InlineData("DROP TABLE orders;")]
    [InlineData("ALTER TABLE users ADD CONSTRAINT nn CHECK (name IS NOT NULL) NOT VALID;\nALTER TABLE users ALTER COLUMN name SET NOT NULL;")]
    public void A_contract_step_may_remove_what_older_versions_used(string sql)
    {
        using var folder = Folder("-- streambot:contract after streambot/1.5.0\n" + sql, risk: "HIGH");
        Assert.DoesNotContain(Lint(folder), f => f.Code is "SBM6018" or "SBM6019");
        using var expand = Folder(sql, risk: "HIGH");
        Assert.Contains(Lint(expand), f => f.Code is "SBM6018" or "SBM6019");
    }

    [Fact]
    public void A_type_change_names_the_types_as_the_migrations_wrote_them_and_follows_a_renamed_column()
    {
        using var folder = Folder("ALTER TABLE users RENAME COLUMN amount TO total;\nALTER TABLE users ALTER COLUMN total TYPE timestamp with time zone USING now();",
            earlier: "ALTER TABLE users ALTER COLUMN amount TYPE numeric(12, 2);\n");
        var finding = Assert.Single(Lint(folder), f => f.Code == "SBM6005" && f.Line == 2);
        Assert.StartsWith("ALTER COLUMN total TYPE timestamp with time zone USING ... rewrites every row of users", finding.Message, StringComparison.Ordinal);

        using var narrowed = Folder("ALTER TABLE users RENAME COLUMN email TO mail;\nALTER TABLE users ALTER COLUMN mail TYPE character varying(20);");
        Assert.StartsWith("ALTER COLUMN mail TYPE character varying(20) on users (now varchar(50)) rewrites every row",
            Assert.Single(Lint(narrowed), f => f.Code == "SBM6005").Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_warns_on_its_statement_and_not_on_the_safe_form(string name, string sql, string? expected)
    {
        using var folder = Folder(sql);
        var findings = Lint(folder);
        if (expected is null)
        {
            Assert.True(findings.Count == 0, $"{name}: expected no finding, got {string.Join("; ", findings)}");
        }
        else
        {
            var finding = Assert.Single(findings, f => f.Code == expected);
            Assert.Equal(folder.Path("0001_change.sql"), finding.File);
            Assert.Equal(DiagnosticSeverity.Warning, finding.Severity);
            Assert.Contains("-- streambot:allow " + expected + " because", finding.Hint, StringComparison.Ordinal);
            Assert.True(finding.Line >= 1, name);
        }
    }

    [Fact]
    public void A_finding_is_at_the_line_and_column_of_its_action()
    {
        using var folder = Folder("-- first a comment\nALTER TABLE users\n  ADD COLUMN a int,\n  ADD CONSTRAINT c CHECK (a > 0);\n");
        var finding = Assert.Single(Lint(folder));
        Assert.Equal(("SBM6002", 4, 3), (finding.Code, finding.Line, finding.Column));
        Assert.Contains("NOT VALID", finding.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void High_rollback_risk_allows_destroying_data()
    {
        // A contract step: the drain gate, not the lint, answers for the running app (SBM6018).
        using var folder = Folder("-- streambot:contract after streambot/2.0.0\nDROP TABLE orders;\nTRUNCATE users;\n", risk: "HIGH");
        Assert.Empty(Lint(folder));
    }

    [Theory]
    [InlineData("ALTER TABLE users ADD COLUMN score integer DEFAULT 0;", 10, "SBM6007")]
    [InlineData("ALTER TABLE users ADD COLUMN score integer DEFAULT 0;", 11, null)]
    [InlineData("-- streambot:contract after streambot/2.0.0\nALTER TABLE users ADD CONSTRAINT nn CHECK (name IS NOT NULL);\nALTER TABLE users ALTER COLUMN name SET NOT NULL;", 12, "SBM6002")]
    public void The_server_version_turns_off_what_it_makes_safe(string sql, int version, string? expected)
    {
        using var folder = Folder(sql);
        var codes = Lint(folder, new LintOptions(PostgresVersion: version)).Select(f => f.Code).ToList();
        Assert.Equal(expected is null ? [] : new[] { expected }, codes);
    }

    [Theory]
    [InlineData(12, false)]
    [InlineData(11, true)]
    public void SET_NOT_NULL_after_a_validated_CHECK_scans_only_before_12(int version, bool warns)
    {
        using var folder = Folder("ALTER TABLE users ALTER COLUMN name SET NOT NULL;",
            earlier: "ALTER TABLE users ADD CONSTRAINT nn CHECK (name IS NOT NULL) NOT VALID;\n-- streambot:allow SBM6003 because not the same migration\nALTER TABLE users VALIDATE CONSTRAINT nn;\n");
        var codes = Lint(folder, new LintOptions(PostgresVersion: version)).Select(f => (f.Code, Path.GetFileName(f.File))).ToList();
        Assert.DoesNotContain(codes, c => c.Item2 == "0001_earlier.sql");
        Assert.Equal(warns, codes.Contains(("SBM6006", "0002_change.sql")));
    }

    [Theory]
    [InlineData("-- streambot:allow SBM6001 because users is empty until the launch\nCREATE INDEX i ON users (email);", new string[0])]
    [InlineData("CREATE INDEX i ON users (email); -- streambot:allow SBM6001 because tiny table", new string[0])]
    [InlineData("CREATE INDEX i ON users (email) /* streambot:allow SBM6001 because tiny table */;", new string[0])]
    [InlineData("-- streambot:allow SBM6001, SBM6011 because both are fine here\nCREATE INDEX i ON users (email);", new[] { "SBM6102" })]
    [InlineData("-- streambot:allow SBM6001\nCREATE INDEX i ON users (email);", new[] { "SBM6101", "SBM6001" })]
    [InlineData("-- streambot:allow SBM6001 because\nCREATE INDEX i ON users (email);", new[] { "SBM6101", "SBM6001" })]
    [InlineData("-- streambot:allow SBM6002 because wrong code\nCREATE INDEX i ON users (email);", new[] { "SBM6001", "SBM6102" })]
    [InlineData("CREATE INDEX i ON users (email);\n-- streambot:allow SBM6001 because it belongs to the next statement\nSELECT 1;", new[] { "SBM6001", "SBM6102" })]
    public void A_suppression_needs_a_reason_and_must_silence_something(string sql, string[] expected)
    {
        using var folder = Folder(sql);
        Assert.Equal(expected.Order(), Lint(folder).Select(f => f.Code).Order());
    }

    [Theory]
    [InlineData("-- streambot:frobnicate 1\nSELECT 1;", "is not a directive", 1)]
    [InlineData("SELECT 1;\n-- streambot:lock-timeout 5s\nSELECT 2;", "before the first statement", 2)]
    [InlineData("-- streambot:lock-timeout soon\nSELECT 1;", "not a duration", 1)]
    [InlineData("-- streambot:lock-timeout 99999999999999h\nSELECT 1;", "'99999999999999h' is longer than PostgreSQL takes for lock-timeout (2147483647 ms, about 24.8 days)", 1)]
    [InlineData("-- streambot:statement-timeout 1000h\nSELECT 1;", "'1000h' is longer than PostgreSQL takes for statement-timeout", 1)]
    [InlineData("-- streambot:concurrent-lock-timeout 2147484s\nSELECT 1;", "'2147484s' is longer than PostgreSQL takes", 1)]
    [InlineData("-- streambot:lock-timeout 5s\n-- streambot:lock-timeout 6s\nSELECT 1;", "set twice", 2)]
    [InlineData("SELECT 1;\n-- streambot:allow SBM2011 because it is fine\nSELECT 1;", "not a safety rule's code (SBM6001 to SBM6019)", 2)]
    [InlineData("-- streambot:contract\nSELECT 1;", "does not say which version no longer needs what it removes", 1)]
    [InlineData("-- streambot:contract after streambot\nSELECT 1;", "write contract after <app>/<version>", 1)]
    [InlineData("-- streambot:contract after streambot/next\nSELECT 1;", "for example contract after streambot/1.5.0", 1)]
    [InlineData("SELECT 1;\n-- streambot:contract after streambot/1.5.0\nSELECT 2;", "contract applies to the whole migration, so it must come before the first statement", 2)]
    [InlineData("-- streambot:contract after streambot/1.5.0\n-- streambot:contract after streambot/1.6.0\nSELECT 1;", "contract is set twice", 2)]
    public void A_malformed_directive_is_an_error_at_its_line(string sql, string expected, int line)
    {
        using var folder = Folder(sql);
        var report = MigrationsValidator.Validate(folder.Directory);
        var error = Assert.Single(report.Diagnostics, d => d.Code == "SBM6103");
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(line, error.Line);
    }

    [Fact]
    public void Header_settings_reach_the_validated_migration()
    {
        using var folder = Folder("-- streambot:lock-timeout 750ms\n-- streambot:statement-timeout 2min\n-- streambot:concurrent-lock-timeout 0\nSELECT 1;");
        var migration = MigrationsValidator.Validate(folder.Directory, keepScripts: true).Validated.Single(m => m.Number == 1);
        Assert.Equal(new MigrationSettings(TimeSpan.FromMilliseconds(750), TimeSpan.FromMinutes(2), TimeSpan.Zero), migration.Settings);

        using var contract = Folder("-- streambot:contract after stream-bot.worker/1.5.0-rc.2\nSELECT 1;");
        var condition = MigrationsValidator.Validate(contract.Directory, keepScripts: true).Validated.Single(m => m.Number == 1).Settings.ContractAfter!;
        Assert.Equal(("stream-bot.worker", "1.5.0-rc.2"), (condition.App, condition.Version.Text));
    }

    [Fact]
    public void Migrations_before_the_first_to_lint_are_not_linted()
    {
        using var folder = Folder("CREATE INDEX i ON users (email);", earlier: "CREATE INDEX j ON users (name);\n");
        Assert.Equal(["0001_earlier.sql", "0002_change.sql"], Lint(folder).Select(f => Path.GetFileName(f.File)));
        Assert.Equal(["0002_change.sql"], Lint(folder, new LintOptions("0002")).Select(f => Path.GetFileName(f.File)));
        Assert.Equal(["0002_change.sql"], Lint(folder, new LintOptions("0002_change")).Select(f => Path.GetFileName(f.File)));
        Assert.Empty(Lint(folder, new LintOptions("0003")));
    }

    [Theory]
    [InlineData("5", null, "'5', names no migration of the folder (0000 to 0002, or 0003 for the next one)")]
    [InlineData("9999", null, "'9999', names no migration of the folder")]
    [InlineData("0003_next", null, "'0003_next', names no migration of the folder")]
    [InlineData("0002_other", null, "'0002_other', names no migration of the folder")]
    [InlineData(null, "fifteen", "not a major version")]
    [InlineData(null, "9", "older than this lint knows")]
    public void A_wrong_lint_setting_is_an_error(string? firstMigration, string? version, string expected)
    {
        using var folder = Folder("SELECT 1;", earlier: "SELECT 1;\n");
        var error = Assert.Single(MigrationsValidator.Validate(folder.Directory, lint: LintOptions.From(firstMigration, version)).Diagnostics, d => d.Code == "SBM6104");
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_lock_classifier_names_pre_existing_tables_with_their_strongest_mode()
    {
        var script = StreamBot.Migrations.Sql.SqlSplitter.Split("""
            CREATE TABLE attempts (id int, giveaway_id uuid REFERENCES giveaways (id));
            CREATE INDEX ON attempts (id);
            ALTER TABLE user_balances ADD CONSTRAINT c CHECK (balance >= 0);
            CREATE UNIQUE INDEX u ON platform_connections (platform);
            ALTER TABLE user_balances VALIDATE CONSTRAINT c;
            ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES public.users (id) NOT VALID;
            UPDATE users SET name = 'x' WHERE id = 1;
            CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION f();
            """);
        var locks = LockClassifier.Of(script).Select(l => string.Join(",", l.Select(t => $"{t.Table}:{t.Mode.Describe()}"))).ToList();
        Assert.Equal([
            "giveaways:SHARE ROW EXCLUSIVE", "", "user_balances:ACCESS EXCLUSIVE", "platform_connections:SHARE",
            "user_balances:SHARE UPDATE EXCLUSIVE", "users:SHARE ROW EXCLUSIVE,orders:SHARE ROW EXCLUSIVE",
            "users:ROW EXCLUSIVE", "users:SHARE ROW EXCLUSIVE",
        ], locks);
    }

    [Fact]
    public void The_Stream_Bot_folder_warns_where_its_runbook_migrations_lock_live_tables()
    {
        var report = MigrationsValidator.Validate(Path.Combine(RepoPaths.Root, "migrations"), lint: LintOptions.Default);
        var findings = report.Diagnostics.Select(d => $"{Path.GetFileName(d.File)}({d.Line}): {d.Code}").ToList();
        Assert.Equal([
            "0002_add_stream_session_stats.sql(13): SBM6001",
            "0003_add_platform_user_unique_constraint.sql(4): SBM6001",
            "0004_add_giveaway_concurrency_improvements.sql(29): SBM6002",
            "0004_add_giveaway_concurrency_improvements.sql(31): SBM6002",
            "0004_add_giveaway_concurrency_improvements.sql(33): SBM6002",
        ], findings);
        Assert.Empty(MigrationsValidator.Validate(Path.Combine(RepoPaths.Root, "migrations"), lint: new LintOptions("0005")).Diagnostics);
    }

    private static MigrationsFolder Folder(string sql, string risk = "LOW", string? earlier = null)
    {
        var folder = MigrationsFolder.Empty();
        folder.WriteReadme("# Migrations\n");
        folder.AddMigration("0000_schema", Schema + "\n", notRecommended: true);
        var number = 1;
        if (earlier is not null)
        {
            folder.AddMigration("0001_earlier", earlier);
            number = 2;
        }

        folder.AddMigration($"{number:D4}_change", sql + "\n");
        if (risk != "LOW")
        {
            var readme = File.ReadAllText(folder.ReadmePath);
            var at = readme.LastIndexOf("**Rollback Risk**: LOW", StringComparison.Ordinal);
            folder.WriteReadme(readme[..at] + "**Rollback Risk**: " + risk + readme[(at + "**Rollback Risk**: LOW".Length)..]);
        }

        return folder;
    }

    private static List<Diagnostic> Lint(MigrationsFolder folder, LintOptions? options = null)
    {
        var report = MigrationsValidator.Validate(folder.Directory, lint: options ?? LintOptions.Default);
        Assert.DoesNotContain(report.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        return report.Diagnostics.Where(d => d.Code.StartsWith("SBM6", StringComparison.Ordinal)).ToList();
    }
}

[Trait(Tier.Name, Tier.Unit)]
public sealed class SafetyRulesRobustnessTests
{
    public static TheoryData<string, string, string[]> Inputs => Sql.SplitterCases.All;

    /// <summary>The lint runs in every build: no statement may make it throw, however odd or truncated.</summary>
    [Theory]
    [MemberData(nameof(Inputs))]
    public void Every_splitter_case_and_each_of_its_prefixes_is_classified_without_throwing(string name, string sql, string[] _)
    {
        for (var length = 0; length <= sql.Length; length += Math.Max(1, sql.Length / 40))
        {
            var script = StreamBot.Migrations.Sql.SqlSplitter.Split(sql[..length]);
            var locks = LockClassifier.Of(script);
            Assert.True(locks.Count == script.Statements.Count, name);
        }
    }

    [Theory]
    [InlineData("ALTER TABLE")]
    [InlineData("ALTER TABLE users ADD")]
    [InlineData("ALTER TABLE users ADD CONSTRAINT")]
    [InlineData("ALTER TABLE users ALTER COLUMN")]
    [InlineData("ALTER TABLE users ALTER COLUMN a TYPE")]
    [InlineData("ALTER TABLE users RENAME")]
    [InlineData("ALTER TABLE users DROP")]
    [InlineData("ALTER TABLE users VALIDATE CONSTRAINT")]
    [InlineData("ALTER TYPE mood ADD VALUE")]
    [InlineData("CREATE INDEX ON")]
    [InlineData("CREATE TABLE t (")]
    [InlineData("CREATE TABLE t (a")]
    [InlineData("CREATE TABLE t (CONSTRAINT c CHECK (")]
    [InlineData("UPDATE")]
    [InlineData("DELETE FROM")]
    [InlineData("VACUUM (")]
    [InlineData("REINDEX")]
    [InlineData("DROP TABLE")]
    [InlineData("TRUNCATE")]
    [InlineData("CLUSTER")]
    [InlineData("CREATE TRIGGER t ON")]
    [InlineData("ALTER TABLE users ADD COLUMN a int DEFAULT")]
    public void A_truncated_statement_is_classified_without_throwing(string sql)
    {
        var script = StreamBot.Migrations.Sql.SqlSplitter.Split(sql + ";\n");
        Assert.Single(LockClassifier.Of(script));
    }
}
