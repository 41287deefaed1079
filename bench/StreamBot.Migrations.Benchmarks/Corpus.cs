using System.Text;

namespace StreamBot.Migrations.Benchmarks;

/// <summary>Realistic migration SQL, generated deterministically: drizzle-style DDL, DML with strings, plpgsql bodies.</summary>
internal static class Corpus
{
    private static readonly string[] Templates =
    [
        """
        CREATE TABLE IF NOT EXISTS "stream_events_{0}" (
        	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
        	"user_id" uuid NOT NULL,
        	"platform" text NOT NULL,
        	"payload" jsonb DEFAULT '{{}}' NOT NULL,
        	"created_at" timestamp with time zone DEFAULT now() NOT NULL
        );
        --> statement-breakpoint
        """,
        """
        ALTER TABLE "stream_events_{0}" ADD CONSTRAINT "stream_events_{0}_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE cascade;
        --> statement-breakpoint
        """,
        """
        CREATE INDEX IF NOT EXISTS "idx_stream_events_{0}_user_time" ON "stream_events_{0}" ("user_id", "created_at");
        --> statement-breakpoint
        """,
        """
        -- Seed the welcome text for channel {0}; quotes are doubled as usual.
        INSERT INTO custom_commands (user_id, name, response) VALUES ('00000000-0000-0000-0000-{0:D12}', '!welcome', 'Welcome to the stream, it''s great to see you; grab a seat!');
        """,
        """
        CREATE OR REPLACE FUNCTION bump_entry_count_{0}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
        	UPDATE giveaways SET entry_count = entry_count + 1 WHERE id = NEW.giveaway_id; -- keep the counter atomic
        	RETURN NEW;
        END;
        $$;
        """,
        """
        UPDATE user_balances SET balance = balance + 5, total_earned = total_earned + 5 /* watch-time reward */ WHERE bot_user_id = '00000000-0000-0000-0000-{0:D12}' AND platform IN ('twitch', 'kick');
        """,
    ];

    public static byte[] Generate(int targetBytes)
    {
        var builder = new StringBuilder(targetBytes + 4096);
        var i = 0;
        while (builder.Length < targetBytes)
        {
            builder.AppendFormat(System.Globalization.CultureInfo.InvariantCulture, Templates[i % Templates.Length], i).Append('\n');
            i++;
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>A folder of <paramref name="count"/> small migrations with a complete README.</summary>
    public static string GenerateFolder(int count)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"sbm-bench-{count}-{Environment.ProcessId}");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, true);
        }

        Directory.CreateDirectory(directory);
        var readme = new StringBuilder("# Migrations\n\n## Migration Files\n");
        for (var n = 0; n < count; n++)
        {
            var name = $"{n:D4}_add_stream_events_{n}";
            File.WriteAllText(Path.Combine(directory, name + ".sql"), string.Format(System.Globalization.CultureInfo.InvariantCulture, Templates[0] + Templates[2], n));
            readme.Append("\n### ").Append(name).Append(".sql\n**Status**: ✅ Production-Ready  \n**Purpose**: Stream events ").Append(n)
                .Append("  \n**Date**: 2025-11-15\n\n**Changes**:\n- Adds `stream_events_").Append(n).Append("`\n\n**Rollback Procedure**:\n```sql\nDROP TABLE IF EXISTS stream_events_")
                .Append(n).Append(";\n\nSELECT table_name FROM information_schema.tables WHERE table_name = 'stream_events_").Append(n)
                .Append("';\n-- Should return 0 rows\n```\n\n**Rollback Risk**: LOW - nothing is lost\n\n---\n");
        }

        File.WriteAllText(Path.Combine(directory, "README.md"), readme.ToString());
        return directory;
    }
}
