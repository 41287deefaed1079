using System.Collections;
using Microsoft.Build.Framework;

namespace StreamBot.Migrations.Tests.Unit.Build;

/// <summary>
/// A build engine that only records what a task logs, so a task can be run as MSBuild would run it, without MSBuild:
/// each event as one line, <c>error SBM1004 file(line,col): message</c>.
/// </summary>
internal sealed class RecordingBuildEngine : IBuildEngine
{
    public List<string> Events { get; } = [];

    public bool ContinueOnError => false;

    public int LineNumberOfTaskNode => 0;

    public int ColumnNumberOfTaskNode => 0;

    public string ProjectFileOfTaskNode => "consumer.csproj";

    public void LogErrorEvent(BuildErrorEventArgs e) => Events.Add($"error {e.Code} {e.File}({e.LineNumber},{e.ColumnNumber}): {e.Message}");

    public void LogWarningEvent(BuildWarningEventArgs e) => Events.Add($"warning {e.Code} {e.File}({e.LineNumber},{e.ColumnNumber}): {e.Message}");

    public void LogMessageEvent(BuildMessageEventArgs e) => Events.Add($"message ({e.Importance}): {e.Message}");

    public void LogCustomEvent(CustomBuildEventArgs e) => Events.Add($"custom: {e.Message}");

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
        throw new NotSupportedException("the validation task builds no other project");
}
