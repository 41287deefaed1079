using System.Globalization;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Safety;

/// <summary>
/// A migration's own lock settings, from <c>-- streambot:</c> comments before its first statement. Null means "use the
/// run's setting"; <see cref="TimeSpan.Zero"/> means no limit.
/// </summary>
/// <param name="LockTimeout">lock_timeout for its transactional statements.</param>
/// <param name="StatementTimeout">statement_timeout for every statement.</param>
/// <param name="ConcurrentLockTimeout">lock_timeout for statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY, ...).</param>
public sealed record MigrationSettings(TimeSpan? LockTimeout, TimeSpan? StatementTimeout, TimeSpan? ConcurrentLockTimeout)
{
    /// <summary>
    /// <c>-- streambot:contract after streambot/1.5.0</c>: the migration removes what versions before 1.5.0 use, so up
    /// holds it while any of them is connected. Null for an ordinary (expand) migration.
    /// </summary>
    public Preflight.ContractCondition? ContractAfter { get; init; }

    /// <summary>No override.</summary>
    public static MigrationSettings None { get; } = new(null, null, null);
}

/// <summary>A <c>-- streambot:allow SBMxxxx because ...</c> comment, the statement it belongs to, and its reason.</summary>
internal sealed record Suppression(int Statement, string Code, int Line, int Column, string Reason);

/// <summary>A <c>-- streambot:backfill [key (a, b)]</c> comment, and the statement it belongs to (-1: none follows it).</summary>
internal sealed record BackfillMark(int Statement, IReadOnlyList<string>? Key, int Line, int Column);

/// <summary>
/// Reads the <c>-- streambot:</c> comments of a migration: settings in its header (before the first statement) and
/// suppressions on statements. A suppression belongs to the statement it is inside, the statement it trails on the
/// same line, or else the next statement. Anything else after <c>streambot:</c> is an error, never ignored.
/// </summary>
internal sealed class MigrationDirectives
{
    public const string Prefix = "streambot:";

    private static readonly char[] CodeSeparators = [' ', '\t', ','];

    private MigrationDirectives(MigrationSettings settings, List<Suppression> suppressions, List<BackfillMark> backfills, List<Diagnostic> problems)
    {
        Settings = settings;
        Suppressions = suppressions;
        Backfills = backfills;
        Problems = problems;
    }

    public MigrationSettings Settings { get; }

    public List<Suppression> Suppressions { get; }

    /// <summary>The statements marked to run in batches (read further by the validator, which knows the statement).</summary>
    public List<BackfillMark> Backfills { get; }

    /// <summary>Malformed directives (SBM6103) and suppressions without a reason (SBM6101).</summary>
    public List<Diagnostic> Problems { get; }

