using System.Text;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Documentation;
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
    public static ValidationReport Validate(string directory, bool keepScripts = false)
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
        Parallel.For(0, migrations.Count, i => perFile[i] = CheckFile(migrations[i].FullPath, out scripts[i]));
        foreach (var fileDiagnostics in perFile)
        {
            diagnostics.AddRange(fileDiagnostics);
        }

        var docs = ValidateReadme(fullDirectory, migrations, diagnostics);
        return new ValidationReport(fullDirectory, migrations, docs, diagnostics)
        {
            Scripts = keepScripts
                ? migrations.Select((m, i) => (m.Name, Script: scripts[i])).Where(p => p.Script is not null).ToDictionary(p => p.Name, p => p.Script!, StringComparer.Ordinal)
                : null,
        };
    }

    /// <summary>Reads and lexes one migration file (its name and README section are not checked).</summary>
    public static IReadOnlyList<Diagnostic> ValidateFile(string path) => CheckFile(path, out _);

    private static List<Diagnostic> CheckFile(string path, out SqlScript? split)
    {
        var diagnostics = new List<Diagnostic>();
        split = null;
        if (!TryRead(path, diagnostics, out var bytes))
        {
            return diagnostics;
        }

        CheckUtf8(path, bytes, diagnostics);
        var script = SqlSplitter.Split(bytes);
        split = script;
        if (script.HasByteOrderMark)
        {
            diagnostics.Add(DiagnosticCatalog.ByteOrderMark.At(path, 1, 1,
                "The file starts with a UTF-8 byte order mark. This tool skips it, but psql sends it to the server, which rejects the first statement.",
                "Save the file as UTF-8 without BOM."));
        }

        diagnostics.AddRange(script.ProblemsAsDiagnostics(path));
        if (script.Statements.Count == 0)
        {
            if (!script.HasProblems)
            {
                diagnostics.Add(DiagnosticCatalog.EmptyMigration.AtFile(path,
                    bytes.Length == 0 ? "The migration file is empty." : "The migration file holds only comments and whitespace.",
                    "Write the migration's SQL, or delete the file and renumber (with its README section) if it is not needed."));
            }

            return diagnostics;
        }

        foreach (var statement in script.Statements)
        {
            if (statement.IsTransactionControl)
            {
                diagnostics.Add(DiagnosticCatalog.TransactionControl.At(path, statement.Line, statement.Column,
                    "Transaction control statements (BEGIN, COMMIT, ROLLBACK, ...) break the runner's guarantee that each migration is applied wholly or not at all.",
                    "Remove them: every migration already runs in its own transaction."));
            }
            else if (!statement.IsTransactional)
            {
                diagnostics.Add(DiagnosticCatalog.NonTransactional.At(path, statement.Line, statement.Column,
                    $"{statement.NonTransactionalReason} cannot run inside a transaction block, so this migration will run statement by statement without one: a failure half-way leaves it partly applied.",
                    "Keep such statements in a migration of their own, and make them idempotent (e.g. IF NOT EXISTS) so a re-run can finish the job."));
            }
        }

        var last = script.Statements[^1];
        if (last.Terminator == StatementTerminator.EndOfInput && !script.HasProblems)
        {
            diagnostics.Add(DiagnosticCatalog.MissingFinalSemicolon.At(path, last.Line, last.Column,
                "The last statement has no terminating semicolon.",
                "End it with ';' so that appending a statement later cannot merge the two."));
        }

        return diagnostics;
    }

    private static Dictionary<string, RollbackDoc> ValidateReadme(string directory, IReadOnlyList<MigrationFile> migrations, List<Diagnostic> diagnostics)
    {
        var docs = new Dictionary<string, RollbackDoc>(StringComparer.Ordinal);
        var readmePath = Path.Combine(directory, MigrationDiscovery.ReadmeFileName);
        if (!File.Exists(readmePath))
        {
            diagnostics.Add(DiagnosticCatalog.ReadmeMissing.AtFile(readmePath,
                "The migrations directory has no README.md, so no migration has a documented rollback.",
                "Create README.md with a \"### NNNN_name.sql\" section per migration (Status, Purpose, Date, Changes and a rollback)."));
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
            var doc = RollbackDocParser.Parse(readmePath, section, diagnostics);
            if (docs.TryGetValue(doc.MigrationName, out var first))
            {
                diagnostics.Add(DiagnosticCatalog.DuplicateSection.At(readmePath, section.HeadingLine, 1,
                    $"{section.Title} is documented twice: here and on line {first.HeadingLine}.",
                    "Merge the two sections into one; the rollback runner must know which procedure is the real one."));
                continue;
            }

            if (!byFileName.ContainsKey(section.Title))
            {
                var sameNumber = migrations.FirstOrDefault(m => section.Title.StartsWith(m.Name[..4], StringComparison.Ordinal));
                diagnostics.Add(DiagnosticCatalog.OrphanSection.At(readmePath, section.HeadingLine, 1,
                    $"README.md documents {section.Title}, but there is no such file in the migrations directory.",
                    sameNumber is null
                        ? "Remove the section, or restore the migration file it documents."
                        : $"The file with that number is {sameNumber.FileName}: rename the heading to match it exactly."));
                continue;
            }

            docs.Add(doc.MigrationName, doc);
        }

        foreach (var migration in migrations)
        {
            if (!docs.ContainsKey(migration.Name) && sections.All(s => s.Title != migration.FileName))
            {
                diagnostics.Add(DiagnosticCatalog.SectionMissing.AtFile(migration.FullPath,
                    $"{migration.FileName} has no \"### {migration.FileName}\" section in README.md, so it has no documented rollback.",
                    $"Add the section to {readmePath} with Status, Purpose, Date, Changes and a Rollback Procedure (or \"Rollback: Not recommended - reason\")."));
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
            diagnostics.Add(DiagnosticCatalog.FileUnreadable.AtFile(path,
                $"The file cannot be read ({e.Message.TrimEnd('.')}).",
                "Check that it exists, is a regular file and is readable by the user running the build."));
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
        diagnostics.Add(DiagnosticCatalog.InvalidUtf8.At(path, line, column,
            $"The file is not valid UTF-8: byte 0x{bytes[offset]:X2} at offset {offset} does not start a UTF-8 character.",
            "Re-save the file as UTF-8 (PostgreSQL and psql read migrations as UTF-8)."));
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
        diagnostics.Add(DiagnosticCatalog.NulCharacter.At(path, line, column,
            $"The file holds a NUL character (byte 0x00 at offset {offset}); PostgreSQL refuses it in SQL text.",
            "Remove it; write binary data as a bytea literal such as '\\x00'::bytea or with decode()."));
    }

    /// <summary>1-based line and column (in characters) of a byte offset whose preceding bytes are valid UTF-8.</summary>
    private static (int Line, int Column) LineAndColumn(byte[] bytes, int offset)
    {
        var line = 1 + bytes.AsSpan(0, offset).Count((byte)'\n');
        var lineStart = bytes.AsSpan(0, offset).LastIndexOf((byte)'\n') + 1;
        return (line, Encoding.UTF8.GetCharCount(bytes.AsSpan(lineStart, offset - lineStart)) + 1);
    }
}
