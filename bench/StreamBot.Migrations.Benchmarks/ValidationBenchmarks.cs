using BenchmarkDotNet.Attributes;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Benchmarks;

/// <summary>Whole-folder validation: 10,000 migrations and their README, read from disk each time.</summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private string _directory = string.Empty;

    [GlobalSetup]
    public void Setup() => _directory = Corpus.GenerateFolder(10_000);

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, true);

    [Benchmark]
    public int ValidateTenThousandMigrations()
    {
        var report = MigrationsValidator.Validate(_directory);
        return report.HasErrors ? throw new InvalidOperationException(report.Diagnostics[0].ToString()) : report.Migrations.Count;
    }

    /// <summary>The same, with the safety lint the build runs (every statement read as tokens, the folder in order).</summary>
    [Benchmark]
    public int ValidateAndLintTenThousandMigrations()
    {
        var report = MigrationsValidator.Validate(_directory, lint: LintOptions.Default);
        return report.HasErrors ? throw new InvalidOperationException(report.Diagnostics[0].ToString()) : report.Migrations.Count;
    }
}