    public static MigrationDirectives Read(SqlScript script, string path)
    {
        var suppressions = new List<Suppression>();
        var backfills = new List<BackfillMark>();
        var problems = new List<Diagnostic>();
        var settings = MigrationSettings.None;
        // Most files have no directive: the byte search saves tokenizing them.
        if (script.Bytes.Span.IndexOf("streambot:"u8) < 0)
        {
            return new MigrationDirectives(settings, suppressions, backfills, problems);
        }

        var statements = script.Statements;
        var headerEnd = statements.Count == 0 ? int.MaxValue : FirstTokenOf(script, statements[0]);
        foreach (var comment in script.Comments())
        {
            var text = script.GetText(comment);
            var body = (text.StartsWith("--", StringComparison.Ordinal) ? text[2..] : text[2..^2]).Trim();
            if (!body.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || body.Length == Prefix.Length || char.IsWhiteSpace(body[Prefix.Length]))
            {
                continue;
            }

            var (line, column) = script.Locate(comment.Start);
            var words = body[Prefix.Length..].Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            var name = words[0].ToLowerInvariant();
            var argument = words.Length > 1 ? words[1].Trim() : string.Empty;
            if (name == "allow")
            {
                ReadAllow(argument, Owner(script, comment, line), path, line, column, suppressions, problems);
                continue;
            }

            if (name == "backfill")
            {
                ReadBackfill(argument, Owner(script, comment, line), path, line, column, backfills, problems);
                continue;
            }

            if (name == "contract")
            {
                settings = ReadContract(argument, comment.Start >= headerEnd, settings, path, line, column, problems);
                continue;
            }

            if (name is not ("lock-timeout" or "statement-timeout" or "concurrent-lock-timeout"))
            {
                problems.Add(SafetyDiagnostics.DirectiveInvalid(path, line, column, $"'{words[0]}' is not a directive."));
                continue;
            }

            if (comment.Start >= headerEnd)
            {
                problems.Add(SafetyDiagnostics.DirectiveInvalid(path, line, column, $"{name} applies to the whole migration, so it must come before the first statement."));
                continue;
            }

            if (Duration(argument) is not { } value)
            {
                problems.Add(SafetyDiagnostics.DirectiveInvalid(path, line, column, $"'{argument}' is not a duration for {name}."));
                continue;
            }

            if (value > LongestTimeout)
            {
                problems.Add(SafetyDiagnostics.DirectiveInvalid(path, line, column,
                    $"'{argument}' is longer than PostgreSQL takes for {name} (2147483647 ms, about 24.8 days); give a shorter one, or 0 for no limit."));
                continue;
            }

            var before = settings;
            settings = name switch
            {
                "lock-timeout" => settings.LockTimeout is null ? settings with { LockTimeout = value } : settings,
                "statement-timeout" => settings.StatementTimeout is null ? settings with { StatementTimeout = value } : settings,
                _ => settings.ConcurrentLockTimeout is null ? settings with { ConcurrentLockTimeout = value } : settings,
            };
            if (ReferenceEquals(before, settings))
            {
                problems.Add(SafetyDiagnostics.DirectiveInvalid(path, line, column, $"{name} is set twice."));
            }
        }

        return new MigrationDirectives(settings, suppressions, backfills, problems);
    }

    private static MigrationSettings ReadContract(string argument, bool afterHeader, MigrationSettings settings, string path, int line, int column, List<Diagnostic> problems)
    {
        var words = argument.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        string? problem = afterHeader ? "contract applies to the whole migration, so it must come before the first statement."
            : settings.ContractAfter is not null ? "contract is set twice."
            : words is not ["after", _] || Preflight.ContractCondition.Parse(words[1]) is null
                ? $"'contract {argument}' does not say which version no longer needs what it removes: write contract after <app>/<version>, for example contract after streambot/1.5.0."
                : null;
        if (problem is not null)
        {
            problems.Add(SafetyDiagnostics.DirectiveInvalid(path, line, column, problem));
            return settings;
        }

        return settings with { ContractAfter = Preflight.ContractCondition.Parse(words[1]) };
    }

    private static void ReadBackfill(string argument, int owner, string path, int line, int column, List<BackfillMark> backfills, List<Diagnostic> problems)
    {
        IReadOnlyList<string>? key = null;
        string? problem = null;
        if (argument.Length > 0)
        {
            key = argument.StartsWith("key", StringComparison.OrdinalIgnoreCase) ? KeyColumns(argument[3..]) : null;
            problem = key is null ? $"'backfill {argument}' is not understood: write backfill, or backfill key (column, ...) to walk another key than the primary key." : null;
        }

        problem ??= owner < 0 ? "backfill marks the statement after it, and none follows."
            : backfills.Any(b => b.Statement == owner) ? "the statement is marked backfill twice." : null;
        if (problem is not null)
        {
            problems.Add(SafetyDiagnostics.DirectiveInvalid(path, line, column, problem));
            return;
        }

        backfills.Add(new BackfillMark(owner, key, line, column));
    }

    // "(channel_id, id)" or "id": column names as SQL writes them (plain names fold to lower case, quoted ones are kept).
    private static List<string>? KeyColumns(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('(') && trimmed.EndsWith(')'))
        {
            trimmed = trimmed[1..^1];
        }

        var columns = new List<string>();
        foreach (var part in trimmed.Split(',').Select(p => p.Trim()))
        {
            if (part.Length >= 2 && part[0] == '"' && part[^1] == '"' && part[1..^1].Replace("\"\"", string.Empty, StringComparison.Ordinal).IndexOf('"') < 0)
            {
                columns.Add(part[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal));
            }
            else if (part.Length > 0 && (char.IsAsciiLetter(part[0]) || part[0] == '_') && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$'))
            {
                columns.Add(part.ToLowerInvariant());
            }
            else
            {
                return null;
            }
        }

        return columns.Count > 0 && columns.Distinct(StringComparer.Ordinal).Count() == columns.Count ? columns : null;
    }

