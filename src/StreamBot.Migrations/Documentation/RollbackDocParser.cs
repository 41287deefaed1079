using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Documentation;

/// <summary>
/// Turns one README section into a <see cref="RollbackDoc"/>, checking that it gives Status, Purpose, Date (ISO),
/// Changes and a rollback: either a Rollback Procedure (a ```sql block that lexes cleanly and can run in one
/// transaction, plus a Rollback Risk) or "Rollback: Not recommended" with a reason.
/// </summary>
internal static partial class RollbackDocParser
{
    // "-- Should return 0 rows", "-- 1 row", "-- expect no rows": the whole comment is the expectation.
    [GeneratedRegex(@"^(?:(?:should|must|expect(?:ed)?|will)\s+)?(?:(?:return|returns|returning)\s+)?(?:exactly\s+)?(?<count>\d+|no|zero|one)\s+rows?\b[\s.!]*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VerifyComment();

    [GeneratedRegex(@"^(?:should|must|expect)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LooksLikeVerifyComment();

    public static RollbackDoc Parse(string readmePath, MarkdownSection section, List<Diagnostic> diagnostics)
    {
        var name = section.Title[..^4];
        var (fieldList, blocks) = SectionReader.Read(section);
        var fields = new Dictionary<string, SectionField>(StringComparer.Ordinal);
        foreach (var field in fieldList)
        {
            fields.TryAdd(field.Key, field);
        }

        var at = section.HeadingLine;
        var status = Required(fields, "status", "Status", readmePath, at, diagnostics);
        var purpose = Required(fields, "purpose", "Purpose", readmePath, at, diagnostics);
        Required(fields, "changes", "Changes", readmePath, at, diagnostics);
        var date = ParseDate(fields, readmePath, at, diagnostics);

        fields.TryGetValue("rollback procedure", out var procedure);
        fields.TryGetValue("rollback", out var rollback);
        if (procedure is not null && rollback is not null)
        {
            diagnostics.Add(DiagnosticCatalog.RollbackConflict.At(readmePath, rollback.Line, 1,
                $"{section.Title} has both a Rollback Procedure (line {procedure.Line}) and a Rollback field.",
                "Keep one: a Rollback Procedure with its SQL, or \"**Rollback**: Not recommended - reason\"."));
        }

        if (procedure is not null)
        {
            var risk = ParseRisk(fields, procedure, readmePath, diagnostics);
            var statements = ParseProcedure(readmePath, section.Title, procedure, blocks, fieldList, diagnostics);
            return new RollbackDoc(name, at, status, purpose, date, risk, null, statements);
        }

        if (rollback is not null)
        {
            return new RollbackDoc(name, at, status, purpose, date, RollbackRisk.None, ParseNotRecommended(readmePath, rollback, diagnostics), []);
        }

        diagnostics.Add(DiagnosticCatalog.RollbackMissing.At(readmePath, at, 1,
            $"{section.Title} documents no rollback.",
            "Add \"**Rollback Procedure**:\" with a ```sql block and \"**Rollback Risk**: LOW|MEDIUM|HIGH - why\", or \"**Rollback**: Not recommended - reason\"."));
        return new RollbackDoc(name, at, status, purpose, date, RollbackRisk.None, null, []);
    }

    private static string? Required(Dictionary<string, SectionField> fields, string key, string label, string readmePath, int headingLine, List<Diagnostic> diagnostics)
    {
        if (fields.TryGetValue(key, out var field) && field.HasContent)
        {
            return field.Value;
        }

        diagnostics.Add(DiagnosticCatalog.FieldMissing.At(readmePath, field?.Line ?? headingLine, 1,
            field is null ? $"This section has no **{label}** field." : $"The **{label}** field is empty.",
            $"Add \"**{label}**: ...\" under the heading; every migration section needs Status, Purpose, Date and Changes."));
        return null;
    }

    private static DateOnly? ParseDate(Dictionary<string, SectionField> fields, string readmePath, int headingLine, List<Diagnostic> diagnostics)
    {
        if (!fields.TryGetValue("date", out var field))
        {
            diagnostics.Add(DiagnosticCatalog.InvalidDate.At(readmePath, headingLine, 1,
                "This section has no **Date** field.",
                "Add \"**Date**: YYYY-MM-DD\" with the day the migration was written."));
            return null;
        }

        var text = field.Value.Split(' ', 2)[0];
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        diagnostics.Add(DiagnosticCatalog.InvalidDate.At(readmePath, field.Line, 1,
            $"'{field.Value}' is not an ISO date.",
            "Write the date as YYYY-MM-DD, for example 2025-11-15."));
        return null;
    }

    private static RollbackRisk ParseRisk(Dictionary<string, SectionField> fields, SectionField procedure, string readmePath, List<Diagnostic> diagnostics)
    {
        if (fields.TryGetValue("rollback risk", out var field))
        {
            var word = new string(field.Value.TakeWhile(char.IsLetter).ToArray()).ToUpperInvariant();
            switch (word)
            {
                case "LOW": return RollbackRisk.Low;
                case "MEDIUM": return RollbackRisk.Medium;
                case "HIGH": return RollbackRisk.High;
            }
        }

        diagnostics.Add(DiagnosticCatalog.RollbackRiskInvalid.At(readmePath, field?.Line ?? procedure.Line, 1,
            field is null ? "The Rollback Procedure has no **Rollback Risk**." : $"Rollback Risk '{field.Value}' does not start with LOW, MEDIUM or HIGH.",
            "Add \"**Rollback Risk**: LOW|MEDIUM|HIGH - what the rollback loses\"."));
        return RollbackRisk.None;
    }

    private static string? ParseNotRecommended(string readmePath, SectionField field, List<Diagnostic> diagnostics)
    {
        const string Phrase = "not recommended";
        if (!field.Value.StartsWith(Phrase, StringComparison.OrdinalIgnoreCase))
        {
            diagnostics.Add(DiagnosticCatalog.RollbackUnrecognized.At(readmePath, field.Line, 1,
                $"\"**Rollback**: {field.Value}\" is neither \"Not recommended\" with a reason nor a procedure.",
                "Write \"**Rollback**: Not recommended - reason\", or document \"**Rollback Procedure**:\" with a ```sql block."));
            return null;
        }

        var reason = field.Value[Phrase.Length..].Trim(' ', '-', '–', '—', ':', ';', ',', '.');
        if (reason.Length == 0)
        {
            diagnostics.Add(DiagnosticCatalog.NotRecommendedWithoutReason.At(readmePath, field.Line, 1,
                "The rollback is \"Not recommended\" but no reason is given.",
                "Say why after a dash, e.g. \"Not recommended - this is the foundation schema\"."));
            return "(no reason given)";
        }

        return reason;
    }

    private static List<RollbackStatement> ParseProcedure(
        string readmePath, string title, SectionField procedure, IReadOnlyList<SectionCodeBlock> blocks,
        IReadOnlyList<SectionField> fields, List<Diagnostic> diagnostics)
    {
        var nextFieldLine = fields.Where(f => f.Line > procedure.Line).Select(f => f.Line).DefaultIfEmpty(int.MaxValue).Min();
        var block = blocks.FirstOrDefault(b => b.FenceLine > procedure.Line && b.FenceLine < nextFieldLine);
        if (block is null || !block.Info.Split(' ', 2)[0].Equals("sql", StringComparison.OrdinalIgnoreCase))
        {
            diagnostics.Add(DiagnosticCatalog.RollbackBlockMissing.At(readmePath, block?.FenceLine ?? procedure.Line, 1,
                block is null
                    ? $"The Rollback Procedure of {title} has no code block."
                    : $"The Rollback Procedure's code block is marked '{block.Info}', not sql.",
                "Put the rollback SQL in a fenced block that opens with ```sql, right under \"**Rollback Procedure**:\"."));
            return [];
        }

        var script = SqlSplitter.Split(Encoding.UTF8.GetBytes(string.Join('\n', block.Lines)));
        var firstLine = block.FenceLine + 1;
        diagnostics.AddRange(script.ProblemsAsDiagnostics(readmePath, firstLine));
        if (script.Statements.Count == 0)
        {
            diagnostics.Add(DiagnosticCatalog.RollbackBlockEmpty.At(readmePath, block.FenceLine, 1,
                $"The rollback SQL block of {title} holds no statement.",
                "Write the SQL that undoes the migration, followed by verify queries such as \"SELECT ... ; -- Should return 0 rows\"."));
            return [];
        }

        var statements = new List<RollbackStatement>(script.Statements.Count);
        var source = script.Source;
        for (var i = 0; i < script.Statements.Count; i++)
        {
            var statement = script.Statements[i];
            var line = statement.Line + firstLine - 1;
            if (!statement.IsTransactional || statement.IsTransactionControl)
            {
                diagnostics.Add(DiagnosticCatalog.RollbackNotTransactional.At(readmePath, line, statement.Column,
                    statement.IsTransactionControl
                        ? "Rollback SQL must not control transactions: the rollback runs in one transaction of its own."
                        : $"{statement.NonTransactionalReason} cannot run inside a transaction block, but a rollback runs in one transaction so that a failed verify undoes it.",
                    statement.IsTransactionControl
                        ? "Remove the BEGIN/COMMIT/ROLLBACK statements."
                        : "Use the non-concurrent form in the rollback (e.g. DROP INDEX without CONCURRENTLY)."));
            }

            var gapEnd = i + 1 < script.Statements.Count ? script.Statements[i + 1].Start : source.Length;
            var endLine = line + source.Slice(statement.Start, statement.Length).Count((byte)'\n');
            var expected = ExpectedRows(source[statement.End..gapEnd], readmePath, endLine, diagnostics);
            statements.Add(new RollbackStatement(script.GetText(statement), line, statement.Column, expected));
        }

        if (!statements.Any(s => s.IsVerifyQuery))
        {
            diagnostics.Add(DiagnosticCatalog.NoVerifyQuery.At(readmePath, procedure.Line, 1,
                $"The rollback of {title} has no verify query, so nothing checks that it worked.",
                "Follow a query with its expected row count, e.g. \"SELECT indexname FROM pg_indexes WHERE indexname = '...';\" then \"-- Should return 0 rows\"."));
        }

        return statements;
    }

    /// <summary>The row count promised by the first comment after a statement, if that comment is a verify comment.</summary>
    private static int? ExpectedRows(ReadOnlySpan<byte> gap, string readmePath, int gapLine, List<Diagnostic> diagnostics)
    {
        var dash = gap.IndexOf("--"u8);
        if (dash < 0)
        {
            return null;
        }

        var rest = gap[(dash + 2)..];
        var eol = rest.IndexOf((byte)'\n');
        var comment = Encoding.UTF8.GetString(eol < 0 ? rest : rest[..eol]).Trim();
        var match = VerifyComment().Match(comment);
        if (match.Success)
        {
            var count = match.Groups["count"].Value.ToLowerInvariant();
            return count switch
            {
                "no" or "zero" => 0,
                "one" => 1,
                _ => int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null,
            };
        }

        if (LooksLikeVerifyComment().IsMatch(comment))
        {
            var commentLine = gapLine + gap[..dash].Count((byte)'\n');
            diagnostics.Add(DiagnosticCatalog.VerifyCommentWithoutCount.At(readmePath, commentLine, 1,
                $"'-- {comment}' looks like a verify comment but gives no row count, so the query is not checked.",
                "Write the expected count, e.g. \"-- Should return 0 rows\"."));
        }

        return null;
    }
}
