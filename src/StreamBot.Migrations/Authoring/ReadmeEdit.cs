using StreamBot.Migrations.Validation;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Documentation;

namespace StreamBot.Migrations.Authoring;

/// <summary>
/// The README edits of new, draft-rollback and renumber, on its lines: a section for a new migration (the runbook's
/// headings, placeholders where a person must write), its rollback block replaced by a draft, a heading renamed.
/// Line endings are kept as the file has them.
/// </summary>
public static class ReadmeEdit
{
    /// <summary>The section <c>new</c> writes: every field the build requires, each a placeholder until filled in.</summary>
    public static string NewSection(string fileName, DateOnly today, DraftedRollback? rollback) => $"""
        ### {fileName}
        **Status**: 🚧 Draft  
        **Purpose**: {Placeholder.Text("what this migration does and why")}  
        **Date**: {today:yyyy-MM-dd}

        **Changes**:
        - {Placeholder.Text("each change, one per line")}

        {RollbackPart(fileName, rollback)}

        ---

        """;

    /// <summary>The Rollback Procedure block and the Rollback Risk line, drafted or as placeholders.</summary>
    public static string RollbackPart(string fileName, DraftedRollback? rollback) => rollback is null
        ? $"""
          **Rollback Procedure**:
          ```sql
          -- {Placeholder.Text($"write the rollback, or run streambot-migrate draft-rollback {fileName} once the SQL is written")}
          ```

          **Rollback Risk**: {Placeholder.Text("LOW, MEDIUM or HIGH, and what the rollback loses")}
          """
        : $"""
          **Rollback Procedure**:
          ```sql
          -- Drafted by streambot-migrate draft-rollback from {fileName}: read it before you rely on it.
          {rollback.Sql}
          ```

          **Rollback Risk**: {rollback.Risk.ToString().ToUpperInvariant()} - {rollback.RiskReason}
          """;

    /// <summary>
    /// The README a new project's folder starts with: the runbook's introduction and headings, with the Migration
    /// Files heading where <c>new</c> adds each migration's section.
    /// </summary>
    public static string NewReadme() => """
        # Database Migrations

        This directory holds the database schema migrations: plain SQL files `NNNN_description.sql`, applied in order,
        each in its own transaction, by `streambot-migrate up` (or `dotnet build -t:ApplyMigrations`). Every migration has
        a section below with its purpose, its changes and a rollback procedure that the build checks and
        `streambot-migrate rehearse` proves on a scratch database.

        ## Migration Files

        ## Running Migrations

        ### Check Migration Status
        ```bash
        streambot-migrate status
        ```

        ### Apply Pending Migrations
        ```bash
        streambot-migrate up
        ```

        ### Rollback Last Migration
        ```bash
        streambot-migrate down
        ```

        ## Creating New Migrations
        ```bash
        streambot-migrate new add_stream_markers
        ```
        Write its SQL, then `streambot-migrate draft-rollback NNNN_add_stream_markers.sql`, fill in every field the build
        points at, and rehearse it before it ships.

        ## Production Deployment Checklist
        - [ ] `dotnet build` passes (names, SQL, README sections, safety lint)
        - [ ] `streambot-migrate rehearse` passes
        - [ ] `streambot-migrate status` shows no drift and no blockers
        - [ ] Backup location has room (`up` takes a pg_dump backup first)

        """;

    /// <summary>
    /// Inserts <paramref name="section"/> after the last migration section (before the heading that ends it); in a
    /// README without one, at the end of its Migration Files heading's text, or at the end of the file.
    /// </summary>
    public static string InsertSection(string readme, string section)
    {
        var (lines, newline) = Lines(readme);
        var sections = Sections(lines);
        var insertAt = sections.Count > 0 ? End(sections[^1]) : EndOfMigrationFiles(lines);
        var block = section.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n').ToList();
        if (insertAt > 0 && lines[insertAt - 1].Trim().Length > 0)
        {
            block.Insert(0, string.Empty);
        }

        block.Add(string.Empty);
        lines.InsertRange(insertAt, block);
        return string.Join(newline, lines);
    }

    /// <summary>
    /// Replaces the Rollback Procedure block and Rollback Risk line of <paramref name="fileName"/>'s section with the
    /// draft, only while the block still holds the placeholder <c>new</c> wrote: a rollback a person wrote is never
    /// overwritten. Returns null when there is no such placeholder block.
    /// </summary>
    public static string? ReplacePlaceholderRollback(string readme, string fileName, DraftedRollback rollback)
    {
        var (lines, newline) = Lines(readme);
        if (Sections(lines).FirstOrDefault(s => s.Title == fileName) is not { } section)
        {
            return null;
        }

        var start = section.HeadingLine - 1;
        var count = End(section) - start;
        var procedure = lines.FindIndex(start, count, l => l.StartsWith("**Rollback Procedure**", StringComparison.Ordinal));
        var risk = lines.FindIndex(start, count, l => l.StartsWith("**Rollback Risk**", StringComparison.Ordinal));
        if (procedure < 0 || risk < procedure || !lines.Skip(procedure).Take(risk - procedure).Any(l => l.Contains(Placeholder.Marker, StringComparison.Ordinal) && l.Contains("draft-rollback", StringComparison.Ordinal)))
        {
            return null;
        }

        lines.RemoveRange(procedure, risk - procedure + 1);
        lines.InsertRange(procedure, RollbackPart(fileName, rollback).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'));
        return string.Join(newline, lines);
    }

    /// <summary>Renames a migration's heading; null when the README has no section for it.</summary>
    public static string? RenameSection(string readme, string oldFileName, string newFileName)
    {
        var (lines, newline) = Lines(readme);
        if (Sections(lines).FirstOrDefault(s => s.Title == oldFileName) is not { } section)
        {
            return null;
        }

        lines[section.HeadingLine - 1] = lines[section.HeadingLine - 1].Replace(oldFileName, newFileName, StringComparison.Ordinal);
        return string.Join(newline, lines);
    }

    private static (List<string> Lines, string Newline) Lines(string readme) =>
        (readme.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList(), readme.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n");

    // The build's own reading of the README (code fences respected): where each migration section starts and ends.
    private static IReadOnlyList<MarkdownSection> Sections(List<string> lines) => ReadmeSections.Split(MigrationDiscovery.ReadmeFileName, lines, []);

    /// <summary>The 0-based index of the line just past the section.</summary>
    private static int End(MarkdownSection section) => section.FirstLine - 1 + section.Lines.Count;

    // The line before the heading that follows "## Migration Files" (trailing blank lines kept after the insert).
    private static int EndOfMigrationFiles(List<string> lines)
    {
        var heading = lines.FindIndex(l => l.Trim().Equals("## Migration Files", StringComparison.OrdinalIgnoreCase));
        if (heading < 0)
        {
            return lines.Count;
        }

        var next = lines.FindIndex(heading + 1, l => l.StartsWith("## ", StringComparison.Ordinal) || l.StartsWith("# ", StringComparison.Ordinal));
        var end = next < 0 ? lines.Count : next;
        while (end > heading + 1 && lines[end - 1].Trim().Length == 0)
        {
            end--;
        }

        return end;
    }
}
