-- The queries the running Stream Bot executes, one statement each. `rehearse` prepares every one of them after each
-- migration (parse and plan, never execute) and fails at the statement that breaks one (SBM7008), besides the ones
-- pg_stat_statements of the configured database has seen. Kept in step with the service by
-- AppQueriesFileTests, which compares this file with what samples/StreamBot.Service runs.

-- BotSettingsStore.LoadAsync: the bot configurations it starts with.
SELECT coalesce(u.display_name, u.email),
       b.command_prefix,
       coalesce(array_agg(p.platform ORDER BY p.platform) FILTER (WHERE p.is_connected), '{}'),
       coalesce(c.currency_name, 'Points')
FROM bot_configs b
JOIN users u ON u.id = b.user_id
LEFT JOIN platform_connections p ON p.user_id = b.user_id
LEFT JOIN currency_settings c ON c.user_id = b.user_id
WHERE b.is_active
GROUP BY u.display_name, u.email, b.command_prefix, c.currency_name
ORDER BY 1;
