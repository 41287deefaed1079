using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Postgres.Notifications;

/// <summary>The payload a webhook receives.</summary>
public enum WebhookFormat
{
    /// <summary>Chosen from the URL: Discord's and Slack's webhook hosts get theirs, anything else the generic JSON.</summary>
    Auto,

    /// <summary>This tool's own JSON: an event name and its fields.</summary>
    Generic,

    /// <summary>Discord's execute-webhook body: <c>{"username": ..., "content": ...}</c>.</summary>
    Discord,

    /// <summary>Slack's incoming-webhook body: <c>{"text": ...}</c>.</summary>
    Slack,
}

/// <summary>Where run events are posted, and how long a post may take.</summary>
/// <param name="Url">The webhook URL (from STREAMBOT_MIGRATIONS_WEBHOOK_URL or MigrationsWebhookUrl); null: none.</param>
/// <param name="Format">The payload.</param>
/// <param name="Timeout">The longest one post may take, and the longest the run waits at its end for posts still queued.</param>
public sealed record WebhookOptions(string? Url, WebhookFormat Format = WebhookFormat.Auto, TimeSpan? Timeout = null)
{
    /// <summary>The variable the URL is read from, so it stays out of command lines and build logs.</summary>
    public const string UrlVariable = "STREAMBOT_MIGRATIONS_WEBHOOK_URL";

    /// <summary>No webhook.</summary>
    public static WebhookOptions None { get; } = new((string?)null);

    /// <summary>3 s: a webhook that is down costs a run at most this, once.</summary>
    public TimeSpan PostTimeout => Timeout ?? TimeSpan.FromSeconds(3);
}

/// <summary>One thing that happened in a run, as posted.</summary>
/// <param name="Name">run.started, migration.applied, migration.rolled_back, run.completed, run.failed.</param>
/// <param name="Summary">One line for people (Discord, Slack).</param>
/// <param name="Fields">The generic payload's fields besides event, tool, command, database and at: names, counts, durations, codes; never row data or a secret.</param>
internal sealed record WebhookEvent(string Name, string Summary, IReadOnlyList<(string Key, object? Value)> Fields);

/// <summary>
/// Tells the team what a run does: posts each event to the webhook in order, from a queue of its own, so a slow or
/// dead receiver never holds up a migration. A post that fails or takes longer than the timeout is one warning
/// (SBM4044), and the events after it are dropped and counted; at its end the run waits for the queue at most one
/// timeout more. The URL is never printed (it is a credential of the channel); the database is named by host and name.
/// </summary>
internal sealed class Webhook : IAsyncDisposable
{
    private readonly Uri _url;
    private readonly WebhookFormat _format;
    private readonly TimeSpan _timeout;
    private readonly string _command;
    private readonly (string Host, string Name) _database;
    private readonly IRunLog _log;
    private readonly Channel<WebhookEvent> _queue = Channel.CreateUnbounded<WebhookEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HttpClient _http;
    private readonly Task _sending;
    private int _dropped;
    private volatile bool _abandoned;

    private Webhook(Uri url, WebhookFormat format, TimeSpan timeout, string command, ConnectionSettings database, IRunLog log)
    {
        _url = url;
        _format = format == WebhookFormat.Auto ? FormatOf(url) : format;
        _timeout = timeout;
        _command = command;
        _database = ($"{database.Host}:{database.Port}", database.Database);
        _log = log;
        _http = new HttpClient { Timeout = timeout };
        _sending = Task.Run(SendAllAsync);
    }

    /// <summary>The webhook of <paramref name="options"/>, or null when none is configured (the URL is checked where it is read).</summary>
    public static Webhook? For(WebhookOptions options, string command, ConnectionSettings database, IRunLog log) =>
        options.Url is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? new Webhook(uri, options.Format, options.PostTimeout, command, database, log)
            : null;

    /// <summary>Queues an event; never waits.</summary>
    public void Post(WebhookEvent e) => _queue.Writer.TryWrite(e);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        // The run's end waits for what is queued, one timeout at most: every post is bounded by it, and after a
        // failure the rest are dropped at once (the margin is for the sender to report).
        if (await Task.WhenAny(_sending, Task.Delay(_timeout + TimeSpan.FromMilliseconds(250))).ConfigureAwait(false) != _sending)
        {
            _abandoned = true;
            _log.Report(NotificationDiagnostics.WebhookSlow(_timeout, _queue.Reader.Count + 1));
        }

