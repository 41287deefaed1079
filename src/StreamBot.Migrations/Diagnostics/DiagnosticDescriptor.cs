namespace StreamBot.Migrations.Diagnostics;

/// <summary>
/// The fixed part of a diagnostic: its code, severity and a one-line title. Each code is documented once in
/// docs/diagnostics.md; <see cref="DiagnosticCatalog"/> lists them all.
/// </summary>
internal sealed record DiagnosticDescriptor(string Code, DiagnosticSeverity Severity, string Title)
{
    public Diagnostic At(string file, int line, int column, string message, string hint) =>
        new(Code, Severity, file, line, column, Sentence(message), Sentence(hint));

    // Messages often end with text from elsewhere (a server's message, a path): whatever it ends with, the message
    // is a sentence and the hint after it starts a new one.
    private static string Sentence(string text)
    {
        var trimmed = text.TrimEnd();
        return trimmed.Length == 0 || trimmed[^1] is '.' or '!' or '?' ? trimmed : trimmed + ".";
    }

    public Diagnostic AtFile(string file, string message, string hint) => At(file, 0, 0, message, hint);
}
