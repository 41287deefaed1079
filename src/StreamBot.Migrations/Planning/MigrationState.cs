namespace StreamBot.Migrations.Planning;

/// <summary>Where a migration stands in a database.</summary>
public enum MigrationState
{
    /// <summary>In the journal, with the file's current checksum.</summary>
    Applied,

    /// <summary>A file not yet in the journal.</summary>
    Pending,

    /// <summary>In the journal, but the file changed since it was applied.</summary>
    Changed,

    /// <summary>In the journal, but its file is gone.</summary>
    FileMissing,

    /// <summary>Not in the journal: it runs statement by statement and stopped half-way (see its progress).</summary>
    Interrupted,

    /// <summary>The file could not be read, so whether it matches the journal is unknown (validation says why).</summary>
    Unreadable,

    /// <summary>Not in this tool's journal, but drizzle-orm's journal has it applied: adopt records it, up would refuse.</summary>
    AppliedByDrizzle,
}
