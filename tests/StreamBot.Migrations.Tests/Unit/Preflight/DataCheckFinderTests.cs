using StreamBot.Migrations.Preflight;
using StreamBot.Migrations.Tests.Support;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Tests.Unit.Preflight;

/// <summary>
/// Which statements production's rows can refuse, and the read-only SQL that counts those rows: the migration's own
/// names and expressions, so the server resolves them as the migration will. The server runs these queries in
/// Database/DataPreflightTests; here the reading of the SQL is pinned, server-free.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class DataCheckFinderTests
{
    private const string Statements = """
        CREATE UNIQUE INDEX IF NOT EXISTS "pc_unique" ON "platform_connections" USING btree ("platform", "platform_user_id");
        CREATE UNIQUE INDEX CONCURRENTLY users_email_lower ON archive.users (lower(email) text_pattern_ops DESC NULLS LAST, (tenant_id + 0) COLLATE "C") INCLUDE (name) WHERE deleted_at IS NULL;
        CREATE UNIQUE INDEX ON t (a, b) NULLS NOT DISTINCT;
        CREATE INDEX plain ON t (a);
        ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE NULLS NOT DISTINCT (email), ADD PRIMARY KEY (id);
        ALTER TABLE users ADD CONSTRAINT u2 UNIQUE USING INDEX users_email_lower;
        ALTER TABLE ONLY users ALTER COLUMN email SET NOT NULL, ALTER name TYPE varchar(20), ALTER COLUMN score SET DATA TYPE integer USING round(score)::int;
        ALTER TABLE IF EXISTS notes ADD CHECK (score >= 0 AND body <> ''), ADD CONSTRAINT later CHECK (x > 0) NOT VALID;
        ALTER TABLE notes ADD CONSTRAINT fk FOREIGN KEY (a, b) REFERENCES parents (x, y) MATCH FULL, ADD FOREIGN KEY (user_id) REFERENCES public.users;
        ALTER TABLE notes ADD COLUMN IF NOT EXISTS rank int NOT NULL, ADD COLUMN tier text NOT NULL DEFAULT 'free', ADD COLUMN n serial PRIMARY KEY, ADD COLUMN note text;
        ALTER TABLE notes VALIDATE CONSTRAINT notes_score_check;
        UPDATE notes SET score = 0 WHERE score < 0;
        ALTER TABLE notes ADD CONSTRAINT after_update CHECK (score >= 0);
        """;

    [Fact]
    public void Each_constraint_becomes_a_count_of_the_rows_it_would_reject()
    {
        using var folder = MigrationsFolder.Empty().WriteReadme("# Migrations\n").AddMigration("0000_constraints", Statements + "\n", notRecommended: true);
        var migration = MigrationsValidator.Validate(folder.Directory, keepScripts: true).Validated.Single();
        var lines = PreflightPlan.For([migration]).Select(p =>
            $"{p.Check.Line},{p.Check.Column} {p.Check.Kind} {p.Check.What} on {p.Check.Table} reads [{string.Join(", ", p.Check.Reads)}]\n"
            + (p.LeftToRehearsal is { } left ? $"  left to the rehearsal: {left}\n" : string.Empty)
            + (p.Check.Lookup is { } lookup ? $"  looks up: constraint {lookup.Constraint ?? "-"}, referenced {lookup.ReferencedTable ?? "-"}, match full {lookup.MatchFull}\n" : string.Empty)
            + (p.Check.NoOpSql is { } noOp ? $"  no-op when: {noOp}\n" : string.Empty)
            + (p.Check.CountSql.Length > 0 ? $"  count: {p.Check.CountSql}\n  list: {p.Check.ListSql}\n" : string.Empty));
        Snapshot.Matches(string.Concat(lines), "DataCheckFinder.checks");
    }
}
