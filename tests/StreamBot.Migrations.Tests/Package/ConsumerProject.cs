namespace StreamBot.Migrations.Tests.Package;

/// <summary>A throwaway service project that references StreamBot.Migrations.Build the way a user would.</summary>
public sealed class ConsumerProject
{
    private readonly PackedPackage _package;

    public ConsumerProject(PackedPackage package, string? extraProperties)
    {
        _package = package;
        Directory = Path.Combine(package.Root, "consumer-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "migrations"));
        File.WriteAllText(Path.Combine(Directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{package.Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(Directory, "StreamBotService.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                {extraProperties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="StreamBot.Migrations.Build" Version="{PackedPackage.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(Directory, "Service.cs"), "namespace StreamBotService; public static class Service { public const string Name = \"stream-bot\"; }\n");
    }

    public string Directory { get; }

    public string MigrationsDirectory => Path.Combine(Directory, "migrations");

    public string Migration(string fileName) => Path.Combine(MigrationsDirectory, fileName);

    public ConsumerProject WithFile(string fileName, string text)
    {
        File.WriteAllText(Migration(fileName), text);
        return this;
    }

    public ChildProcess.Result Build(string arguments = "", string? databaseUrl = null, string? path = null, IReadOnlyDictionary<string, string?>? environment = null) =>
        _package.Dotnet($"build -v:n -nologo {arguments}", Directory, databaseUrl, path, extraEnvironment: environment);
}
