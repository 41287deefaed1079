namespace StreamBot.Service;

/// <summary>What the bot needs to know about one streamer at start-up.</summary>
public sealed record BotSettings(string DisplayName, string CommandPrefix, IReadOnlyList<string> Platforms, string CurrencyName);
