using Npgsql;

namespace StreamBot.Service;

/// <summary>Reads active bot configurations with their connected platforms and currency name.</summary>
public static class BotSettingsStore
{
    public static async Task<List<BotSettings>> LoadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(AppIdentity.WithIdentity(connectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(Query, connection);
        var result = new List<BotSettings>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add(new BotSettings(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2), reader.GetString(3)));
        }

        return result;
    }

    /// <summary>The bot's query, as migrations/app/queries.sql records it for the rehearsal's compatibility check.</summary>
    public const string Query = """
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
            ORDER BY 1
            """;
}
