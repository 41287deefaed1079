using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Tests.Unit.Sql;

/// <summary>The objects a migration creates, read from its tokens (what a verified baseline looks for).</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class CreatedObjectsTests
{
    private static List<string> Objects(string sql) => CreatedObjects.Of(SqlSplitter.Split(sql)).Select(o => $"{o} @{o.Line}").ToList();

    [Fact]
    public void Each_kind_of_creation_is_found_at_its_statement()
    {
        var found = Objects("""
            CREATE TABLE IF NOT EXISTS "users" (id int, CONSTRAINT users_pk PRIMARY KEY (id));
            ALTER TABLE ONLY public.users ADD COLUMN IF NOT EXISTS email text, ADD CONSTRAINT users_email_uniq UNIQUE (email);
            CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Users_Email" ON users (lower(email));
            CREATE SEQUENCE stream.ticket_seq;
            CREATE OR REPLACE VIEW active_users AS SELECT * FROM users;
            CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN CREATE TABLE nope (); RETURN NEW; END $$;
            CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON "users" FOR EACH ROW EXECUTE FUNCTION set_updated_at();
            CREATE TYPE platform AS ENUM ('twitch', 'youtube', 'kick');
            CREATE INDEX ON users (id);
            """);

        Assert.Equal(
        [
            "table users @1", "constraint users_pk on users @1", "column users.email @2", "constraint users_email_uniq on users @2",
            "index Users_Email @3", "sequence ticket_seq @4", "view active_users @5", "function set_updated_at @6",
            "trigger users_set_updated_at on users @7", "type platform @8",
        ], found);
    }

    [Fact]
    public void What_a_later_statement_drops_is_not_expected()
    {
        var found = Objects("""
            CREATE TABLE a (id int);
            CREATE TABLE b (id int);
            ALTER TABLE b ADD COLUMN note text;
            CREATE INDEX b_id ON b (id);
            ALTER TABLE b DROP COLUMN IF EXISTS note;
            DROP INDEX CONCURRENTLY IF EXISTS b_id;
            DROP TABLE IF EXISTS a;
            """);

        Assert.Equal(["table b @2"], found);
    }

    [Fact]
    public void The_stream_bot_migrations_create_what_their_readme_describes()
    {
        var objects = new List<SchemaObject>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "migrations"), "*.sql").Order(StringComparer.Ordinal))
        {
            CreatedObjects.Apply(objects, SqlSplitter.Split(File.ReadAllBytes(file)));
        }

        Assert.Contains(objects, o => o.ToString() == "table users");
        Assert.Contains(objects, o => o.ToString() == "index platform_connections_platform_platform_user_id_unique" || o.Kind == SchemaObjectKind.Index && o.Name.StartsWith("platform_connections_platform", StringComparison.Ordinal));
        Assert.Contains(objects, o => o.ToString() == "trigger users_set_updated_at on users");
        Assert.Contains(objects, o => o.ToString() == "constraint platform_connections_user_id_users_id_fk on platform_connections");
        Assert.True(objects.Count > 60, $"{objects.Count} objects");
    }
}
