namespace StreamBot.Migrations.Sql;

/// <summary>
/// One statement of a script, as psql would send it: from its first token (or a /* */ comment before it, which psql
/// sends too) to its terminating semicolon.
/// Offsets are into the script's UTF-8 bytes; the text itself is decoded on demand by
/// <see cref="SqlScript.GetText(in SqlStatement)"/> so that a large file is held in memory only once.
/// </summary>
/// <param name="Start">Byte offset where the statement's text starts.</param>
/// <param name="Length">Length in bytes, up to and including the semicolon when there is one.</param>
/// <param name="Line">1-based line of the first token.</param>
/// <param name="Column">1-based column (UTF-16 code units) of the first token.</param>
/// <param name="Terminator">What ended the statement.</param>
/// <param name="NonTransactionalReason">
/// The command PostgreSQL refuses inside a transaction block (for example <c>CREATE INDEX CONCURRENTLY</c>),
/// or <see langword="null"/> when the statement can run in a transaction.
/// </param>
/// <param name="IsTransactionControl">True for BEGIN, COMMIT, ROLLBACK and their kin.</param>
public readonly record struct SqlStatement(
    int Start,
    int Length,
    int Line,
    int Column,
    StatementTerminator Terminator,
    string? NonTransactionalReason,
    bool IsTransactionControl)
{
    /// <summary>Byte offset just past the statement.</summary>
    public int End => Start + Length;

    /// <summary>Whether PostgreSQL accepts the statement inside a transaction block.</summary>
    public bool IsTransactional => NonTransactionalReason is null;
}
