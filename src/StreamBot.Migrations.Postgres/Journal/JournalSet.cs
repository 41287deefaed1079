using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Locking;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Journal;

/// <summary>
/// Everything the database says about what is applied, read together: this tool's journal, the progress of a
/// migration that stopped half-way, and drizzle-orm's journal when there is one. One catalog query learns which of
/// those tables exist and with which columns (the shape check), one batch reads their rows. When drizzle-orm's
/// journal holds the configured name (the runbook's drizzle_migrations), this tool's journal sits beside it
/// (drizzle_migrations_streambot): the two tools never share a table.
/// </summary>
internal sealed class JournalSet
{
    /// <summary>Where this tool's journal goes when drizzle-orm's journal holds its configured name.</summary>
    public const string BesideDrizzleSuffix = "_streambot";

    private static readonly string[] ProgressColumns = ["name", "hash", "statements_done", "statements_total", "updated_at", "applied_by"];

    // What stands under this tool's journal name: nothing yet, its journal, or a table drizzle-orm made.
    private enum Occupant
    {
        Nothing,
        Ours,
        Drizzle,
    }

    private readonly Occupant _occupant;

    private JournalSet(MigrationJournal journal, Occupant occupant, DrizzleJournalTable.Found? drizzle, MigrationFolder folder,
        IReadOnlyList<JournalRow> applied, IReadOnlyList<ProgressRow> stopped)
    {
        Journal = journal;
        Progress = new MigrationProgress(journal.TableName);
        _occupant = occupant;
        Drizzle = drizzle;
        Folder = folder;
        Applied = applied;
        Stopped = stopped;
    }

    /// <summary>This tool's journal (beside drizzle-orm's when that one holds the configured name).</summary>
    public MigrationJournal Journal { get; }

    /// <summary>The progress table of migrations that run statement by statement.</summary>
    public MigrationProgress Progress { get; }

    /// <summary>drizzle-orm's journal and its rows, when the database has one.</summary>
    public DrizzleJournalTable.Found? Drizzle { get; }

    /// <summary>drizzle-orm's journal as the planner takes it.</summary>
    public (string Table, IReadOnlyList<DrizzleRow> Rows)? DrizzleRows => Drizzle is { } found ? (found.Name, found.Rows) : null;

    /// <summary>The validated folder, naming the journal in use.</summary>
    public MigrationFolder Folder { get; }

    /// <summary>This tool's journal rows, by name (empty when it does not exist yet).</summary>
    public IReadOnlyList<JournalRow> Applied { get; }

    /// <summary>The progress rows of migrations that stopped half-way.</summary>
    public IReadOnlyList<ProgressRow> Stopped { get; }

    /// <summary>The newest migration this tool's journal lists: the one whose recorded schema drift is measured against.</summary>
    public string? LastApplied => Applied.Select(r => r.Name).Order(StringComparer.Ordinal).LastOrDefault();

    /// <summary>The schema fingerprints kept beside this tool's journal.</summary>
    public SchemaFingerprints Fingerprints => new(Journal.TableName);

    /// <summary>The names this tool's journal lists (renumber and a rehearsal on a restored backup need no more).</summary>
    public static async Task<IReadOnlySet<string>> AppliedNamesAsync(NpgsqlConnection connection, QualifiedName configured, CancellationToken cancellation = default)
    {
        var nothing = new MigrationFolder(string.Empty, [], new HashSet<string>(StringComparer.Ordinal), configured.ToString());
        var set = await ReadAsync(connection, configured, nothing, cancellation).ConfigureAwait(false);
        return set.Applied.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Reads the journals in two round trips: the shape of every candidate table, then their rows.</summary>
    public static async Task<JournalSet> ReadAsync(NpgsqlConnection connection, QualifiedName configured, MigrationFolder validated, CancellationToken cancellation = default)
    {
        var beside = configured.WithSuffix(BesideDrizzleSuffix);
        var shapes = await Database.ColumnsAsync(connection,
            [configured.Quoted, beside.Quoted, DrizzleJournalTable.DefaultName, configured.WithSuffix("_progress").Quoted, beside.WithSuffix("_progress").Quoted], cancellation).ConfigureAwait(false);
        var underConfiguredName = DrizzleJournalTable.IsDrizzleShaped(shapes[configured.Quoted]);
        var ours = underConfiguredName ? beside : configured;
        var (drizzleQuoted, drizzleShown) = underConfiguredName ? (configured.Quoted, configured.ToString())
            : DrizzleJournalTable.IsDrizzleShaped(shapes[DrizzleJournalTable.DefaultName]) ? (DrizzleJournalTable.DefaultName, DrizzleJournalTable.DefaultName)
            : ((string?)null, (string?)null);

        var journalColumns = shapes[ours.Quoted];
        // A drizzle-orm journal under this tool's own name is never read as this tool's; creating ours there is refused.
        var journalReadable = journalColumns.Count > 0 && !DrizzleJournalTable.IsDrizzleShaped(journalColumns);
        if (journalReadable && MigrationJournal.MissingColumns(journalColumns) is { Count: > 0 } missing)
        {
            throw new MigrationException(RunDiagnostics.JournalLacksColumns(ours.ToString(), missing));
        }

        var progressTable = ours.WithSuffix("_progress");
        var progressColumns = shapes[progressTable.Quoted];
        if (progressColumns.Count > 0 && ProgressColumns.FirstOrDefault(c => !progressColumns.Contains(c)) is { } absent)
        {
            throw new MigrationException(RunDiagnostics.ProgressTableUnusable(progressTable.ToString(), $"it has no column {absent}"));
        }

        var journal = new MigrationJournal(ours);
        await using var batch = new NpgsqlBatch(connection);
        if (journalReadable)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(journal.SelectSql));
        }

