namespace StreamBot.Migrations.Cli;

/// <summary>
/// One reading of a command line for every command: <c>--name value</c> and <c>--name=value</c> alike, flags without a
/// value, positional arguments, and <c>--</c> ending the options. An option the command does not know, a missing
/// value, or a value given to a flag is a <see cref="FormatException"/> (exit code 2), never ignored.
/// </summary>
internal sealed class ArgumentList
{
    private ArgumentList()
    {
    }

    /// <summary>The options in the order given, with their values (null for a flag).</summary>
    public List<(string Name, string? Value)> Options { get; } = [];

    public List<string> Positional { get; } = [];

    /// <summary>Reads <paramref name="args"/> for <paramref name="command"/>, which takes exactly these options.</summary>
    public static ArgumentList Parse(IReadOnlyList<string> args, IReadOnlySet<string> valued, IReadOnlySet<string> flags, string command)
    {
        var list = new ArgumentList();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                list.Positional.AddRange(args.Skip(i + 1));
                break;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                list.Positional.Add(arg);
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            if (flags.Contains(name))
            {
                list.Options.Add(equals < 0 ? (name, null) : throw new FormatException($"{name} takes no value."));
            }
            else if (valued.Contains(name))
            {
                var value = equals >= 0 ? arg[(equals + 1)..] : i + 1 < args.Count ? args[++i] : throw new FormatException($"{name} needs a value.");
                list.Options.Add((name, value));
            }
            else
            {
                throw new FormatException($"{command} does not take {name} (it takes {Describe(valued, flags)}).");
            }
        }

        return list;
    }

    private static string Describe(IReadOnlySet<string> valued, IReadOnlySet<string> flags)
    {
        var all = valued.Select(v => v + " VALUE").Concat(flags).Order(StringComparer.Ordinal).ToList();
        return all.Count == 0 ? "no options" : string.Join(", ", all);
    }
}
