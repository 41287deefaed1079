using System.Text;
using StreamBot.Migrations.Backfills;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Documentation;
using StreamBot.Migrations.Drizzle;
using StreamBot.Migrations.Safety;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Validation;

/// <summary>
/// Checks a migrations directory end to end: file names and numbering, the SQL of every file, and the README
/// section (with its rollback SQL) that documents each one. Never throws for bad input: every problem a user can
/// cause comes back as a <see cref="Diagnostic"/>.
/// </summary>
public static class MigrationsValidator
{
    /// <summary>Validates the migrations in <paramref name="directory"/> and its README.md.</summary>
    /// <param name="directory">The migrations directory.</param>
    /// <param name="keepScripts">
    /// Keep each file's split script in the report, so that what runs against a database is exactly what was
    /// validated, read once (the build leaves this off: it only needs the diagnostics).
    /// </param>
    /// <param name="lint">
    /// Run the safety lint with these settings (the build and validate do); null leaves it off (a database command
    /// reports the folder's errors, not the build's warnings again).
    /// </param>
    public static ValidationReport Validate(string directory, bool keepScripts = false, LintOptions? lint = null)
    {
        var fullDirectory = Path.GetFullPath(directory);
        var (migrations, discoveryDiagnostics) = MigrationDiscovery.Discover(fullDirectory);
        var diagnostics = new List<Diagnostic>(discoveryDiagnostics);
        if (!Directory.Exists(fullDirectory))
        {
            return new ValidationReport(fullDirectory, migrations, new Dictionary<string, RollbackDoc>(), diagnostics);
        }

        // Files are independent: lex them in parallel, then report in file order so output is stable.
        var perFile = new List<Diagnostic>[migrations.Count];
        var scripts = new SqlScript?[migrations.Count];
        var directives = new MigrationDirectives?[migrations.Count];
        var backfills = new IReadOnlyList<Backfill>[migrations.Count];
        Parallel.For(0, migrations.Count, i => perFile[i] = CheckFile(migrations[i].FullPath, out scripts[i], out directives[i], out backfills[i]));
        foreach (var fileDiagnostics in perFile)
        {
            diagnostics.AddRange(fileDiagnostics);
        }

        BackfillKeyCheck.Run(migrations, scripts, backfills, diagnostics);

        var docs = ValidateReadme(fullDirectory, migrations, diagnostics);
        var drizzle = DrizzleKitJournal.Read(fullDirectory, migrations, diagnostics);
        var suppressed = new List<SuppressedDiagnostic>();
        if (lint is not null)
        {
            SafetyLint.Run(Path.Combine(fullDirectory, MigrationDiscovery.ReadmeFileName), migrations, scripts, directives, docs, lint, diagnostics, suppressed);
        }

        return new ValidationReport(fullDirectory, migrations, docs, diagnostics)
        {
            DrizzleKit = drizzle,
            Suppressed = suppressed,
            Validated = keepScripts
                ? migrations.Select((m, i) => scripts[i] is { } script ? ValidatedMigration.From(m, script, docs.GetValueOrDefault(m.Name), directives[i]?.Settings ?? MigrationSettings.None, backfills[i]) : null).OfType<ValidatedMigration>().ToList()
                : [],
        };
    }

    /// <summary>Reads and lexes one migration file (its name and README section are not checked).</summary>
    public static IReadOnlyList<Diagnostic> ValidateFile(string path) => CheckFile(path, out _, out _, out _);

    /// <summary>The file's own problems, its split script, its <c>-- streambot:</c> comments and its backfills, each read once.</summary>
    private static List<Diagnostic> CheckFile(string path, out SqlScript? split, out MigrationDirectives? directives, out IReadOnlyList<Backfill> backfills)
    {
        var diagnostics = new List<Diagnostic>();
        directives = null;
        split = null;
        backfills = [];
        if (!TryRead(path, diagnostics, out var bytes))
        {
            return diagnostics;
        }

        CheckUtf8(path, bytes, diagnostics);
        var script = SqlSplitter.Split(bytes);
        split = script;
        if (script.HasByteOrderMark)
        {
            diagnostics.Add(SqlDiagnostics.ByteOrderMark(path));
        }

        diagnostics.AddRange(script.ProblemsAsDiagnostics(path));
        if (bytes.AsSpan().IndexOf(Placeholder.MarkerUtf8) >= 0)
        {
            foreach (var comment in script.Comments())
            {
                var text = script.GetText(comment);
                if (text.Contains(Placeholder.Marker, StringComparison.Ordinal))
                {
                    var (line, column) = script.Locate(comment.Start);
                    diagnostics.Add(SqlDiagnostics.Placeholder(path, line, column, text.TrimStart('-', '/', '*', ' ').Split('\n')[0].Trim()));
                }
            }
        }

        if (script.Statements.Count == 0)
        {
            if (!script.HasProblems)
            {
                diagnostics.Add(SqlDiagnostics.EmptyMigration(path, fileIsEmpty: bytes.Length == 0));
            }

            return diagnostics;
        }

        foreach (var statement in script.Statements)
        {
            if (statement.IsTransactionControl)
            {
                diagnostics.Add(SqlDiagnostics.TransactionControl(path, statement.Line, statement.Column));
            }
            else if (!statement.IsTransactional)
            {
                diagnostics.Add(SqlDiagnostics.NonTransactional(path, statement.Line, statement.Column, statement.NonTransactionalReason!));
            }
        }

        // Malformed directives are errors in every file; suppressions are the lint's business (SafetyLint).
        directives = MigrationDirectives.Read(script, path);
        diagnostics.AddRange(directives.Problems.Where(p => p.Severity == DiagnosticSeverity.Error));
        if (!script.HasProblems)
        {
            backfills = ReadBackfills(script, directives.Backfills, path, diagnostics);
        }
        var last = script.Statements[^1];
        if (last.Terminator == StatementTerminator.EndOfInput && !script.HasProblems)
        {
            diagnostics.Add(SqlDiagnostics.MissingFinalSemicolon(path, last.Line, last.Column));
        }

        return diagnostics;
    }