        if (progressColumns.Count > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(MigrationProgress.SelectSql(progressTable)));
        }

        if (drizzleQuoted is not null)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(DrizzleJournalTable.SelectSql(drizzleQuoted)));
        }

        IReadOnlyList<JournalRow> applied = [];
        IReadOnlyList<ProgressRow> stopped = [];
        IReadOnlyList<DrizzleRow> drizzleRows = [];
        if (batch.BatchCommands.Count > 0)
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
            if (journalReadable)
            {
                applied = await journal.ReadRowsAsync(reader, cancellation).ConfigureAwait(false);
                await reader.NextResultAsync(cancellation).ConfigureAwait(false);
            }

            if (progressColumns.Count > 0)
            {
                stopped = await MigrationProgress.ReadRowsAsync(reader, progressTable, cancellation).ConfigureAwait(false);
                await reader.NextResultAsync(cancellation).ConfigureAwait(false);
            }

            if (drizzleQuoted is not null)
            {
                drizzleRows = await DrizzleJournalTable.ReadRowsAsync(reader, cancellation).ConfigureAwait(false);
            }
        }

        var drizzle = drizzleQuoted is null ? null : new DrizzleJournalTable.Found(drizzleShown!, drizzleQuoted, underConfiguredName, drizzleRows);
        journal = new MigrationJournal(ours)
        {
            RecordsAttempts = journalColumns.Contains("attempts"),
            // Every migration applied here also gets the row drizzle-orm expects, in the same transaction.
            Drizzle = drizzle is not null && validated.DrizzleKit is { } kit
                ? (drizzle.Quoted, kit.Entries.GroupBy(e => e.Tag, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().When, StringComparer.Ordinal))
                : null,
        };
        var occupant = journalReadable ? Occupant.Ours : journalColumns.Count > 0 ? Occupant.Drizzle : Occupant.Nothing;
        return new JournalSet(journal, occupant, drizzle, validated with { Journal = ours.ToString() }, applied, stopped);
    }

    /// <summary>Creates this tool's journal when it does not exist yet (a drizzle-orm journal in its place is refused).</summary>
    public async Task EnsureAsync(NpgsqlConnection connection)
    {
        switch (_occupant)
        {
            case Occupant.Drizzle:
                throw new MigrationException(RunDiagnostics.DrizzleJournalInTheWay(Journal.TableName.ToString()));
            case Occupant.Nothing:
                await Journal.CreateAsync(connection).ConfigureAwait(false);
                break;
            case Occupant.Ours when !Journal.RecordsAttempts:
                await Journal.AddAttemptsAsync(connection).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// Records <paramref name="migrations"/> as applied without running them (adopt, baseline): all in one transaction,
    /// fenced by the migration lock. drizzle-orm's journal is left as it is.
    /// </summary>
    public async Task RecordWithoutRunningAsync(NpgsqlConnection connection, LockLease lease, IReadOnlyList<ValidatedMigration> migrations,
        Func<ValidatedMigration, string> appliedBy, CancellationToken cancellation)
    {
        await EnsureAsync(connection).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { lease.Fence() } };
        foreach (var migration in migrations)
        {
            batch.BatchCommands.Add(Journal.InsertCommand(migration.Name, migration.Hash, 0, appliedBy: appliedBy(migration)));
        }

        await batch.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
        await transaction.CommitAsync(cancellation).ConfigureAwait(false);
    }
}
