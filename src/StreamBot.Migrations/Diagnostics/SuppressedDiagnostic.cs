namespace StreamBot.Migrations.Diagnostics;

/// <summary>A lint finding that a <c>-- streambot:allow CODE because REASON</c> comment silenced.</summary>
/// <param name="Finding">What the lint would have reported.</param>
/// <param name="Justification">The comment's reason, the text after <c>because</c>.</param>
public sealed record SuppressedDiagnostic(Diagnostic Finding, string Justification);
