using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Diagnostics;

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
            diagnostics.Add(ReadmeDiagnostics.RollbackConflict(readmePath, rollback.Line, section.Title, procedure.Line));
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

        diagnostics.Add(ReadmeDiagnostics.RollbackMissing(readmePath, at, section.Title));
        return new RollbackDoc(name, at, status, purpose, date, RollbackRisk.None, null, []);
    }

    private static string? Required(Dictionary<string, SectionField> fields, string key, string label, string readmePath, int headingLine, List<Diagnostic> diagnostics)
    {
        if (fields.TryGetValue(key, out var field) && field.HasContent)
        {
            return field.Value;
        }

        diagnostics.Add(ReadmeDiagnostics.FieldMissing(readmePath, field?.Line ?? headingLine, label, present: field is not null));
        return null;
    }

    private static DateOnly? ParseDate(Dictionary<string, SectionField> fields, string readmePath, int headingLine, List<Diagnostic> diagnostics)
    {
        if (!fields.TryGetValue("date", out var field))
        {
            diagnostics.Add(ReadmeDiagnostics.DateMissing(readmePath, headingLine));
            return null;
        }

        var text = field.Value.Split(' ', 2)[0];
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        diagnostics.Add(ReadmeDiagnostics.InvalidDate(readmePath, field.Line, field.Value));
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

        diagnostics.Add(ReadmeDiagnostics.RollbackRiskInvalid(readmePath, field?.Line ?? procedure.Line, field?.Value));
        return RollbackRisk.None;
    }

    private static string? ParseNotRecommended(string readmePath, SectionField field, List<Diagnostic> diagnostics)
    {
        const string Phrase = "not recommended";
        if (!field.Value.StartsWith(Phrase, StringComparison.OrdinalIgnoreCase))
        {
            diagnostics.Add(ReadmeDiagnostics.RollbackUnrecognized(readmePath, field.Line, field.Value));
            return null;
        }

        var reason = field.Value[Phrase.Length..].Trim(' ', '-', '–', '—', ':', ';', ',', '.');
        if (reason.Length == 0)
        {
            diagnostics.Add(ReadmeDiagnostics.NotRecommendedWithoutReason(readmePath, field.Line));
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
            diagnostics.Add(ReadmeDiagnostics.RollbackBlockMissing(readmePath, block?.FenceLine ?? procedure.Line, title, block?.Info));
            return [];
        }

        var script = SqlSplitter.Split(Encoding.UTF8.GetBytes(string.Join('\n', block.Lines)));
        var firstLine = block.FenceLine + 1;
        diagnostics.AddRange(script.ProblemsAsDiagnostics(readmePath, firstLine));
        if (script.Statements.Count == 0)
        {
            diagnostics.Add(ReadmeDiagnostics.RollbackBlockEmpty(readmePath, block.FenceLine, title));
            return [];
        }

        var statements = new List<RollbackStatement>(script.Statements.Count);
        for (var i = 0; i < script.Statements.Count; i++)
        {
            var statement = script.Statements[i];
            var line = statement.Line + firstLine - 1;
            if (!statement.IsTransactional || statement.IsTransactionControl)
            {
                diagnostics.Add(statement.IsTransactionControl
                    ? ReadmeDiagnostics.RollbackTransactionControl(readmePath, line, statement.Column)
                    : ReadmeDiagnostics.RollbackNotTransactional(readmePath, line, statement.Column, statement.NonTransactionalReason!));
            }

            var nextStart = i + 1 < script.Statements.Count ? script.Statements[i + 1].Start : script.Source.Length;
            var expected = ExpectedRows(script, statement, nextStart, readmePath, firstLine, diagnostics);
            statements.Add(new RollbackStatement(script.GetText(statement), line, statement.Column, expected));
        }

        if (!statements.Any(s => s.IsVerifyQuery))
        {
            diagnostics.Add(ReadmeDiagnostics.NoVerifyQuery(readmePath, procedure.Line, title));
        }

        return statements;
    }

    /// <summary>The row count promised by the first line comment after a statement, if that comment is a verify comment.</summary>
    private static int? ExpectedRows(SqlScript script, in SqlStatement statement, int nextStart, string readmePath, int firstLine, List<Diagnostic> diagnostics)
    {
        var token = script.CommentsAfter(statement, nextStart).FirstOrDefault(t => script.Source[t.Start] == (byte)'-');
        if (token.Length == 0)
        {
            return null;
        }

        var comment = script.GetText(token)[2..].Trim();
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
            diagnostics.Add(ReadmeDiagnostics.VerifyCommentWithoutCount(readmePath, script.Locate(token.Start).Line + firstLine - 1, comment));
        }

        return null;
    }
}
