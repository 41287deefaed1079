-- Average viewers per stream, and a fast path to "the stream that is live right now".
ALTER TABLE "stream_sessions" ADD COLUMN IF NOT EXISTS "average_viewers" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
UPDATE "stream_sessions" s
SET "average_viewers" = v.avg_viewers
FROM (
	SELECT "session_id", round(avg("viewer_count"))::integer AS avg_viewers
	FROM "viewer_snapshots"
	GROUP BY "session_id"
) v
WHERE s."id" = v."session_id";
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_stream_sessions_live" ON "stream_sessions" ("user_id", "platform") WHERE "ended_at" IS NULL;
