using StreamBot.Migrations.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Running;

namespace StreamBot.Migrations.Cli;

/// <summary>Prints a status report as a table for people or as JSON for CI.</summary>
internal static class StatusWriter
{
    public static void WriteTable(StatusReport report, TextWriter output)
    {
        Line(output, $"Database {report.Database}");
        Line(output, $"{"Migration",-55} {"State",-13} {"Applied at (UTC)",-19} {"Took",9}  By");
        foreach (var m in report.Migrations)
        {
            var at = m.AppliedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";
            var took = m.ExecutionMs is { } ms ? ms.ToString(CultureInfo.InvariantCulture) + " ms" : "-";
            Line(output, $"{m.Name,-55} {State(m.State),-13} {at,-19} {took,9}  {m.AppliedBy ?? "-"}");
            if (m.Progress is { } phased && m.Phase is { } phase)
            {
                var running = report.LockHolder is { BackendAlive: true } ? "; the migration lock is held, so it may be running now" : string.Empty;
                Line(output, $"  stopped at {phase}{(m.Backfill is { } backfill ? $": {backfill}" : string.Empty)}{running}; "
                    + (m.ResumesByItself ? "up goes on from there by itself" : $"up refuses until told how to go on (--resume-from {phased.Done + 1}, see SBM4018)"));
            }
            else if (m.Progress is { } progress)
            {
                Line(output, $"  stopped half-way: {progress.Done} of {progress.Total} statement(s) ran; up refuses until told how to go on (--resume-from {progress.Done + 1}, see SBM4018)");
            }
        }

        foreach (var index in report.InvalidIndexes)
        {
            Line(output, $"INVALID index {index}: left by a failed or interrupted CREATE INDEX CONCURRENTLY (see SBM4023)");
        }

        foreach (var blocker in report.Blockers)
        {
            Line(output, $"Would block a pending migration: {blocker} (see SBM4033)");
        }

        foreach (var finding in report.DataChecks.Conflicts.Concat(report.DataChecks.Unfinished))
        {
            Line(output, $"Data check: {finding}");
        }

        foreach (var note in report.DataChecks.Notes)
        {
            Line(output, note);
        }

        foreach (var change in report.Drift ?? [])
        {
            Line(output, $"Changed outside the migrations: {change} (see SBM4035)");
        }

        foreach (var accepted in report.AcceptedDrift)
        {
            Line(output, $"Accepted drift (after {accepted.Migration}, {accepted.At.UtcDateTime:yyyy-MM-dd HH:mm} UTC, by {accepted.By}): {string.Join("; ", accepted.Changes)}");
        }

        if (report.Drizzle is { } drizzle)
        {
            Line(output, $"drizzle-orm journal {drizzle.Table} ({drizzle.Match.Files.Count(f => f.State == DrizzleFileState.Applied)} of {drizzle.Match.Files.Count} file(s) applied there):");
            foreach (var file in drizzle.Match.Files)
            {
                var how = file.MatchedAs is null ? string.Empty : $" ({file.MatchedAs})";
                Line(output, $"  {file.Migration.Name,-53} {DrizzleState(file.State),-13} when {file.When}{how}");
            }

            foreach (var row in drizzle.Match.UnknownRows)
            {
                Line(output, $"  row id {row.Id}: hash {row.Hash}, created_at {row.CreatedAt?.ToString(CultureInfo.InvariantCulture) ?? "null"}: matches no file of this folder");
            }

            foreach (var problem in drizzle.Match.RowProblems)
            {
                Line(output, $"  {problem.What}. Fix: {problem.Fix}");
            }
        }

        if (report.Migrations.Count(m => m.State == MigrationState.AppliedByDrizzle) is > 0 and var adoptable)
        {
            Line(output, $"{adoptable} migration(s) were applied by drizzle-orm and are not in this tool's journal yet: run adopt (dotnet build -t:AdoptMigrations) before up (see SBM4028).");
        }

        Line(output, report.LockHolder switch
        {
            null => "Lock: free",
            { BackendAlive: false } gone => $"Lock: free (a row left by {gone}; its session has ended, so the next run takes it over)",
            var holder => $"Lock: held by {holder}",
        });
        var counts = report.Migrations.GroupBy(m => m.State).Select(g => $"{g.Count()} {State(g.Key)}");
        Line(output, report.Migrations.Count == 0 ? "0 migration(s)." : $"{report.Migrations.Count} migration(s): {string.Join(", ", counts)}.");
    }

