using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Documentation;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Safety;

/// <summary>How the safety lint runs.</summary>
/// <param name="FirstMigration">
/// The first migration to lint ("0005" or "0005_add_markers"): the ones before it are applied in production, and an
/// applied migration cannot be edited to fix or silence a finding. Null lints every migration.
/// </param>
/// <param name="PostgresVersion">The server's major version: rules for what it makes safe turn off.</param>
public sealed record LintOptions(string? FirstMigration = null, int PostgresVersion = LintOptions.DefaultPostgresVersion)
{
    /// <summary>The oldest PostgreSQL major version still supported by the PostgreSQL project (in 2026).</summary>
    public const int DefaultPostgresVersion = 14;

    /// <summary>The lint as the build runs it by default.</summary>
    public static LintOptions Default { get; } = new();

    /// <summary>The version as it was given, when it was not a number (the lint reports it).</summary>
    public string? UnreadableVersion { get; init; }

    /// <summary>Settings as the build's properties and the command line give them: empty means the default.</summary>
    public static LintOptions From(string? firstMigration, string? postgresVersion)
    {
        var text = postgresVersion?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return new LintOptions(firstMigration);
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)
            ? new LintOptions(firstMigration, version)
            : new LintOptions(firstMigration, 0) { UnreadableVersion = text };
    }
}

/// <summary>
/// Runs the safety rules over a folder in migration order, so that "an existing table" and "a column's current type"
/// mean what the earlier migrations made them; applies each migration's suppressions and reports those that silence
/// nothing.
/// </summary>
internal static class SafetyLint
{
    /// <summary>The rules a <c>-- streambot:allow</c> comment may silence.</summary>
    public static IReadOnlyList<DiagnosticDescriptor> Rules { get; } =
    [
        DiagnosticCatalog.IndexNotConcurrent, DiagnosticCatalog.ConstraintNotValidMissing, DiagnosticCatalog.ValidatedInSameTransaction,
        DiagnosticCatalog.UniqueWithoutIndex, DiagnosticCatalog.ColumnTypeRewrite, DiagnosticCatalog.SetNotNullScans,
        DiagnosticCatalog.VolatileDefault, DiagnosticCatalog.Rename, DiagnosticCatalog.DestructiveWithoutHighRisk,
        DiagnosticCatalog.TableRewriteCommand, DiagnosticCatalog.UnboundedDataChange, DiagnosticCatalog.ConcurrentlyMixed,
        DiagnosticCatalog.EnumValueUsedTooSoon, DiagnosticCatalog.SessionSetting, DiagnosticCatalog.NotNullWithoutDefault,
        DiagnosticCatalog.DropIndexNotConcurrent, DiagnosticCatalog.StorageRewrite, DiagnosticCatalog.DropOutsideContract,
        DiagnosticCatalog.SetNotNullOutsideContract,
    ];

    public static void Run(string readmePath, IReadOnlyList<MigrationFile> migrations, IReadOnlyList<SqlScript?> scripts,
        IReadOnlyList<MigrationDirectives?> directives, IReadOnlyDictionary<string, RollbackDoc> docs, LintOptions options, List<Diagnostic> diagnostics,
        List<SuppressedDiagnostic> suppressed)
    {
        if (FirstNumber(readmePath, migrations, options, diagnostics) is not { } first)
        {
            return;
        }

        var schema = new FolderSchema();
        for (var m = 0; m < migrations.Count; m++)
        {
            if (scripts[m] is not { HasProblems: false } script)
            {
                continue;
            }

            var file = migrations[m];
            var scope = new SafetyScope(file.FullPath, options.PostgresVersion, docs.GetValueOrDefault(file.Name)?.Risk,
                script.Statements.All(s => s.IsTransactional), schema)
            {
                IsContract = directives[m]?.Settings.ContractAfter is not null,
            };
            var findingsByStatement = new List<Diagnostic>[script.Statements.Count];
            for (var s = 0; s < script.Statements.Count; s++)
            {
                var before = scope.Findings.Count;
                StatementRules.Analyze(new StatementView(script, script.Statements[s]), scope);
                findingsByStatement[s] = scope.Findings.GetRange(before, scope.Findings.Count - before);
                if (directives[m]?.Backfills.Any(b => b.Statement == s) == true)
                {
                    // A backfill runs in short batches: the long row-locking transaction SBM6011 warns about does not happen.
                    findingsByStatement[s].RemoveAll(f => f.Code == DiagnosticCatalog.UnboundedDataChange.Code);
                }
            }

            ReportMixed(script, scope, findingsByStatement);
            if (file.Number < first || directives[m] is not { } comments)
            {
                continue;
            }

            // The validator reported the malformed ones (errors) already, in every file.
            diagnostics.AddRange(comments.Problems.Where(p => p.Code != DiagnosticCatalog.DirectiveInvalid.Code));
            ApplySuppressions(file.FullPath, findingsByStatement, comments.Suppressions, diagnostics, suppressed);
        }
    }

