using StreamBot.Migrations.Validation;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Planning;

/// <summary>What <c>status</c> shows: every migration's state, and a note when the journal looks like another folder's.</summary>
/// <param name="Entries">One entry per file and per journal row without a file, by name.</param>
/// <param name="Note">The finding that would stop up and down, shown as a note (status changes nothing).</param>
public sealed record StatusPlan(IReadOnlyList<StatusEntry> Entries, Diagnostic? Note);

/// <summary>Where an interrupted, non-transactional migration goes on.</summary>
/// <param name="Migration">The interrupted migration (the first pending one).</param>
/// <param name="Index">The 0-based statement to run first.</param>
/// <param name="Note">What ran before, for the log.</param>
public sealed record ResumePoint(ValidatedMigration Migration, int Index, string Note);

/// <summary>What <c>up</c> does: the pending migrations in order, and where the first resumes, or why it must not run.</summary>
/// <param name="Pending">Migrations to apply, in order.</param>
/// <param name="Resume">Where the first pending migration resumes, when it stopped half-way and the user said where.</param>
/// <param name="Problems">Why nothing may run; empty when the plan can run.</param>
public sealed record ApplyPlan(IReadOnlyList<ValidatedMigration> Pending, ResumePoint? Resume, IReadOnlyList<Diagnostic> Problems)
{
    internal static ApplyPlan Refused(IReadOnlyList<Diagnostic> problems) => new([], null, problems);
}

/// <summary>What <c>adopt</c> records: the migrations drizzle-orm applied that this tool's journal lacks, or why not.</summary>
/// <param name="Targets">Migrations to record as applied, in order (empty when all are recorded already).</param>
/// <param name="Problems">Why nothing may be recorded; empty when the plan can run.</param>
public sealed record AdoptPlan(IReadOnlyList<DrizzleFileStatus> Targets, IReadOnlyList<Diagnostic> Problems);

/// <summary>What <c>down</c> does: the migrations to roll back, newest first, or why it must not run.</summary>
/// <param name="Targets">Migrations to roll back, newest first (empty when nothing is applied).</param>
/// <param name="Problems">Why nothing may run; empty when the plan can run.</param>
public sealed record RollbackPlan(IReadOnlyList<ValidatedMigration> Targets, IReadOnlyList<Diagnostic> Problems);

/// <summary>What <c>baseline</c> records, and the objects to find in the catalog first, or why it must not run.</summary>
/// <param name="Range">0000 to the target, in order (empty when refused).</param>
/// <param name="Objects">Every object the range leaves created, with the migration whose statement creates it.</param>
/// <param name="Problems">Why nothing may be recorded; empty when the plan can run.</param>
public sealed record BaselinePlan(IReadOnlyList<ValidatedMigration> Range, IReadOnlyList<(Sql.SchemaObject Object, ValidatedMigration CreatedBy)> Objects, IReadOnlyList<Diagnostic> Problems)
{
    internal static BaselinePlan Refused(Diagnostic problem) => new([], [], [problem]);
}
