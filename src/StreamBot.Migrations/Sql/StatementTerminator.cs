namespace StreamBot.Migrations.Sql;

/// <summary>What ended a statement.</summary>
public enum StatementTerminator
{
    /// <summary>A top-level <c>;</c>, which is part of the statement text.</summary>
    Semicolon,

    /// <summary>A drizzle-kit <c>--&gt; statement-breakpoint</c> line.</summary>
    Breakpoint,

    /// <summary>The end of the input, with no semicolon after the last token.</summary>
    EndOfInput,
}
