-- Keep updated_at honest: the application forgot to set it on several code paths.
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON "users"
	FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint
CREATE TRIGGER platform_connections_set_updated_at BEFORE UPDATE ON "platform_connections"
	FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint
CREATE TRIGGER bot_configs_set_updated_at BEFORE UPDATE ON "bot_configs"
	FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint
CREATE TRIGGER custom_commands_set_updated_at BEFORE UPDATE ON "custom_commands"
	FOR EACH ROW EXECUTE FUNCTION set_updated_at();
