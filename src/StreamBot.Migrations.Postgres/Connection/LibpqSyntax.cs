using System.Text;

namespace StreamBot.Migrations.Postgres.Connection;

/// <summary>
/// libpq's two connection string syntaxes (PostgreSQL docs, "Connection Strings"): the <c>postgresql://</c> URI and
/// the <c>key = 'value'</c> list. Both yield (keyword, value) pairs. Errors never quote the text: a connection string
/// holds a password, so a message names positions and libpq's own keywords only.
/// </summary>
internal static class LibpqSyntax
{
    public static bool IsUri(string text) =>
        text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <c>postgresql://[user[:password]@][host][:port][/dbname][?keyword=value&amp;...]</c>, every part percent-decoded.
    /// An empty host with <c>?host=/socket/dir</c> is how libpq's URIs name a Unix socket directory.
    /// </summary>
    public static List<(string Key, string Value)> ParseUri(string text)
    {
        var pairs = new List<(string, string)>();
        var rest = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
        // User info ends at the last '@' before the first '/', so a password holding '@' or '?' works unencoded (as
        // in libpq); one holding '/' must be percent-encoded.
        var firstSlash = rest.IndexOf('/', StringComparison.Ordinal);
        var at = (firstSlash >= 0 ? rest[..firstSlash] : rest).LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            AddIfPresent(pairs, "user", Decode(colon < 0 ? userInfo : userInfo[..colon], "the user name"));
            if (colon >= 0)
            {
                pairs.Add(("password", Decode(userInfo[(colon + 1)..], "the password")));
            }

            rest = rest[(at + 1)..];
        }

        var hostEnd = rest.IndexOfAny(['/', '?']);
        var authority = hostEnd < 0 ? rest : rest[..hostEnd];
        rest = hostEnd < 0 ? string.Empty : rest[hostEnd..];
        var query = rest.IndexOf('?', StringComparison.Ordinal);
        ParseHostAndPort(authority, pairs);
        if (rest.StartsWith('/'))
        {
            AddIfPresent(pairs, "dbname", Decode(rest[1..(query >= 0 ? query : rest.Length)], "the database name"));
        }

        if (query >= 0)
        {
            var parameters = rest[(query + 1)..].Split('&');
            for (var i = 0; i < parameters.Length; i++)
            {
                if (parameters[i].Length == 0)
                {
                    continue;
                }

                var equals = parameters[i].IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new ConnectionFormatException($"URI parameter {i + 1} is not keyword=value");
                }

                var key = Decode(parameters[i][..equals], $"URI parameter {i + 1}");
                var value = Decode(parameters[i][(equals + 1)..], $"URI parameter {i + 1}");
                // libpq's URI-only spelling for "use TLS" (also what JDBC users write).
                if (key == "ssl")
                {
                    pairs.Add(("sslmode", value == "true" ? "require" : throw new ConnectionFormatException("the URI parameter ssl only takes true")));
                    continue;
                }

                pairs.Add((key, value));
            }
        }

        return pairs;
    }

    private static void ParseHostAndPort(string authority, List<(string, string)> pairs)
    {
        if (authority.Length == 0)
        {
            return;
        }

        if (authority.Contains(',', StringComparison.Ordinal))
        {
            throw new ConnectionFormatException("it names several hosts; this tool connects to one (name the primary)");
        }

        string host;
        string? port = null;
        if (authority[0] == '[')
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || (close + 1 < authority.Length && authority[close + 1] != ':'))
            {
                throw new ConnectionFormatException("the URI's IPv6 host is not closed by ']'");
            }

            host = authority[1..close];
            port = close + 1 < authority.Length ? authority[(close + 2)..] : null;
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            port = colon < 0 ? null : authority[(colon + 1)..];
        }

        AddIfPresent(pairs, "host", Decode(host, "the host"));
        if (port is not null)
        {
            pairs.Add(("port", Decode(port, "the port")));
        }
    }

    /// <summary>
    /// <c>host=db port=5432 password='it''s'</c>: keyword = value pairs separated by white space; a value is quoted
    /// with single quotes to hold spaces, and a backslash escapes the next character, quoted or not.
    /// </summary>
    public static List<(string Key, string Value)> ParseKeywordValue(string text)
    {
        var pairs = new List<(string, string)>();
        var i = 0;
        for (var n = 1; ; n++)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                return pairs;
            }

            var keyStart = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var key = text[keyStart..i];
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i == text.Length || text[i] != '=')
            {
                throw new ConnectionFormatException($"setting {n} (at character {keyStart + 1}) has no '=' after its keyword");
            }

            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var value = new StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                var open = i++;
                while (true)
                {
                    if (i == text.Length)
                    {
                        throw new ConnectionFormatException($"the quoted value of setting {n} (opened at character {open + 1}) is not closed");
                    }

                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        value.Append(text[i + 1]);
                        i += 2;
                    }
                    else if (text[i] == '\'')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        value.Append(text[i++]);
                    }
                }
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i++]);
                }
            }

            pairs.Add((key, value.ToString()));
        }
    }

    private static void AddIfPresent(List<(string, string)> pairs, string key, string value)
    {
        if (value.Length > 0)
        {
            pairs.Add((key, value));
        }
    }

    private static string Decode(string part, string what)
    {
        if (!part.Contains('%', StringComparison.Ordinal))
        {
            return part;
        }

        var bytes = new List<byte>(part.Length);
        for (var i = 0; i < part.Length; i++)
        {
            if (part[i] != '%')
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(part[i].ToString()));
                continue;
            }

            if (i + 2 >= part.Length || !byte.TryParse(part.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber, null, out var b) || b == 0)
            {
                throw new ConnectionFormatException($"{what} has a bad percent-encoding ('%' must be followed by two hex digits, not %00)");
            }

            bytes.Add(b);
            i += 2;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            throw new ConnectionFormatException($"{what} percent-decodes to bytes that are not UTF-8");
        }
    }
}

/// <summary>A malformed connection string. Its message is built from positions and keywords, never from the text itself.</summary>
internal sealed class ConnectionFormatException(string message) : Exception(message);
