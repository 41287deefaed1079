using System.Text.Encodings.Web;
using System.Text.Json;
using StreamBot.Migrations.Postgres.Watching;

namespace StreamBot.Migrations.Cli;

/// <summary>A watch's report as JSON for CI: what was watched, for how long, and each regression.</summary>
internal static class WatchWriter
{
    public static void WriteJson(WatchReport report, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("database", report.Database);
            json.WriteNumber("watchedSeconds", Math.Round(report.Watched.TotalSeconds, 1));
            json.WriteNumber("reads", report.Reads);
            if (report.Queries is { } queries) json.WriteNumber("queriesCompared", queries); else json.WriteNull("queriesCompared");
            json.WriteStartArray("notWatched");
            report.NotWatched.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteStartArray("findings");
            foreach (var finding in report.Findings)
            {
                json.WriteStartObject();
                json.WriteString("kind", JsonNamingPolicy.CamelCase.ConvertName(finding.Kind.ToString()));
                json.WriteString("subject", finding.Subject);
                json.WriteString("detail", finding.Detail);
                if (finding.Migration is { } migration) json.WriteString("migration", migration); else json.WriteNull("migration");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        output.Flush();
    }
}
