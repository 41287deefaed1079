namespace StreamBot.Migrations.Reporting;

/// <summary>
/// GitHub Actions' job summary: when <c>GITHUB_STEP_SUMMARY</c> names a file, a command appends its Markdown summary
/// to it (each step's file is shown on the run's page). Elsewhere this does nothing.
/// </summary>
public static class StepSummary
{
    /// <summary>The variable GitHub Actions sets to the step's summary file.</summary>
    public const string Variable = "GITHUB_STEP_SUMMARY";

    /// <summary>
    /// Appends the Markdown <paramref name="summary"/> makes to the step's summary file, if there is one; without one the
    /// summary is never made (every build validates: outside CI it must cost nothing). A summary is never worth failing a
    /// run for: a file that cannot be written is returned as a reason (to log as a warning), not thrown.
    /// </summary>
    public static string? Append(Func<string> summary)
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        var markdown = summary();

        try
        {
            // One write in append mode, so steps that run side by side do not interleave inside a summary.
            using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            var bytes = System.Text.Encoding.UTF8.GetBytes(markdown.TrimEnd('\n') + "\n\n");
            file.Write(bytes);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"{Variable} names '{path}', which cannot be appended to ({e.Message})";
        }
    }
}