    public static void WriteJson(StatusReport report, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("database", report.Database);
            json.WriteStartArray("migrations");
            foreach (var m in report.Migrations)
            {
                json.WriteStartObject();
                json.WriteString("name", m.Name);
                json.WriteString("state", State(m.State));
                if (m.AppliedAt is { } at) json.WriteString("appliedAt", at.UtcDateTime.ToString("o", CultureInfo.InvariantCulture)); else json.WriteNull("appliedAt");
                if (m.ExecutionMs is { } ms) json.WriteNumber("executionMs", ms); else json.WriteNull("executionMs");
                if (m.AppliedBy is { } by) json.WriteString("appliedBy", by); else json.WriteNull("appliedBy");
                if (m.Progress is { } progress)
                {
                    json.WriteNumber("statementsDone", progress.Done);
                    json.WriteNumber("statementsTotal", progress.Total);
                    if (m.Phase is { } phase)
                    {
                        json.WriteString("phase", phase);
                        json.WriteBoolean("resumesByItself", m.ResumesByItself);
                    }

                    if (m.Backfill is { } backfill)
                    {
                        json.WriteStartObject("backfill");
                        json.WriteNumber("statement", backfill.Statement + 1);
                        json.WriteNumber("rowsWalked", backfill.Scanned);
                        json.WriteNumber("rowsChanged", backfill.Changed);
                        if (backfill.Estimate is { } estimate) json.WriteNumber("rowsEstimated", estimate); else json.WriteNull("rowsEstimated");
                        json.WriteNumber("batches", backfill.Batches);
                        json.WriteString("startedAt", backfill.StartedAt.UtcDateTime.ToString("o", CultureInfo.InvariantCulture));
                        json.WriteEndObject();
                    }
                }
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (report.LockHolder is { } holder)
            {
                json.WriteStartObject("lock");
                json.WriteString("lockedBy", holder.LockedBy);
                json.WriteString("lockedAt", holder.LockedAt.UtcDateTime.ToString("o", CultureInfo.InvariantCulture));
                json.WriteString("heartbeatAt", holder.HeartbeatAt.UtcDateTime.ToString("o", CultureInfo.InvariantCulture));
                json.WriteBoolean("holderAlive", holder.BackendAlive);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("lock");
            }

            json.WriteStartArray("invalidIndexes");
            foreach (var index in report.InvalidIndexes)
            {
                json.WriteStringValue(index);
            }

            json.WriteEndArray();
            if (report.Drift is { } drift)
            {
                json.WriteStartArray("drift");
                foreach (var change in drift)
                {
                    json.WriteStartObject();
                    json.WriteString("kind", change.Kind.ToString().ToLowerInvariant());
                    json.WriteString("object", change.Name);
                    if (change.Before is { } before) json.WriteString("before", before); else json.WriteNull("before");
                    if (change.After is { } after) json.WriteString("after", after); else json.WriteNull("after");
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }
            else
            {
                json.WriteNull("drift");
            }

            json.WriteStartArray("acceptedDrift");
            foreach (var accepted in report.AcceptedDrift)
            {
                json.WriteStartObject();
                json.WriteString("migration", accepted.Migration);
                json.WriteString("at", accepted.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteString("by", accepted.By);
                json.WriteStartArray("changes");
                accepted.Changes.ToList().ForEach(json.WriteStringValue);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartArray("blockers");
            foreach (var blocker in report.Blockers)
            {
                json.WriteStartObject();
                json.WriteNumber("pid", blocker.Pid);
                json.WriteString("user", blocker.User);
                json.WriteString("applicationName", blocker.ApplicationName);
                json.WriteString("state", blocker.State);
                json.WriteNumber("transactionSeconds", Math.Round(blocker.TransactionAge.TotalSeconds, 1));
                json.WriteString("query", blocker.Query);
                json.WriteString("locks", blocker.Tables);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("dataChecks");
            json.WriteNumber("checked", report.DataChecks.Checked);
            foreach (var (name, findings) in new[] { ("conflicts", report.DataChecks.Conflicts), ("unfinished", report.DataChecks.Unfinished) })
            {
                json.WriteStartArray(name);
                foreach (var finding in findings)
                {
                    json.WriteStartObject();
                    json.WriteString("code", finding.Code);
                    json.WriteString("file", finding.File);
                    json.WriteNumber("line", finding.Line);
                    json.WriteNumber("column", finding.Column);
                    json.WriteString("message", finding.FullMessage);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteStartArray("notes");
            report.DataChecks.Notes.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteEndObject();
            if (report.Drizzle is { } drizzle)
            {
                json.WriteStartObject("drizzle");
                json.WriteString("table", drizzle.Table);
                json.WriteStartArray("migrations");
                foreach (var file in drizzle.Match.Files)
                {
                    json.WriteStartObject();
                    json.WriteString("name", file.Migration.Name);
                    json.WriteString("state", DrizzleState(file.State));
                    json.WriteNumber("when", file.When);
                    if (file.Row is { } row) json.WriteNumber("rowId", row.Id); else json.WriteNull("rowId");
                    if (file.MatchedAs is { } how) json.WriteString("matchedAs", how); else json.WriteNull("matchedAs");
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteStartArray("unknownRows");
                foreach (var row in drizzle.Match.UnknownRows)
                {
                    json.WriteStartObject();
                    json.WriteNumber("id", row.Id);
                    json.WriteString("hash", row.Hash);
                    if (row.CreatedAt is { } created) json.WriteNumber("createdAt", created); else json.WriteNull("createdAt");
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteStartArray("rowProblems");
                foreach (var problem in drizzle.Match.RowProblems)
                {
                    json.WriteStartObject();
                    json.WriteNumber("id", problem.Row.Id);
                    json.WriteString("problem", problem.What);
                    json.WriteString("fix", problem.Fix);
                    json.WriteBoolean("stopsAdoption", problem.StopsAdoption);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("drizzle");
            }

            json.WritePropertyName("pending");
            json.WriteNumberValue(report.PendingCount);
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    // Names, holders and index names come from the database: printed escaped, like every line of the CLI.
    private static void Line(TextWriter output, string text) => output.WriteLine(Printable.Of(text));

    private static string DrizzleState(DrizzleFileState state) => state switch
    {
        DrizzleFileState.Applied => "applied",
        DrizzleFileState.Pending => "pending",
        DrizzleFileState.Edited => "edited",
        DrizzleFileState.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "A drizzle state without a name in status."),
    };

    internal static string State(MigrationState state) => state switch
    {
        MigrationState.Applied => "applied",
        MigrationState.Pending => "pending",
        MigrationState.Changed => "changed",
        MigrationState.Interrupted => "interrupted",
        MigrationState.Unreadable => "unreadable",
        MigrationState.FileMissing => "file-missing",
        MigrationState.AppliedByDrizzle => "applied-by-drizzle",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "A state without a name in status."),
    };
}
