using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace StreamBot.Migrations.Tests.Support;

/// <summary>
/// Output checked against an approved file: <c>Snapshots/NAME.approved.txt</c> beside the test's source. A change of
/// wording is then one reviewed diff of that file, not a score of edited string assertions. On a mismatch (or a
/// missing file) the output is written to <c>NAME.received.txt</c> beside it and the test fails; approve it by
/// renaming the file, or by running the tests once with <c>STREAMBOT_APPROVE_SNAPSHOTS=1</c> and reviewing the diff.
/// </summary>
public static partial class Snapshot
{
    private const string ApproveVariable = "STREAMBOT_APPROVE_SNAPSHOTS";

    public static void Matches(string actual, string name, [CallerFilePath] string testSource = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(testSource)!, "Snapshots");
        var approved = Path.Combine(folder, name + ".approved.txt");
        var received = Path.Combine(folder, name + ".received.txt");
        var text = actual.ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
        if (Environment.GetEnvironmentVariable(ApproveVariable) == "1")
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(approved, text);
            File.Delete(received);
            return;
        }

        var expected = File.Exists(approved) ? File.ReadAllText(approved).ReplaceLineEndings("\n") : null;
        if (expected == text)
        {
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(received, text);
        Assert.Fail(expected is null
            ? $"No approved snapshot {approved}. Review {received} and rename it to approve it ({ApproveVariable}=1 approves every snapshot)."
            : $"{name} differs from {approved}; what was produced is in {received}.\n{FirstDifference(expected, text)}");
    }

    /// <summary>
    /// Replaces what changes from run to run (durations, times, ports, generated database and folder names) with
    /// stable markers, and each of <paramref name="known"/> with its name.
    /// </summary>
    public static string Scrub(string text, params (string Value, string Marker)[] known)
    {
        foreach (var (value, marker) in known.Where(k => k.Value.Length > 0).OrderByDescending(k => k.Value.Length))
        {
            text = text.Replace(value, marker, StringComparison.Ordinal);
        }

        text = Timestamp().Replace(text, "<time>");
        text = Duration().Replace(text, "<n> ms");
        text = Port().Replace(text, "127.0.0.1:<port>");
        return DatabaseName().Replace(text, "<database>");
    }

    private static string FirstDifference(string expected, string actual)
    {
        var (e, a) = (expected.Split('\n'), actual.Split('\n'));
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var (left, right) = (i < e.Length ? e[i] : "<end>", i < a.Length ? a[i] : "<end>");
            if (left != right)
            {
                return $"line {i + 1}:\n  approved: {left}\n  received: {right}";
            }
        }

        return string.Empty;
    }

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:\d{2})?| UTC)?")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"\b\d+(\.\d+)? ms\b")]
    private static partial Regex Duration();

    [GeneratedRegex(@"127\.0\.0\.1:\d+")]
    private static partial Regex Port();

    [GeneratedRegex(@"\b(sbm|bench|sbm_rehearsal)_[0-9a-f]{8,}\b")]
    private static partial Regex DatabaseName();
}
