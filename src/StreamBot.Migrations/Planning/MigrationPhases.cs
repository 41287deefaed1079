using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Planning;

/// <summary>What a phase of a migration applied in phases is.</summary>
public enum PhaseKind
{
    /// <summary>A run of statements committed in one transaction together with the recorded position after them.</summary>
    Transaction,

    /// <summary>One statement PostgreSQL refuses in a transaction (CREATE INDEX CONCURRENTLY, ...), recorded after it ran.</summary>
    Statement,

    /// <summary>A backfill: batches, each committed together with the cursor after it.</summary>
    Backfill,
}

/// <summary>Statements [<paramref name="First"/>, <paramref name="End"/>) of a migration, applied as one phase.</summary>
public sealed record MigrationPhase(PhaseKind Kind, int First, int End);

/// <summary>
/// The phases of a migration that has a backfill (ARCHITECTURE.md section 8, "a migration may have phases"): the
/// statements between backfills keep their transactional guarantees as runs of one transaction each, and the recorded
/// position after every phase is exact, except inside a non-transactional statement, whose effect a stop leaves unknown.
/// </summary>
public static class MigrationPhases
{
    /// <summary>The migration's phases in order.</summary>
    public static IReadOnlyList<MigrationPhase> Of(ValidatedMigration migration)
    {
        var statements = migration.Script.Statements;
        var backfills = migration.Backfills.Select(b => b.Statement).ToHashSet();
        var phases = new List<MigrationPhase>();
        var runStart = -1;
        for (var i = 0; i <= statements.Count; i++)
        {
            var transactional = i < statements.Count && statements[i].IsTransactional && !backfills.Contains(i);
            if (transactional)
            {
                runStart = runStart < 0 ? i : runStart;
                continue;
            }

            if (runStart >= 0)
            {
                phases.Add(new MigrationPhase(PhaseKind.Transaction, runStart, i));
                runStart = -1;
            }

            if (i < statements.Count)
            {
                phases.Add(new MigrationPhase(backfills.Contains(i) ? PhaseKind.Backfill : PhaseKind.Statement, i, i + 1));
            }
        }

        return phases;
    }

    /// <summary>
    /// Whether a stop recorded with <paramref name="done"/> statements behind it is exactly where the migration stands:
    /// true unless the next statement is one that runs outside a transaction (it may have run without being recorded).
    /// </summary>
    public static bool IsExact(ValidatedMigration migration, int done) =>
        done >= migration.Script.Statements.Count || migration.Script.Statements[done].IsTransactional;

    /// <summary>"phase 2 of 3 (backfill over message_history, statement 3)": where a recorded position stands, for status.</summary>
    public static string Describe(ValidatedMigration migration, int done)
    {
        var phases = Of(migration);
        var index = phases.ToList().FindIndex(p => done >= p.First && done < p.End);
        if (index < 0)
        {
            return $"all {phases.Count} phases done, the journal row not yet written";
        }

        var phase = phases[index];
        var what = phase.Kind switch
        {
            PhaseKind.Backfill => $"backfill over {migration.Backfills.First(b => b.Statement == phase.First).TableName}, statement {phase.First + 1}",
            PhaseKind.Statement => $"statement {phase.First + 1}, outside a transaction",
            _ => phase.End - phase.First == 1 ? $"statement {phase.First + 1} in a transaction" : $"statements {phase.First + 1} to {phase.End} in one transaction",
        };
        return $"phase {index + 1} of {phases.Count} ({what})";
    }
}
