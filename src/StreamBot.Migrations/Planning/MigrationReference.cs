namespace StreamBot.Migrations.Planning;

/// <summary>
/// Which migration a user means when a command names one (<c>down 0004</c>, <c>baseline --to 0004_x</c>,
/// <c>-p:Migration=0004_x.sql</c>): its number, its name, or its file name, decided here for every command.
/// </summary>
public static class MigrationReference
{
    /// <summary>
    /// The name in <paramref name="names"/> that <paramref name="reference"/> means, or null when it means none. A
    /// number matches the name with that number; a name matches exactly, with or without <c>.sql</c>.
    /// </summary>
    public static string? Resolve(string reference, IEnumerable<string> names)
    {
        var wanted = reference.Trim();
        if (wanted.EndsWith(".sql", StringComparison.Ordinal))
        {
            wanted = wanted[..^4];
        }

        int? number = wanted.Length is > 0 and <= 9 && wanted.All(char.IsAsciiDigit) ? int.Parse(wanted, System.Globalization.CultureInfo.InvariantCulture) : null;
        foreach (var name in names)
        {
            if (string.Equals(name, wanted, StringComparison.Ordinal) || (number is not null && NumberOf(name) == number))
            {
                return name;
            }
        }

        return null;
    }

    // "0004_add_x" -> 4, so a number written with fewer digits ("4") still means it.
    private static int? NumberOf(string name)
    {
        var end = name.IndexOf('_', StringComparison.Ordinal);
        return end > 0 && int.TryParse(name.AsSpan(0, end), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
    }
}
