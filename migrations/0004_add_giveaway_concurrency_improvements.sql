-- Giveaway entries raced on "max entries" checks, and concurrent redemptions could drive balances negative.

-- 1. Atomic entry counting: the count lives on the giveaway row and is updated under its row lock.
ALTER TABLE "giveaways" ADD COLUMN IF NOT EXISTS "entry_count" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
UPDATE "giveaways" g
SET "entry_count" = e.entries
FROM (
	SELECT "giveaway_id", count(*)::integer AS entries
	FROM "giveaway_entries"
	GROUP BY "giveaway_id"
) e
WHERE g."id" = e."giveaway_id";
--> statement-breakpoint

-- 2. Every entry attempt, for auditing and rate limiting.
CREATE TABLE IF NOT EXISTS "giveaway_entry_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"username" text NOT NULL,
	"platform" text NOT NULL,
	"giveaway_id" uuid NOT NULL REFERENCES "giveaways"("id") ON DELETE CASCADE,
	"succeeded" boolean DEFAULT false NOT NULL,
	"attempted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint

-- 3. Balances can never go below zero, whatever the application does.
ALTER TABLE "user_balances" ADD CONSTRAINT "user_balances_balance_check" CHECK ("balance" >= 0);
--> statement-breakpoint
ALTER TABLE "user_balances" ADD CONSTRAINT "user_balances_total_earned_check" CHECK ("total_earned" >= 0);
--> statement-breakpoint
ALTER TABLE "user_balances" ADD CONSTRAINT "user_balances_total_spent_check" CHECK ("total_spent" >= 0);
--> statement-breakpoint

-- 4. Rate-limit lookups (one user's recent attempts) and time-window clean-ups.
CREATE INDEX IF NOT EXISTS "idx_giveaway_entry_attempts_user_time" ON "giveaway_entry_attempts" ("username", "platform", "attempted_at");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_giveaway_entry_attempts_time" ON "giveaway_entry_attempts" ("attempted_at");
