using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Tests.Support;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Tests.Unit.Safety;

/// <summary>
/// The lint over migrations in the shapes generators write: drizzle-kit (quoted names, <c>--&gt; statement-breakpoint</c>,
/// foreign keys in <c>DO $$ BEGIN ... EXCEPTION WHEN duplicate_object</c>, <c>SET DATA TYPE</c>) and Rails (<c>ADD</c>
/// without <c>COLUMN</c>). Written for these tests in those shapes (public projects' files are not copied in); every
/// finding, and every statement left without one, was reviewed by hand and approved in
/// Snapshots/generated-sql-corpus.approved.txt, so a rule that starts or stops firing shows up as one reviewed diff.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class GeneratedSqlCorpusTests
{
    private static readonly (string Name, string Sql)[] Corpus =
    [
        ("0000_lush_vampiro", """
            CREATE TYPE "public"."platform" AS ENUM('twitch', 'youtube');--> statement-breakpoint
            CREATE TABLE IF NOT EXISTS "users" (
            	"id" serial PRIMARY KEY NOT NULL,
            	"email" varchar(255) NOT NULL,
            	"name" text,
            	"created_at" timestamp DEFAULT now() NOT NULL,
            	CONSTRAINT "users_email_unique" UNIQUE("email")
            );
            --> statement-breakpoint
            CREATE TABLE IF NOT EXISTS "platform_connections" (
            	"id" serial PRIMARY KEY NOT NULL,
            	"user_id" integer NOT NULL,
            	"platform" "platform" NOT NULL
            );
            --> statement-breakpoint
            DO $$ BEGIN
             ALTER TABLE "platform_connections" ADD CONSTRAINT "platform_connections_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
            EXCEPTION
             WHEN duplicate_object THEN null;
            END $$;

            """),
        ("0001_giveaways", """
            CREATE TABLE IF NOT EXISTS "giveaways" (
            	"id" serial PRIMARY KEY NOT NULL,
            	"user_id" integer NOT NULL,
            	"title" text NOT NULL
            );
            --> statement-breakpoint
            DO $$ BEGIN
             ALTER TABLE "giveaways" ADD CONSTRAINT "giveaways_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;
            EXCEPTION
             WHEN duplicate_object THEN null;
            END $$;
            --> statement-breakpoint
            DO $$ BEGIN
             ALTER TABLE "platform_connections" ADD CONSTRAINT "platform_connections_giveaway_fk" FOREIGN KEY ("id") REFERENCES "public"."giveaways"("id") ON DELETE no action ON UPDATE no action;
            EXCEPTION
             WHEN duplicate_object THEN null;
            END $$;
            --> statement-breakpoint
            CREATE INDEX IF NOT EXISTS "users_name_idx" ON "users" USING btree ("name");

            """),
        ("0002_kick", """
            ALTER TYPE "public"."platform" ADD VALUE 'kick';--> statement-breakpoint
            ALTER TABLE "users" ADD COLUMN "role" text NOT NULL;--> statement-breakpoint
            ALTER TABLE "users" ALTER COLUMN "created_at" SET DATA TYPE timestamp with time zone;--> statement-breakpoint
            SELECT 'kick' AS "new_label";

            """),
        ("0003_rails_style", """
            ALTER TABLE "users" ADD "age" integer NOT NULL;
            ALTER TABLE "users" ADD "country" varchar DEFAULT 'unknown' NOT NULL;
            ALTER TABLE "users" RENAME COLUMN "name" TO "display_name";
            ALTER TABLE "users" ALTER COLUMN "display_name" SET NOT NULL;
            DROP INDEX IF EXISTS "users_name_idx";

            """),
        ("0004_cleanup", """
            UPDATE "platform_connections" SET "platform" = 'kick' WHERE "platform" = 'youtube';
            ALTER TABLE "giveaways" SET UNLOGGED;

            """),
    ];

    [Fact]
    public void The_findings_on_generated_migrations_are_the_reviewed_ones()
    {
        using var folder = MigrationsFolder.Empty().WriteReadme("# Migrations\n");
        foreach (var (name, sql) in Corpus)
        {
            folder.AddMigration(name, sql.ReplaceLineEndings("\n"));
        }

        var report = MigrationsValidator.Validate(folder.Directory, lint: LintOptions.Default);
        Assert.DoesNotContain(report.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        var findings = report.Diagnostics.Where(d => d.Code.StartsWith("SBM60", StringComparison.Ordinal))
            .OrderBy(d => Path.GetFileName(d.File), StringComparer.Ordinal).ThenBy(d => d.Line)
            .Select(d => $"{Path.GetFileName(d.File)}({d.Line},{d.Column}) {d.Code}: {d.Message}");
        Snapshot.Matches(string.Join("\n", findings) + "\n", "generated-sql-corpus");
    }
}
