using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StreamBot.Migrations.Tests.Support;

/// <summary>How the loopback receiver treats a post.</summary>
public enum ReceiverMode
{
    /// <summary>Reads it and answers 204.</summary>
    Answers,

    /// <summary>Accepts the connection and never answers.</summary>
    Hangs,
}

/// <summary>
/// A webhook (or OTLP/HTTP) receiver on loopback: a bare HTTP/1.1 server on a TcpListener, so a test controls exactly
/// whether and when it answers. Records each request's path and body in arrival order.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(string Path, byte[] Body)> _requests = [];
    private readonly List<TcpClient> _held = [];

    public WebhookReceiver(ReceiverMode mode = ReceiverMode.Answers)
    {
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hooks/streambot?token=not-to-be-printed";
        _ = Task.Run(() => AcceptAsync(mode));
    }

    public string Url { get; }

    /// <summary>The URL without its path: an OTLP exporter's base endpoint.</summary>
    public string BaseUrl => new Uri(Url).GetLeftPart(UriPartial.Authority);

    /// <summary>Each request body as UTF-8 text.</summary>
    public IReadOnlyList<string> Bodies => Requests.Select(r => Encoding.UTF8.GetString(r.Body)).ToList();

    /// <summary>Each request's path and raw body.</summary>
    public IReadOnlyList<(string Path, byte[] Body)> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    /// <summary>A URL on loopback where nothing listens: connections are refused.</summary>
    public static string Refusing()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return $"http://127.0.0.1:{port}/hooks/streambot";
    }

    private async Task AcceptAsync(ReceiverMode mode)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (mode == ReceiverMode.Hangs)
            {
                lock (_held)
                {
                    _held.Add(client);
                }

                continue;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    // One connection may carry several requests (HttpClient keeps it alive).
    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        // Latin-1 maps each byte to one char, so Content-Length (in bytes) counts chars; the body is decoded as UTF-8 after.
        var reader = new StreamReader(stream, Encoding.Latin1, false, 1, leaveOpen: true);
        try
        {
            while (await reader.ReadLineAsync() is { Length: > 0 } requestLine)
            {
                var length = 0;
                string? header;
                while ((header = await reader.ReadLineAsync()) is { Length: > 0 })
                {
                    if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    {
                        length = int.Parse(header["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    }
                }

                var body = new char[length];
                var read = 0;
                while (read < length)
                {
                    read += await reader.ReadAsync(body.AsMemory(read, length - read));
                }

                lock (_requests)
                {
                    _requests.Add((requestLine.Split(' ')[1], Encoding.Latin1.GetBytes(body)));
                }

                await stream.WriteAsync("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
            }
        }
        catch (IOException)
        {
            // The client closed the connection.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held)
        {
            _held.ForEach(c => c.Dispose());
        }

        _stop.Dispose();
    }
}
