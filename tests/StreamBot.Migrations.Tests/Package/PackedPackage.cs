namespace StreamBot.Migrations.Tests.Package;

/// <summary>
/// Packs StreamBot.Migrations.Build once per test run into a private feed, with a private NuGet package folder,
/// so every consumer restores exactly this build of the package and nothing is left in the user's caches.
/// </summary>
public sealed class PackedPackage : IDisposable
{
    public static string Version { get; } = typeof(PackedPackage).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "PackageVersion").Value!;

    // One pack per test process, shared by every package class: the classes are collections of their own and run
    // beside each other (and beside the database suites) instead of one after another behind a collection fixture.
    private static readonly Lazy<(string Root, string Feed)> Packed = new(Pack, LazyThreadSafetyMode.ExecutionAndPublication);

    public PackedPackage()
    {
        (Root, Feed) = Packed.Value;
    }

    public static string RepoRoot => RepoPaths.Root;

    // The configuration these tests were built in, which is the one the package project was built in with them.
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public string Root { get; }

    public string Feed { get; }

    private string Packages => Path.Combine(Root, "packages");

    public ChildProcess.Result Dotnet(string arguments, string workingDirectory, string? databaseUrl = null, string? path = null, string? cliHome = null,
        IReadOnlyDictionary<string, string?>? extraEnvironment = null) =>
        Dotnet(arguments, workingDirectory, Packages, databaseUrl, path, cliHome, extraEnvironment);

    private static ChildProcess.Result Dotnet(string arguments, string workingDirectory, string packages, string? databaseUrl = null, string? path = null, string? cliHome = null,
        IReadOnlyDictionary<string, string?>? extraEnvironment = null)
    {
        // The test host runs inside MSBuild/VSTest, whose variables would steer the child build to other SDK bits.
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(k => k, string? (_) => null);
        foreach (var (key, value) in new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = databaseUrl,
            ["NUGET_PACKAGES"] = packages,
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        })
        {
            environment[key] = value;
        }

        if (path is not null)
        {
            environment["PATH"] = path;
        }

        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        if (cliHome is not null)
        {
            // The SDK's own state (the tool resolver cache among it) in a folder of this run, not the user's ~/.dotnet.
            environment["DOTNET_CLI_HOME"] = cliHome;
        }

        return ChildProcess.Run("dotnet", arguments, environment, workingDirectory, TimeSpan.FromMinutes(5));
    }

    /// <summary>A new consumer project in its own folder, referencing the packed package.</summary>
    public ConsumerProject NewConsumer(string? extraProperties = null) => new(this, extraProperties);

    // The pack outlives every class that uses it; its folder goes when the process exits.
    public void Dispose()
    {
    }

    private static (string Root, string Feed) Pack()
    {
        var root = Path.Combine(Path.GetTempPath(), "sbm-package-tests-" + Guid.NewGuid().ToString("N"));
        var feed = Path.Combine(root, "feed");
        Directory.CreateDirectory(feed);
        var project = Path.Combine(RepoRoot, "src", "StreamBot.Migrations.Build", "StreamBot.Migrations.Build.csproj");
        // The package project and the ReadyToRun CLI were built with this test project (a project reference, and its
        // publish of the CLI), so the pack builds nothing: it publishes what is built and collects the files (2.5 s
        // instead of 26 s of evaluating and checking every project again).
        var result = Dotnet($"pack \"{project}\" -c {Configuration} -o \"{feed}\" --no-build", RepoRoot, Path.Combine(root, "packages"));
        if (result.ExitCode != 0 || !File.Exists(Path.Combine(feed, $"StreamBot.Migrations.Build.{Version}.nupkg")))
        {
            throw new InvalidOperationException("dotnet pack failed:\n" + result.Output);
        }

        // The CLI as a .NET tool: its own project over the same sources, built before the tests (a project reference
        // that is never referenced), so this pack only collects it too.
        var tool = Dotnet($"pack \"{Path.Combine(RepoRoot, "src", "StreamBot.Migrations.Tool", "StreamBot.Migrations.Tool.csproj")}\" -c {Configuration} -o \"{feed}\" --no-build", RepoRoot, Path.Combine(root, "packages"));
        if (tool.ExitCode != 0 || !File.Exists(Path.Combine(feed, $"StreamBot.Migrations.Tool.{Version}.nupkg")))
        {
            throw new InvalidOperationException("dotnet pack of the tool failed:\n" + tool.Output);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(root);
        return (root, feed);
    }

    private static void DeleteQuietly(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder does not change any test's result.
        }
    }
}

