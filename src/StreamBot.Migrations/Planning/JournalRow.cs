namespace StreamBot.Migrations.Planning;

/// <summary>One applied migration, as the journal table records it.</summary>
/// <param name="Id">The row's id (shown when the journal lists a name twice).</param>
/// <param name="Name">The migration's file name without <c>.sql</c>.</param>
/// <param name="Hash">SHA-256 of the file when it was applied (whatever someone wrote there, for a hand-made row).</param>
/// <param name="AppliedAt">When it was applied.</param>
/// <param name="ExecutionMs">How long it took.</param>
/// <param name="AppliedBy">Who applied it (user@host).</param>
public sealed record JournalRow(long Id, string Name, string Hash, DateTimeOffset AppliedAt, int ExecutionMs, string AppliedBy);

/// <summary>A migration that started statement by statement and has not been journaled (it stopped half-way).</summary>
/// <param name="Name">The migration's name.</param>
/// <param name="Hash">SHA-256 of the file when it started.</param>
/// <param name="Done">Statements known to have run.</param>
/// <param name="Total">Statements the file had then.</param>
/// <param name="UpdatedAt">When the last statement finished.</param>
/// <param name="By">Who ran it.</param>
public sealed record ProgressRow(string Name, string Hash, int Done, int Total, DateTimeOffset UpdatedAt, string By)
{
    /// <summary>The backfill at statement <see cref="Done"/> (0-based), when one has started there.</summary>
    public BackfillProgress? Backfill { get; init; }
}

/// <summary>How far a backfill has got, as its progress row records it after each committed batch (never a key's value).</summary>
/// <param name="Statement">The backfill statement's 0-based index.</param>
/// <param name="Scanned">Rows of its key range walked so far.</param>
/// <param name="Changed">Rows its batches changed (or inserted) so far.</param>
/// <param name="Estimate">Rows the table held when it started, from the statistics; null when never analyzed.</param>
/// <param name="Batches">Batches committed.</param>
/// <param name="StartedAt">When its first batch started.</param>
public sealed record BackfillProgress(int Statement, long Scanned, long Changed, long? Estimate, int Batches, DateTimeOffset StartedAt)
{
    /// <summary>"120,000 of ~200,000 rows walked (60%), 80,000 changed, 41 batches".</summary>
    public override string ToString()
    {
        var of = Estimate is { } total and > 0
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" of ~{total:N0} ({Math.Min(100, 100.0 * Scanned / total):0}%)")
            : string.Empty;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Scanned:N0}{of} rows walked, {Changed:N0} changed, {Batches} batch(es)");
    }
}
