using System.Text;

namespace StreamBot.Migrations.Postgres;

/// <summary>
/// Text read from the database (journal names, lock holders) is anybody's input: before it reaches a terminal or a
/// build log, control characters become visible escapes so it cannot clear a screen, fake a line or hide itself.
/// </summary>
internal static class Printable
{
    public static string Of(string? text, int maxLength = 200)
    {
        if (text is null)
        {
            return string.Empty;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxLength));
        foreach (var c in text)
        {
            if (builder.Length >= maxLength)
            {
                builder.Append('…');
                break;
            }

            if (char.IsControl(c) || c is '\u2028' or '\u2029' or '\u202E' or '\u202D')
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
}
