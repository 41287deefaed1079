-- One platform account may be linked to one StreamBot user only. Without this, a second user could link
-- someone else's Twitch/YouTube/Kick account and receive its OAuth callbacks (account hijacking).
-- Duplicates must be resolved before applying: the index build fails if any exist.
CREATE UNIQUE INDEX IF NOT EXISTS "platform_connections_platform_platform_user_id_unique"
	ON "platform_connections" USING btree ("platform", "platform_user_id");
