using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using StreamBot.Migrations.Postgres.Telemetry;

namespace StreamBot.Migrations.Cli;

/// <summary>
/// Sends the runner's spans and metrics (<see cref="RunTelemetry"/>) over OTLP when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; the exporter reads the other standard variables itself
/// (OTEL_EXPORTER_OTLP_PROTOCOL, _HEADERS, _TIMEOUT, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES). Without the
/// variable nothing of OpenTelemetry is loaded: the run's spans are never created.
/// </summary>
internal sealed class TelemetryExport : IDisposable
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private readonly TracerProvider _tracing;
    private readonly MeterProvider _metrics;

    private TelemetryExport(TracerProvider tracing, MeterProvider metrics)
    {
        _tracing = tracing;
        _metrics = metrics;
    }

    /// <summary>
    /// The export, or null when the variable is not set. A value that is not an absolute http(s) URL is a usage error
    /// (<paramref name="problem"/>); the value is never echoed, since collectors' URLs may carry a token.
    /// </summary>
    public static TelemetryExport? Start(out string? problem)
    {
        problem = null;
        var endpoint = Environment.GetEnvironmentVariable(EndpointVariable);
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            problem = $"{EndpointVariable} is not an absolute http(s) URL (its value is not shown: it may hold a token). Set it to the collector's OTLP address, for example http://localhost:4318, or unset it.";
            return null;
        }

        try
        {
            return Create();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            // The exporter's own words, unless they repeat a value of the variables (headers may carry an API key).
            var values = Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal))
                .Select(Environment.GetEnvironmentVariable).Where(v => v is { Length: >= 4 });
            var reason = values.Any(v => e.Message.Contains(v!, StringComparison.Ordinal)) ? "its message quotes a setting, so it is not shown" : e.Message.TrimEnd('.');
            problem = $"the OTLP exporter refused the OTEL_EXPORTER_OTLP_* settings ({reason}). Check OTEL_EXPORTER_OTLP_HEADERS (key=value pairs separated by commas), _PROTOCOL (grpc or http/protobuf) and _TIMEOUT (milliseconds), or unset {EndpointVariable}.";
            return null;
        }
    }

    // Kept apart from Start so that a run without the variable never loads OpenTelemetry's assemblies.
    private static TelemetryExport Create()
    {
        // The tool's own name and version, then the environment's OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES over them.
        var resource = ResourceBuilder.CreateEmpty().AddService("streambot-migrate", serviceVersion: CommandLine.Version).AddEnvironmentVariableDetector();
        var tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(RunTelemetry.Name).AddOtlpExporter().Build()!;
        var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(RunTelemetry.Name).AddOtlpExporter().Build()!;
        return new TelemetryExport(tracing, metrics);
    }

    /// <summary>Sends what is left (the run's spans end before this; metrics are collected once more) and stops.</summary>
    public void Dispose()
    {
        _tracing.Dispose();
        _metrics.Dispose();
    }
}
