using StreamBot.Service;

// The Stream Bot service, reduced to its start-up: read the per-streamer bot settings from the tables the
// migrations create, and report what it would run. Needs DATABASE_URL (postgres://user:password@host:port/db).
var url = Environment.GetEnvironmentVariable("DATABASE_URL");
if (string.IsNullOrWhiteSpace(url))
{
    Console.Error.WriteLine("stream-bot: set DATABASE_URL to the Stream Bot database (postgres://user:password@host:5432/streambot).");
    return 2;
}

try
{
    var settings = await BotSettingsStore.LoadAsync(DatabaseUrl.ToConnectionString(url));
    Console.WriteLine($"stream-bot: {settings.Count} active bot configuration(s).");
    foreach (var bot in settings)
    {
        Console.WriteLine($"  {bot.DisplayName}: prefix '{bot.CommandPrefix}', platforms {string.Join(", ", bot.Platforms)}, currency {bot.CurrencyName}");
    }

    return 0;
}
catch (Npgsql.PostgresException e) when (e.SqlState == "42P01")
{
    Console.Error.WriteLine($"stream-bot: the schema is missing ({e.MessageText}); run: dotnet build -t:ApplyMigrations");
    return 1;
}
