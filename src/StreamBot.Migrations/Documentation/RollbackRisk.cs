namespace StreamBot.Migrations.Documentation;

/// <summary>The documented risk of running a migration's rollback procedure.</summary>
public enum RollbackRisk
{
    /// <summary>No risk stated (only for "Not recommended" rollbacks).</summary>
    None,

    /// <summary>No data is lost.</summary>
    Low,

    /// <summary>Some derived or audit data is lost, or behaviour regresses.</summary>
    Medium,

    /// <summary>User data is lost or security fixes are undone.</summary>
    High,
}
