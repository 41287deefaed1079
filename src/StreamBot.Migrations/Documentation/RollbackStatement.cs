namespace StreamBot.Migrations.Documentation;

/// <summary>
/// One statement of a documented rollback procedure, positioned in README.md. A statement followed by a comment
/// such as <c>-- Should return 0 rows</c> is a verify query: after the rollback it must return that many rows.
/// </summary>
/// <param name="Text">The statement as it will be sent.</param>
/// <param name="Line">1-based line in README.md.</param>
/// <param name="Column">1-based column in README.md.</param>
/// <param name="ExpectedRows">The row count a verify query must return; null for an ordinary statement.</param>
public sealed record RollbackStatement(string Text, int Line, int Column, int? ExpectedRows)
{
    /// <summary>Whether this statement checks the rollback rather than performing it.</summary>
    public bool IsVerifyQuery => ExpectedRows is not null;
}