        _http.Dispose();
    }

    private async Task SendAllAsync()
    {
        var failed = false;
        await foreach (var e in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (failed)
            {
                _dropped++;
                continue;
            }

            try
            {
                using var content = new ByteArrayContent(Body(e));
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var response = await _http.PostAsync(_url, content).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    failed = true;
                    _log.Report(NotificationDiagnostics.WebhookFailed(e.Name, $"it answered HTTP {(int)response.StatusCode}"));
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or ObjectDisposedException)
            {
                failed = true;
                if (_abandoned)
                {
                    return;
                }

                _log.Report(NotificationDiagnostics.WebhookFailed(e.Name, ex is TaskCanceledException
                    ? $"it did not answer within {DeployDiagnostics.Duration(_timeout)}"
                    : "it could not be reached (" + Reason(ex) + ")"));
            }
        }

        if (_dropped > 0)
        {
            _log.Info($"{_dropped} later webhook message(s) were not sent, the webhook having failed.");
        }
    }

    // The transport's reason without the URL (it holds the channel's token).
    private string Reason(Exception e) => (e.GetBaseException().Message ?? e.GetType().Name).Replace(_url.ToString(), "the webhook", StringComparison.Ordinal)
        .Replace(_url.Host, "the webhook's host", StringComparison.Ordinal).TrimEnd('.');

    private static WebhookFormat FormatOf(Uri url) =>
        url.Host is "discord.com" or "discordapp.com" or "ptb.discord.com" or "canary.discord.com" && url.AbsolutePath.StartsWith("/api/webhooks/", StringComparison.Ordinal) ? WebhookFormat.Discord
        : url.Host == "hooks.slack.com" ? WebhookFormat.Slack
        : WebhookFormat.Generic;

    private byte[] Body(WebhookEvent e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            switch (_format)
            {
                case WebhookFormat.Discord:
                    json.WriteString("username", "streambot-migrate");
                    json.WriteString("content", $"{Icon(e.Name)} **{_command}** on `{_database.Host}/{_database.Name}`: {e.Summary}");
                    // Discord would otherwise turn names in a message into mentions.
                    json.WriteStartObject("allowed_mentions");
                    json.WriteStartArray("parse");
                    json.WriteEndArray();
                    json.WriteEndObject();
                    break;
                case WebhookFormat.Slack:
                    json.WriteString("text", $"{Icon(e.Name)} *{_command}* on `{_database.Host}/{_database.Name}`: {e.Summary}");
                    break;
                default:
                    json.WriteString("event", e.Name);
                    json.WriteString("tool", "streambot-migrate");
                    json.WriteString("command", _command);
                    json.WriteStartObject("database");
                    json.WriteString("host", _database.Host);
                    json.WriteString("name", _database.Name);
                    json.WriteEndObject();
                    json.WriteString("at", DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture));
                    json.WriteString("summary", e.Summary);
                    foreach (var (key, value) in e.Fields)
                    {
                        json.WritePropertyName(key);
                        WriteValue(json, value);
                    }

                    break;
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case string text: json.WriteStringValue(text); break;
            case bool flag: json.WriteBooleanValue(flag); break;
            case int number: json.WriteNumberValue(number); break;
            case long number: json.WriteNumberValue(number); break;
            case double number: json.WriteNumberValue(Math.Round(number, 1)); break;
            case IEnumerable<(string Key, object? Value)> record:
                json.WriteStartObject();
                foreach (var (key, item) in record)
                {
                    json.WritePropertyName(key);
                    WriteValue(json, item);
                }

                json.WriteEndObject();
                break;
            case System.Collections.IEnumerable items:
                json.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(json, item);
                }

                json.WriteEndArray();
                break;
            default: json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    private static string Icon(string name) => name switch
    {
        "run.failed" => "❌",
        "run.completed" => "✅",
        "migration.rolled_back" => "↩️",
        _ => "▶️",
    };

    /// <summary>A short line naming migrations: the first few, then how many more.</summary>
    public static string Names(IReadOnlyList<string> names) =>
        names.Count == 0 ? "none" : names.Count <= 5 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(5))} and {names.Count - 5} more";

    /// <summary>Builds an object value for <see cref="WebhookEvent.Fields"/>.</summary>
    public static IEnumerable<(string Key, object? Value)> Record(params (string Key, object? Value)[] fields) => fields;
}
