using Npgsql;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// The lock classifier (what the lint warns about, and where the runner looks for blockers) against what PostgreSQL
/// really takes: each statement runs in a transaction on the test server, and pg_locks is read before it rolls back.
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class LockClassifierAgainstServerTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private const string Schema = """
        CREATE TABLE users (id int PRIMARY KEY, email varchar(50), name text);
        CREATE TABLE orders (id int PRIMARY KEY, user_id int);
        ALTER TABLE users ADD CONSTRAINT users_id_positive CHECK (id > 0) NOT VALID;
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        """;

    public static TheoryData<string> Statements() =>
    [
        "CREATE INDEX i ON users (email)",
        "CREATE UNIQUE INDEX IF NOT EXISTS i ON public.users USING btree (email)",
        "ALTER TABLE users ADD COLUMN note text",
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS score integer DEFAULT 0 NOT NULL",
        "ALTER TABLE users ADD CONSTRAINT c CHECK (id < 1000000)",
        "ALTER TABLE users ADD CONSTRAINT c CHECK (id < 1000000) NOT VALID",
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id)",
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
        "ALTER TABLE users VALIDATE CONSTRAINT users_id_positive",
        "ALTER TABLE users ALTER COLUMN email TYPE varchar(100)",
        "ALTER TABLE users ALTER COLUMN name SET NOT NULL",
        "ALTER TABLE users ALTER COLUMN name SET STATISTICS 200",
        "ALTER TABLE users SET (fillfactor = 70)",
        "ALTER TABLE users RENAME COLUMN name TO full_name",
        "ALTER TABLE users ADD CONSTRAINT u UNIQUE (email)",
        "CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()",
        "CREATE TABLE attempts (id int, user_id int REFERENCES users (id))",
        "UPDATE users SET name = 'x' WHERE id = 1",
        "DELETE FROM orders WHERE id = 1",
        "TRUNCATE orders",
        "DROP TABLE orders",
        "REINDEX TABLE users",
        "CLUSTER users USING users_pkey",
    ];

    [Theory]
    [MemberData(nameof(Statements))]
    public void The_classifier_predicts_the_mode_the_server_takes_on_each_existing_table(string sql)
    {
        var url = postgres.CreateDatabase();
        var settings = ConnectionSettings.Parse(url, "test", out _)!;
        using (var probe = new SqlProbe(url))
        {
            probe.Execute(Schema);
        }

        using var connection = new NpgsqlConnection(settings.ToNpgsql("test"));
        connection.Open();
        using var transaction = connection.BeginTransaction();
        // By oid, read before the statement: a table the statement drops has no pg_class row left to join.
        var names = new Dictionary<uint, string>();
        using (var tables = new NpgsqlCommand("SELECT oid, relname FROM pg_class WHERE relname IN ('users', 'orders')", connection, transaction))
        using (var reader = tables.ExecuteReader())
        {
            while (reader.Read())
            {
                names[reader.GetFieldValue<uint>(0)] = reader.GetString(1);
            }
        }

        using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            command.ExecuteNonQuery();
        }

        var taken = new Dictionary<string, LockMode>(StringComparer.Ordinal);
        using (var locks = new NpgsqlCommand("""
            SELECT l.relation, l.mode FROM pg_locks l
            WHERE l.pid = pg_backend_pid() AND l.granted AND l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, connection, transaction))
        using (var reader = locks.ExecuteReader())
        {
            while (reader.Read())
            {
                if (names.TryGetValue(reader.GetFieldValue<uint>(0), out var table))
                {
                    var mode = Enum.Parse<LockMode>(reader.GetString(1)[..^"Lock".Length]);
                    taken[table] = taken.TryGetValue(table, out var other) && other > mode ? other : mode;
                }
            }
        }

        transaction.Rollback();
        var predicted = Assert.Single(LockClassifier.Of(SqlSplitter.Split(sql + ";\n"))).ToDictionary(l => l.Table, l => l.Mode);
        Assert.Equal(Describe(taken), Describe(predicted));
    }

    private static string Describe(Dictionary<string, LockMode> locks) =>
        string.Join(", ", locks.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key} {l.Value.Describe()}"));
}
