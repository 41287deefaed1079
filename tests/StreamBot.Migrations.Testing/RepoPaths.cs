namespace StreamBot.Migrations.Testing;

/// <summary>Locates the repository from the test assembly, so tests can read migrations/ and docs/.</summary>
public static class RepoPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "StreamBot.Migrations.Build.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
