namespace StreamBot.Migrations.Safety;

/// <summary>
/// Where the rehearsal's measured locks and the lock classifier's prediction meet. The classification covers the
/// locks that block the application's writes; a weaker lock the prediction did not name (a read of another table in
/// an <c>UPDATE ... FROM</c>) is not a disagreement. A disagreement means the classification is wrong and gets a test.
/// </summary>
public static class LockPrediction
{
    /// <summary>Whether <paramref name="measured"/> is exactly one of the locks predicted for its statement.</summary>
    public static bool Predicted(IReadOnlyList<TableLock> predicted, TableLock measured) =>
        predicted.Any(p => p.Table == measured.Table && p.Mode == measured.Mode);

    /// <summary>The measured locks that block writes and were not predicted: empty when measurement and prediction agree.</summary>
    public static IReadOnlyList<TableLock> Unpredicted(IReadOnlyList<TableLock> predicted, IEnumerable<TableLock> measured) =>
        measured.Where(m => m.Mode.BlocksWrites() && !Predicted(predicted, m)).ToList();
}
