using System.Globalization;
using System.Text;

namespace StreamBot.Migrations.Benchmarks;

/// <summary>
/// A migrations folder shaped like a real one, for the apply benchmark: every fifth migration creates a table, and the
/// ones between alter it (columns, indexes, a trigger and its function, a view, comments, a few rows written), so that
/// every per-migration check of the tool (locks on tables that existed before, blockers, the lock policy) fires as it
/// does in production. The same statements are written as two psql scripts: one for <c>psql -1</c> (one transaction)
/// and one with a transaction per file, the two floors the tool is compared with.
/// </summary>
internal sealed class MixedCorpus
{
    private MixedCorpus(string folder, string singleTransaction, string transactionPerFile)
    {
        Folder = folder;
        SingleTransaction = singleTransaction;
        TransactionPerFile = transactionPerFile;
    }

    public string Folder { get; }

    public string SingleTransaction { get; }

    public string TransactionPerFile { get; }

    public static MixedCorpus Write(string root, int migrations, int statementsPerMigration)
    {
        var folder = Path.Combine(root, "migrations");
        Directory.CreateDirectory(folder);
        var single = new StringBuilder();
        var perFile = new StringBuilder();
        var readme = new StringBuilder("# Migrations\n");
        for (var n = 0; n < migrations; n++)
        {
            var table = $"channel_stats_{n - (n % 5)}";
            var statements = Enumerable.Range(0, statementsPerMigration).Select(i => Statement(n, i, table)).ToList();
            var name = n % 5 == 0 ? $"{n:D4}_create_{table}" : $"{n:D4}_change_{table}_{n % 5}";
            File.WriteAllText(Path.Combine(folder, name + ".sql"), string.Join("\n--> statement-breakpoint\n", statements) + "\n");
            single.AppendJoin('\n', statements).Append('\n');
            perFile.Append("BEGIN;\n").AppendJoin('\n', statements).Append("\nCOMMIT;\n");
            readme.Append(CultureInfo.InvariantCulture, $"\n### {name}.sql\n**Status**: new\n**Purpose**: stats\n**Date**: 2025-11-15\n\n**Changes**:\n- stats\n\n")
                .Append(n % 5 == 0
                    ? $"**Rollback Procedure**:\n```sql\nDROP TABLE {table} CASCADE;\n```\n\n**Rollback Risk**: LOW - stats\n"
                    : "**Rollback**: Not recommended - the benchmark never rolls back\n");
        }

        File.WriteAllText(Path.Combine(folder, "README.md"), readme.ToString());
        var singlePath = Path.Combine(root, "single-transaction.sql");
        var perFilePath = Path.Combine(root, "transaction-per-file.sql");
        File.WriteAllText(singlePath, single.ToString());
        File.WriteAllText(perFilePath, perFile.ToString());
        return new MixedCorpus(folder, singlePath, perFilePath);
    }

    // Statement i of migration n. The first statement of every fifth migration creates the table the next four change.
    private static string Statement(int n, int i, string table)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"{n}_{i}");
        if (n % 5 == 0 && i == 0)
        {
            return $"CREATE TABLE {table} (id bigserial PRIMARY KEY, user_id uuid NOT NULL, platform text NOT NULL, viewers integer DEFAULT 0 NOT NULL, recorded_at timestamptz DEFAULT now() NOT NULL);";
        }

        return (((n * 7) + i) % 8) switch
        {
            0 => $"ALTER TABLE {table} ADD COLUMN peak_{id} integer DEFAULT 0 NOT NULL;",
            1 => $"CREATE INDEX idx_{id} ON {table} (user_id, recorded_at);",
            2 => $"""
                CREATE FUNCTION touch_{id}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  NEW.recorded_at := now();
                  RETURN NEW;
                END;
                $$;
                """,
            // A built-in trigger function, so that a trigger needs no function of an earlier statement.
            3 => $"CREATE TRIGGER trg_{id} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();",
            4 => $"CREATE VIEW busy_{id} AS SELECT user_id, max(viewers) AS peak FROM {table} GROUP BY user_id;",
            5 => $"COMMENT ON TABLE {table} IS 'Viewer statistics, changed by migration {n}';",
            6 => $"INSERT INTO {table} (user_id, platform, viewers) VALUES ('00000000-0000-0000-0000-{n:D12}', 'twitch', {n % 500});",
            _ => $"UPDATE {table} SET viewers = viewers + 1 WHERE platform = 'twitch';",
        };
    }
}
