namespace StreamBot.Migrations.Validation;

/// <summary>
/// The marker <c>new</c> and <c>draft-rollback</c> leave where a person must decide: the build rejects a migration
/// file (SBM2013) or README section (SBM3018) that still holds one, so an unfinished migration cannot be merged.
/// </summary>
public static class Placeholder
{
    /// <summary>The marker itself.</summary>
    public const string Marker = "TODO(streambot)";

    /// <summary>The marker as a file's bytes hold it: a file without it skips the comment scan.</summary>
    public static ReadOnlySpan<byte> MarkerUtf8 => "TODO(streambot)"u8;

    /// <summary>A placeholder line: the marker and what to write there.</summary>
    public static string Text(string what) => $"{Marker}: {what}";
}
