using System.Text;

namespace StreamBot.Migrations.Diagnostics;

/// <summary>
/// Messages carry text read from the database (journal names, lock holders), which is anybody's input. Every line
/// the CLI prints goes through <see cref="Of"/>, so control characters become visible escapes and such text cannot
/// clear a screen, fake a line of output or hide itself.
/// </summary>
internal static class Printable
{
    public static string Of(string text)
    {
        if (!text.Any(NeedsEscape))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (NeedsEscape(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u202D' or '\u202E';
}
