using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace StreamBot.Migrations.Testing;

/// <summary>What a page did when headless Chromium loaded it.</summary>
/// <param name="ConsoleErrors">Console errors and warnings, uncaught exceptions, and errors Chromium logged for the page.</param>
/// <param name="Requests">Every request the page made other than for itself.</param>
public sealed record PageLoad(IReadOnlyList<string> ConsoleErrors, IReadOnlyList<string> Requests);

/// <summary>
/// Debian's Chromium, headless, driven over the DevTools protocol on loopback: installed with apt-get when the
/// machine has none (as root; otherwise the test fails saying what to install), started with a fresh profile and
/// without its background networking, stopped by its pid when disposed or when the test process ends.
/// </summary>
public sealed partial class HeadlessChromium : IDisposable
{
    private const string Binary = "/usr/bin/chromium";
    private static readonly Lazy<string> Installed = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly ChildProcess _process;
    private readonly string _profile;
    private readonly ClientWebSocket _page = new();
    private readonly List<JsonObject> _events = [];
    private int _nextId;

    private HeadlessChromium(ChildProcess process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>Starts Chromium (installing it first if needed) with one blank page to drive.</summary>
    public static async Task<HeadlessChromium> StartAsync()
    {
        var binary = Installed.Value;
        var profile = Path.Combine(Path.GetTempPath(), "sbm-chromium-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(profile);
        // The flags that keep Chromium off the network by itself (updates, sync, field trials), and a profile of its own.
        var process = ChildProcess.Start(binary, "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --no-default-browser-check " +
            "--disable-background-networking --disable-component-update --disable-sync --disable-extensions --disable-default-apps " +
            $"--remote-debugging-address=127.0.0.1 --remote-debugging-port=0 --user-data-dir=\"{profile}\" --window-size=1200,900 about:blank");
        var browser = new HeadlessChromium(process, profile);
        browser.StopWhenThisProcessExits();
        try
        {
            var port = await browser.DevToolsPortAsync();
            using var http = new HttpClient();
            using var created = await http.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"http://127.0.0.1:{port}/json/new?about:blank"));
            var target = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
            await browser._page.ConnectAsync(new Uri(target["webSocketDebuggerUrl"]!.GetValue<string>()), CancellationToken.None);
            foreach (var domain in new[] { "Page", "Runtime", "Log", "Network" })
            {
                await browser.SendAsync(domain + ".enable");
            }

            return browser;
        }
        catch
        {
            browser.Dispose();
            throw;
        }
    }