    private static void ReadAllow(string argument, int owner, string path, int line, int column, List<Suppression> suppressions, List<Diagnostic> problems)
    {
        var parts = argument.Split(CodeSeparators, StringSplitOptions.RemoveEmptyEntries);
        var codes = parts.TakeWhile(p => !p.Equals("because", StringComparison.OrdinalIgnoreCase)).ToList();
        var reasonAt = argument.IndexOf(" because ", StringComparison.OrdinalIgnoreCase);
        var hasReason = reasonAt >= 0 && argument[(reasonAt + " because ".Length)..].Trim().Length > 0;
        if (codes.Count == 0)
        {
            problems.Add(SafetyDiagnostics.DirectiveInvalid(path, line, column, "allow names no code."));
            return;
        }

        var silenceable = new HashSet<string>(SafetyLint.Rules.Select(r => r.Code), StringComparer.Ordinal);
        foreach (var code in codes)
        {
            if (!silenceable.Contains(code.ToUpperInvariant()))
            {
                problems.Add(SafetyDiagnostics.DirectiveInvalid(path, line, column, $"'{code}' is not a safety rule's code ({SafetyLint.Rules[0].Code} to {SafetyLint.Rules[^1].Code}); other diagnostics are fixed, not silenced."));
                return;
            }
        }

        if (!hasReason)
        {
            problems.Add(SafetyDiagnostics.SuppressionWithoutReason(path, line, column, string.Join(", ", codes)));
            return;
        }

        var reason = argument[(reasonAt + " because ".Length)..].Trim();
        suppressions.AddRange(codes.Select(c => new Suppression(owner, c.ToUpperInvariant(), line, column, reason)));
    }

    /// <summary>The statement a comment belongs to (see the class summary), or -1 after the last one.</summary>
    private static int Owner(SqlScript script, SqlToken comment, int line)
    {
        var statements = script.Statements;
        for (var i = 0; i < statements.Count; i++)
        {
            if (comment.Start < statements[i].End)
            {
                if (comment.Start >= statements[i].Start || i == 0)
                {
                    return i;
                }

                return script.Locate(statements[i - 1].End - 1).Line == line ? i - 1 : i;
            }
        }

        return statements.Count > 0 && script.Locate(statements[^1].End - 1).Line == line ? statements.Count - 1 : -1;
    }

    private static int FirstTokenOf(SqlScript script, SqlStatement statement) =>
        script.Tokens(statement).FirstOrDefault(t => t.Kind != SqlTokenKind.Comment, new SqlToken(SqlTokenKind.Comment, statement.Start, 0)).Start;

    /// <summary>The longest lock_timeout or statement_timeout PostgreSQL takes: 2147483647 ms (INT_MAX), about 24.8 days.</summary>
    public static readonly TimeSpan LongestTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>
    /// "500ms", "5s", "2 min", "1h"; "0" for no limit. Null when it is not one of those; <see cref="TimeSpan.MaxValue"/>
    /// when it is longer than <see cref="LongestTimeout"/> (however long: the caller refuses it).
    /// </summary>
    public static TimeSpan? Duration(string text)
    {
        var trimmed = text.Trim();
        if (trimmed == "0")
        {
            return TimeSpan.Zero;
        }

        var unitAt = trimmed.Length;
        while (unitAt > 0 && char.IsAsciiLetter(trimmed[unitAt - 1]))
        {
            unitAt--;
        }

        var unit = trimmed[unitAt..].ToLowerInvariant();
        if (!double.TryParse(trimmed[..unitAt].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return null;
        }

        double? milliseconds = unit switch
        {
            "ms" => amount,
            "s" => amount * 1000,
            "min" => amount * 60_000,
            "h" => amount * 3_600_000,
            _ => null,
        };
        return milliseconds switch
        {
            null => null,
            > int.MaxValue => TimeSpan.MaxValue,
            var ms => TimeSpan.FromMilliseconds(ms.Value),
        };
    }
}
