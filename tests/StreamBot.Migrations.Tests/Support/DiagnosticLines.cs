using System.Text.RegularExpressions;

namespace StreamBot.Migrations.Tests.Support;

/// <summary>What every coded line the CLI prints must look like, whatever went wrong.</summary>
public static partial class DiagnosticLines
{
    [GeneratedRegex(@"^.*: (error|warning) SBM\d{4}: .*$", RegexOptions.Multiline)]
    private static partial Regex Coded();

    // Two dots, not an ellipsis: a sentence joined to another that already ended.
    [GeneratedRegex(@"[^\s./]\.\.(\s|$)")]
    private static partial Regex DoubleStop();

    // Driver texts that say where the driver was rather than why: they must be replaced by a reason.
    private static readonly string[] RawExceptionTexts =
    [
        "Exception while", "RemoteCertificateValidationCallback", "See the inner exception", "Exception of type", "Object reference not set",
    ];

    public static void AssertWellFormed(string output)
    {
        foreach (Match line in Coded().Matches(output))
        {
            var text = line.Value.TrimEnd('\r');
            Assert.True(text.EndsWith('.') || text.EndsWith('?') || text.EndsWith('!'), "a diagnostic that does not end a sentence:\n" + text);
            Assert.False(DoubleStop().IsMatch(text), "a doubled full stop:\n" + text);
            Assert.False(text.EndsWith(" .", StringComparison.Ordinal) || text.Contains(" . ", StringComparison.Ordinal), "a stray full stop:\n" + text);
            Assert.All(RawExceptionTexts, raw => Assert.DoesNotContain(raw, text, StringComparison.Ordinal));
        }
    }
}