    /// <summary>Loads <paramref name="file"/> and waits for its load event; returns the console errors and the requests it made.</summary>
    public async Task<PageLoad> LoadAsync(string file)
    {
        var url = new Uri(file).AbsoluteUri;
        var from = _events.Count;
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        await WaitForEventAsync("Page.loadEventFired", from, TimeSpan.FromSeconds(60));
        // Anything the page does right after its load (a late script, a lazy image) gets a moment to show.
        await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = "new Promise(r => setTimeout(r, 300))", ["awaitPromise"] = true });
        var events = _events.Skip(from).ToList();
        var errors = events.Where(e => e.GetMethod() is "Runtime.exceptionThrown"
                || (e.GetMethod() == "Runtime.consoleAPICalled" && e["params"]!["type"]!.GetValue<string>() is "error" or "warning" or "assert")
                || (e.GetMethod() == "Log.entryAdded" && e["params"]!["entry"]!["level"]!.GetValue<string>() is "error" or "warning"))
            .Select(e => e.ToJsonString()).ToList();
        var requests = events.Where(e => e.GetMethod() == "Network.requestWillBeSent")
            .Select(e => e["params"]!["request"]!["url"]!.GetValue<string>()).Where(u => u != url).ToList();
        return new PageLoad(errors, requests);
    }

    /// <summary>The JSON value of <paramref name="expression"/> evaluated in the page.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true });
        return result["exceptionDetails"] is { } failed
            ? throw new InvalidOperationException("The page could not evaluate: " + failed.ToJsonString())
            : result["result"]!["value"];
    }

    /// <summary>A PNG of the page's area under the element <paramref name="selector"/> finds, written to <paramref name="path"/>.</summary>
    public async Task ScreenshotAsync(string selector, string path)
    {
        var box = await EvaluateAsync($"(() => {{ const e = document.querySelector({JsonSerializer.Serialize(selector)}); e.scrollIntoView(); const r = e.getBoundingClientRect(); return {{ x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height }}; }})()")
            ?? throw new InvalidOperationException($"No element matches {selector}.");
        var shot = await SendAsync("Page.captureScreenshot", new JsonObject
        {
            ["format"] = "png",
            ["captureBeyondViewport"] = true,
            ["clip"] = new JsonObject { ["x"] = box["x"]!.GetValue<double>(), ["y"] = box["y"]!.GetValue<double>(), ["width"] = box["width"]!.GetValue<double>(), ["height"] = box["height"]!.GetValue<double>(), ["scale"] = 1 },
        });
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(shot["data"]!.GetValue<string>()));
    }

    public void Dispose()
    {
        _page.Dispose();
        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be writing its profile as it exits; a leftover temp folder changes no result.
        }
    }

    private async Task<int> DevToolsPortAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (DevToolsUrl().Match(_process.StandardError) is { Success: true } found)
            {
                return int.Parse(found.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"Chromium did not open its DevTools port: {_process.Output}");
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = ++_nextId;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _page.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var received = await ReceiveAsync(timeout.Token);
            if (received["id"]?.GetValue<int>() == id)
            {
                return received["error"] is { } error
                    ? throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}")
                    : received["result"]!;
            }
        }
    }

    private async Task WaitForEventAsync(string method, int from, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        while (!_events.Skip(from).Any(e => e.GetMethod() == method))
        {
            await ReceiveAsync(timeout.Token);
        }
    }

    // One message; events are kept in arrival order for the checks after a load.
    private async Task<JsonObject> ReceiveAsync(CancellationToken cancellation)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        WebSocketReceiveResult result;
        do
        {
            result = await _page.ReceiveAsync(chunk, cancellation);
            buffer.Write(chunk, 0, result.Count);
        }
        while (!result.EndOfMessage);

        var message = JsonNode.Parse(buffer.ToArray())!.AsObject();
        if (message["method"] is not null)
        {
            _events.Add(message);
        }

        return message;
    }

    private void StopWhenThisProcessExits()
    {
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 0.5; done; kill {_process.Pid} 2>/dev/null; rm -rf \"{_profile}\"";
        using var watcher = Process.Start(new ProcessStartInfo("setsid", ["-f", "sh", "-c", script]) { UseShellExecute = false });
    }

    private static string Install()
    {
        if (File.Exists(Binary))
        {
            return Binary;
        }

        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException($"{Binary} is missing: install Debian's chromium package (apt-get install chromium) and run the tests again.");
        }

        // A fresh machine has no package lists yet; an update is only paid for when the install cannot find the package.
        var install = ChildProcess.Run("apt-get", "install -y -qq --no-install-recommends chromium", Quiet, timeout: TimeSpan.FromMinutes(10));
        if (install.ExitCode != 0)
        {
            var update = ChildProcess.Run("apt-get", "update -qq", Quiet, timeout: TimeSpan.FromMinutes(5));
            install = update.ExitCode == 0 ? ChildProcess.Run("apt-get", "install -y -qq --no-install-recommends chromium", Quiet, timeout: TimeSpan.FromMinutes(10)) : update;
        }

        return install.ExitCode == 0 && File.Exists(Binary)
            ? Binary
            : throw new InvalidOperationException($"Chromium is not installed and 'apt-get install chromium' failed: {install.Output}");
    }

    private static readonly Dictionary<string, string?> Quiet = new() { ["DEBIAN_FRONTEND"] = "noninteractive" };

    [GeneratedRegex(@"DevTools listening on ws://127\.0\.0\.1:(\d+)/")]
    private static partial Regex DevToolsUrl();
}

internal static class DevToolsMessages
{
    public static string? GetMethod(this JsonObject message) => message["method"]?.GetValue<string>();
}
