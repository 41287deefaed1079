using System.Text;

namespace StreamBot.Migrations.Tests.Support;

/// <summary>
/// A throwaway migrations directory that starts valid (three migrations, each documented) and that a test breaks
/// in exactly one way.
/// </summary>
public sealed class MigrationsFolder : IDisposable
{
    private MigrationsFolder()
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sbm-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string ReadmePath => Path("README.md");

    public static MigrationsFolder Valid()
    {
        var folder = new MigrationsFolder();
        folder.WriteReadme("# Migrations\n\n## Migration Files\n");
        folder.AddMigration("0000_initial_schema", "CREATE TABLE users (id uuid PRIMARY KEY);\n", notRecommended: true);
        folder.AddMigration("0001_add_balances", "CREATE TABLE user_balances (id uuid PRIMARY KEY, balance bigint NOT NULL);\n");
        folder.AddMigration("0002_add_balance_index", "CREATE INDEX idx_balance ON user_balances (balance);\n");
        return folder;
    }

    public static MigrationsFolder Empty() => new();

    /// <summary>A copy of the Stream Bot's own migrations folder (files, README, drizzle-kit's meta), to change freely.</summary>
    public static MigrationsFolder StreamBot()
    {
        var folder = new MigrationsFolder();
        var source = System.IO.Path.Combine(RepoPaths.Root, "migrations");
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(folder.Directory, System.IO.Path.GetRelativePath(source, file));
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return folder;
    }

    /// <summary>Three migrations whose README rollbacks really undo them, for tests against a server.</summary>
    public static MigrationsFolder ForDatabase()
    {
        var folder = new MigrationsFolder();
        folder.WriteReadme("# Migrations\n\n## Migration Files\n");
        folder.AddMigration("0000_initial_schema", "CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);\n", notRecommended: true);
        folder.AddMigration("0001_add_balances",
            "CREATE TABLE user_balances (\n  user_id int PRIMARY KEY REFERENCES users (id),\n  balance bigint NOT NULL DEFAULT 0\n);\n",
            "DROP TABLE user_balances;", "SELECT 1 FROM pg_tables WHERE tablename = 'user_balances';");
        folder.AddMigration("0002_add_balance_check",
            "ALTER TABLE user_balances ADD CONSTRAINT user_balances_balance_check CHECK (balance >= 0);\n",
            "ALTER TABLE user_balances DROP CONSTRAINT user_balances_balance_check;", "SELECT 1 FROM pg_constraint WHERE conname = 'user_balances_balance_check';");
        return folder;
    }

    /// <summary>Adds a migration whose README section documents a real rollback and one verify query (0 rows).</summary>
    public MigrationsFolder AddMigration(string name, string sql, string rollback, string verify, int expectedRows = 0)
    {
        File.WriteAllText(Path(name + ".sql"), sql);
        File.AppendAllText(ReadmePath, $"""

            ### {name}.sql
            **Status**: ✅ Production-Ready
            **Purpose**: {name}
            **Date**: 2025-11-15

            **Changes**:
            - {name}

            **Rollback Procedure**:
            ```sql
            {rollback}

            {verify}
            -- Should return {expectedRows} rows
            ```

            **Rollback Risk**: LOW - test

            """);
        return this;
    }

    public string Path(string name) => System.IO.Path.Combine(Directory, name);

    /// <summary>Adds a migration file and a complete README section for it.</summary>
    public MigrationsFolder AddMigration(string name, string sql, bool notRecommended = false)
    {
        File.WriteAllText(Path(name + ".sql"), sql);
        File.AppendAllText(ReadmePath, Section(name, notRecommended));
        return this;
    }

    public static string Section(string name, bool notRecommended = false)
    {
        var text = new StringBuilder()
            .Append("\n### ").Append(name).Append(".sql\n")
            .Append("**Status**: ✅ Production-Ready  \n")
            .Append("**Purpose**: Test migration ").Append(name).Append("  \n")
            .Append("**Date**: 2025-11-15\n\n")
            .Append("**Changes**:\n- Something changes\n\n");
        if (notRecommended)
        {
            text.Append("**Rollback**: Not recommended - foundation schema\n");
        }
        else
        {
            text.Append("**Rollback Procedure**:\n```sql\nDROP TABLE IF EXISTS t_").Append(name).Append(";\n\n")
                .Append("SELECT 1 FROM pg_tables WHERE tablename = 't_").Append(name).Append("';\n-- Should return 0 rows\n```\n\n")
                .Append("**Rollback Risk**: LOW - nothing is lost\n");
        }

        return text.Append("\n---\n").ToString();
    }

    public MigrationsFolder Write(string fileName, string text)
    {
        File.WriteAllText(Path(fileName), text);
        return this;
    }

    public MigrationsFolder WriteBytes(string fileName, byte[] bytes)
    {
        File.WriteAllBytes(Path(fileName), bytes);
        return this;
    }

    public MigrationsFolder WriteReadme(string text) => Write("README.md", text);

    public MigrationsFolder EditReadme(string oldText, string newText)
    {
        var readme = File.ReadAllText(ReadmePath);
        if (!readme.Contains(oldText, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"README has no '{oldText}' to replace.");
        }

        return WriteReadme(readme.Replace(oldText, newText, StringComparison.Ordinal));
    }

    public MigrationsFolder Delete(string fileName)
    {
        File.Delete(Path(fileName));
        return this;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; a failing Dispose would hide the test's own result.
        }
    }
}