    private static void ReportMixed(SqlScript script, SafetyScope scope, List<Diagnostic>[] findingsByStatement)
    {
        var statements = script.Statements;
        var first = -1;
        for (var i = 0; i < statements.Count && first < 0; i++)
        {
            first = statements[i].IsTransactional ? -1 : i;
        }

        if (first >= 0 && statements.Any(s => s.IsTransactional))
        {
            findingsByStatement[first].Add(SafetyDiagnostics.ConcurrentlyMixed(scope.Path, statements[first].Line, statements[first].Column, statements[first].NonTransactionalReason!));
        }
    }

    private static void ApplySuppressions(string path, List<Diagnostic>[] findingsByStatement, List<Suppression> suppressions, List<Diagnostic> diagnostics,
        List<SuppressedDiagnostic> suppressed)
    {
        var used = new bool[suppressions.Count];
        for (var s = 0; s < findingsByStatement.Length; s++)
        {
            foreach (var finding in findingsByStatement[s])
            {
                var silencedBy = suppressions.FindIndex(x => x.Statement == s && x.Code == finding.Code);
                if (silencedBy >= 0)
                {
                    used[silencedBy] = true;
                    suppressed.Add(new SuppressedDiagnostic(finding, suppressions[silencedBy].Reason));
                    // Every suppression of that code on the statement is used, not just the first.
                    for (var k = silencedBy + 1; k < suppressions.Count; k++)
                    {
                        used[k] |= suppressions[k].Statement == s && suppressions[k].Code == finding.Code;
                    }
                }
                else
                {
                    diagnostics.Add(finding);
                }
            }
        }

        for (var k = 0; k < suppressions.Count; k++)
        {
            if (!used[k])
            {
                diagnostics.Add(SafetyDiagnostics.SuppressionUnused(path, suppressions[k].Line, suppressions[k].Column, suppressions[k].Code));
            }
        }
    }

    /// <summary>
    /// Whether the lint, run with <paramref name="options"/> over <paramref name="migrations"/>, checks
    /// <paramref name="migration"/> (a migration before MigrationsLintFrom is not checked).
    /// </summary>
    public static bool Checks(LintOptions options, IReadOnlyList<MigrationFile> migrations, MigrationFile migration) =>
        FirstNumber(string.Empty, migrations, options, []) is { } first && migration.Number >= first;

    /// <summary>The number of the first migration to lint; null (and an error) when the setting names none.</summary>
    private static int? FirstNumber(string readmePath, IReadOnlyList<MigrationFile> migrations, LintOptions options, List<Diagnostic> diagnostics)
    {
        if (options.PostgresVersion < 10)
        {
            diagnostics.Add(SafetyDiagnostics.LintSettingInvalid(readmePath, options.UnreadableVersion is { } text
                ? $"the PostgreSQL version '{text}' is not a major version number."
                : $"PostgreSQL {options.PostgresVersion} is older than this lint knows (10 or later)."));
            return null;
        }

        var setting = options.FirstMigration?.Trim();
        if (string.IsNullOrEmpty(setting))
        {
            return 0;
        }

        // One reading of "which migration" for every command (a typo must not turn the lint off by naming nothing).
        // The number after the last migration is allowed: "lint what is written from now on" before it is written.
        var next = Discovery.MigrationDiscovery.NextNumber(migrations);
        if (Planning.MigrationReference.Resolve(setting, migrations.Select(m => m.Name)) is not { } name)
        {
            if (Planning.MigrationReference.Resolve(setting, [$"{next:D4}_next"]) is not null && !setting.Contains('_', StringComparison.Ordinal))
            {
                return next;
            }

            diagnostics.Add(SafetyDiagnostics.LintSettingInvalid(readmePath, migrations.Count == 0
                ? $"the first migration to lint, '{setting}', names no migration: the folder has none (0000 lints the first one)."
                : $"the first migration to lint, '{setting}', names no migration of the folder ({migrations[0].Name[..4]} to {migrations[^1].Name[..4]}, or {next:D4} for the next one)."));
            return null;
        }

        return migrations.First(m => m.Name == name).Number;
    }
}