    private static List<Backfill> ReadBackfills(SqlScript script, IReadOnlyList<BackfillMark> marks, string path, List<Diagnostic> diagnostics)
    {
        var backfills = new List<Backfill>();
        foreach (var mark in marks)
        {
            var statement = script.Statements[mark.Statement];
            if (BackfillReader.Read(script, mark.Statement, mark.Key, out var refusal) is { } backfill)
            {
                backfills.Add(backfill);
            }
            else
            {
                diagnostics.Add(BackfillDiagnostics.NotBatchable(path, statement.Line, statement.Column, refusal!));
            }
        }

        return backfills;
    }

    private static Dictionary<string, RollbackDoc> ValidateReadme(string directory, IReadOnlyList<MigrationFile> migrations, List<Diagnostic> diagnostics)
    {
        var docs = new Dictionary<string, RollbackDoc>(StringComparer.Ordinal);
        var readmePath = Path.Combine(directory, MigrationDiscovery.ReadmeFileName);
        if (!File.Exists(readmePath))
        {
            diagnostics.Add(ReadmeDiagnostics.ReadmeMissing(readmePath));
            return docs;
        }

        if (!TryRead(readmePath, diagnostics, out var bytes))
        {
            return docs;
        }

        CheckUtf8(readmePath, bytes, diagnostics);
        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var sections = ReadmeSections.Split(readmePath, lines, diagnostics);
        var byFileName = migrations.GroupBy(m => m.FileName).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        foreach (var section in sections)
        {
            for (var i = 0; i < section.Lines.Count; i++)
            {
                if (section.Lines[i].IndexOf(Placeholder.Marker, StringComparison.Ordinal) is >= 0 and var at)
                {
                    diagnostics.Add(ReadmeDiagnostics.Placeholder(readmePath, section.FirstLine + i, at + 1, section.Title, section.Lines[i].Trim()));
                }
            }

            var doc = RollbackDocParser.Parse(readmePath, section, diagnostics);
            if (docs.TryGetValue(doc.MigrationName, out var first))
            {
                diagnostics.Add(ReadmeDiagnostics.DuplicateSection(readmePath, section.HeadingLine, section.Title, first.HeadingLine));
                continue;
            }

            if (!byFileName.ContainsKey(section.Title))
            {
                var sameNumber = migrations.FirstOrDefault(m => section.Title.StartsWith(m.Name[..4], StringComparison.Ordinal));
                diagnostics.Add(ReadmeDiagnostics.OrphanSection(readmePath, section.HeadingLine, section.Title, sameNumber?.FileName));
                continue;
            }

            docs.Add(doc.MigrationName, doc);
        }

        foreach (var migration in migrations)
        {
            if (!docs.ContainsKey(migration.Name) && sections.All(s => s.Title != migration.FileName))
            {
                diagnostics.Add(ReadmeDiagnostics.SectionMissing(migration.FullPath, migration.FileName, readmePath));
            }
        }

        return docs;
    }

    private static bool TryRead(string path, List<Diagnostic> diagnostics, out byte[] bytes)
    {
        try
        {
            bytes = File.ReadAllBytes(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(FolderDiagnostics.FileUnreadable(path, e));
            bytes = [];
            return false;
        }
    }

    private static void CheckUtf8(string path, byte[] bytes, List<Diagnostic> diagnostics)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            CheckNul(path, bytes, diagnostics);
            return;
        }

        var offset = 0;
        while (offset < bytes.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes.AsSpan(offset), out _, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                break;
            }

            offset += consumed;
        }

        var (line, column) = LineAndColumn(bytes, offset);
        diagnostics.Add(SqlDiagnostics.InvalidUtf8(path, line, column, bytes[offset], offset));
    }

    // Valid UTF-8, yet PostgreSQL refuses it anywhere in a query ("invalid byte sequence for encoding UTF8: 0x00"),
    // so the build should say so rather than the server, half-way through a deploy.
    private static void CheckNul(string path, byte[] bytes, List<Diagnostic> diagnostics)
    {
        var offset = bytes.AsSpan().IndexOf((byte)0);
        if (offset < 0)
        {
            return;
        }

        var (line, column) = LineAndColumn(bytes, offset);
        diagnostics.Add(SqlDiagnostics.NulCharacter(path, line, column, offset));
    }

    /// <summary>1-based line and column (in characters) of a byte offset whose preceding bytes are valid UTF-8.</summary>
    private static (int Line, int Column) LineAndColumn(byte[] bytes, int offset)
    {
        var line = 1 + bytes.AsSpan(0, offset).Count((byte)'\n');
        var lineStart = bytes.AsSpan(0, offset).LastIndexOf((byte)'\n') + 1;
        return (line, Encoding.UTF8.GetCharCount(bytes.AsSpan(lineStart, offset - lineStart)) + 1);
    }
}
