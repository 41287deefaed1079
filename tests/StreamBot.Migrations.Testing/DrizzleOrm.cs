namespace StreamBot.Migrations.Testing;

/// <summary>
/// drizzle-orm's own migrator (the version pinned in tests/drizzle/package-lock.json, installed from the npm registry
/// with <c>npm ci</c> once per test process), to build databases exactly as a Stream Bot deploy did.
/// </summary>
public static class DrizzleOrm
{
    private static readonly Lazy<string> Installed = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Runs <c>migrate()</c> of drizzle-orm/node-postgres on <paramref name="migrationsFolder"/>.</summary>
    /// <param name="databaseUrl">Where.</param>
    /// <param name="migrationsFolder">A drizzle-kit folder (with meta/_journal.json).</param>
    /// <param name="schema">drizzle-orm's migrationsSchema (its default: drizzle).</param>
    /// <param name="table">drizzle-orm's migrationsTable (its default: __drizzle_migrations).</param>
    public static ChildProcess.Result Migrate(string databaseUrl, string migrationsFolder, string? schema = null, string? table = null) =>
        ChildProcess.Run("node", $"migrate.mjs \"{databaseUrl}\" \"{migrationsFolder}\" \"{schema}\" \"{table}\"", null, Installed.Value);

    private static string Install()
    {
        var directory = Path.Combine(RepoPaths.Root, "tests", "drizzle");
        var install = ChildProcess.Run("npm", "ci --no-audit --no-fund", null, directory, TimeSpan.FromMinutes(5));
        return install.ExitCode == 0
            ? directory
            : throw new InvalidOperationException($"npm ci in {directory} failed (node and npm must be on PATH, the npm registry reachable):\n{install.Output}");
    }
}
