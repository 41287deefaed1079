namespace StreamBot.Migrations.Reporting;

/// <summary>Anybody's text (file names, messages) made safe inside Markdown: one line, no table or code break-out.</summary>
public static class MarkdownText
{
    /// <summary>Text for a table cell: one line, pipes escaped, HTML's angle brackets neutralised.</summary>
    public static string Cell(string text) =>
        OneLine(text).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Text inside a single-backtick code span: one line, without backticks (which would end the span).</summary>
    public static string Code(string text) => OneLine(text).Replace('`', '\'').Replace("|", "\\|", StringComparison.Ordinal);

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}
