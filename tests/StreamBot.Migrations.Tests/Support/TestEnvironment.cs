using System.Runtime.CompilerServices;

namespace StreamBot.Migrations.Tests.Support;

/// <summary>
/// Variables of the machine running the tests that would steer what the product under test writes: a test run inside
/// GitHub Actions must not append the summaries of a thousand throwaway validations to its own job page, nor export
/// their spans to the job's collector. Tests that exercise these channels set them for the child process they start.
/// </summary>
internal static class TestEnvironment
{
#pragma warning disable CA2255 // A test assembly is the one place a module initializer belongs: before any test, once.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void ClearOutputChannels()
    {
        Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", null);
        Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT", null);
    }
}
