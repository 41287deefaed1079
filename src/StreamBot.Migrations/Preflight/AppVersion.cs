using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamBot.Migrations.Preflight;

/// <summary>
/// An application's version as it names itself to the server (<c>application_name</c> <c>streambot/1.4.0</c>):
/// dot-separated numbers, then an optional pre-release (<c>-rc.1</c>, older than the release) and build metadata
/// (<c>+sha</c>, ignored), ordered as semantic versions are.
/// </summary>
public sealed partial class AppVersion
{
    /// <summary>How application_name is read by default: <c>app/version</c>.</summary>
    public const string DefaultPattern = "^(?<app>[A-Za-z0-9_.-]+)/(?<version>[0-9][0-9A-Za-z.+-]*)$";

    private readonly int[] _numbers;
    private readonly string[] _preRelease;

    private AppVersion(string text, int[] numbers, string[] preRelease)
    {
        Text = text;
        _numbers = numbers;
        _preRelease = preRelease;
    }

    /// <summary>The version as written.</summary>
    public string Text { get; }

    /// <summary>Reads <c>1.4.0</c>, <c>1.5.0-rc.1</c>, <c>2.0+abc</c>; null when it is not a version.</summary>
    public static AppVersion? Parse(string text)
    {
        if (VersionShape().Match(text) is not { Success: true } match)
        {
            return null;
        }

        var numbers = match.Groups["numbers"].Value.Split('.').Select(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1).ToArray();
        return numbers.Any(n => n < 0) ? null
            : new AppVersion(text, numbers, match.Groups["pre"].Success ? match.Groups["pre"].Value.Split('.') : []);
    }

    /// <summary>
    /// The app and version an application_name names under <paramref name="pattern"/> (groups <c>app</c> and
    /// <c>version</c>), or null when it names no version of an app (psql, pg_dump, a cron job).
    /// </summary>
    public static (string App, AppVersion Version)? FromApplicationName(string applicationName, Regex pattern) =>
        pattern.Match(applicationName) is { Success: true } m && m.Groups["app"].Success && Parse(m.Groups["version"].Value) is { } version
            ? (m.Groups["app"].Value, version)
            : null;

    /// <summary>Whether this version comes before <paramref name="other"/> (1.4.9 before 1.5.0, 1.5.0-rc.1 before 1.5.0).</summary>
    public bool IsOlderThan(AppVersion other) => CompareTo(other) < 0;

    private int CompareTo(AppVersion other)
    {
        for (var i = 0; i < Math.Max(_numbers.Length, other._numbers.Length); i++)
        {
            var order = _numbers.ElementAtOrDefault(i).CompareTo(other._numbers.ElementAtOrDefault(i));
            if (order != 0)
            {
                return order;
            }
        }

        if (_preRelease.Length == 0 || other._preRelease.Length == 0)
        {
            return other._preRelease.Length.CompareTo(_preRelease.Length);
        }

        for (var i = 0; i < Math.Min(_preRelease.Length, other._preRelease.Length); i++)
        {
            var (a, b) = (_preRelease[i], other._preRelease[i]);
            var order = int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var x) && int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var y)
                ? x.CompareTo(y)
                : string.CompareOrdinal(a, b);
            if (order != 0)
            {
                return order;
            }
        }

        return _preRelease.Length.CompareTo(other._preRelease.Length);
    }

    /// <summary>The version as written.</summary>
    public override string ToString() => Text;

    [GeneratedRegex(@"^(?<numbers>[0-9]+(\.[0-9]+){0,3})(-(?<pre>[0-9A-Za-z.-]+))?(\+[0-9A-Za-z.-]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionShape();
}

/// <summary>A contract step's condition: no session of <paramref name="App"/> older than <paramref name="Version"/>.</summary>
/// <param name="App">The app, as application_name names it.</param>
/// <param name="Version">The first version that no longer needs what the step removes.</param>
public sealed record ContractCondition(string App, AppVersion Version)
{
    /// <summary>Reads <c>streambot/1.5.0</c>; null when it is not <c>app/version</c>.</summary>
    public static ContractCondition? Parse(string text)
    {
        var slash = text.LastIndexOf('/');
        return slash > 0 && AppVersion.Parse(text[(slash + 1)..]) is { } version ? new ContractCondition(text[..slash], version) : null;
    }

    /// <summary><c>app/version</c>, as the directive writes it.</summary>
    public override string ToString() => $"{App}/{Version}";
}
