using Npgsql;
using StreamBot.Migrations.Planning;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Postgres.Journal;

/// <summary>
/// The journal table (drizzle_migrations by default, as in the runbook): one row per applied migration with its
/// SHA-256, when, how long and by whom. Values always go as parameters; the table name is quoted.
/// </summary>
internal sealed class MigrationJournal(QualifiedName tableName)
{
    private static readonly string[] RequiredColumns = ["name", "hash", "applied_at", "execution_ms", "applied_by"];

    public QualifiedName TableName { get; } = tableName;

    /// <summary>
    /// Whether the table has the attempts column (tables this version creates; an older one gets it when the run may
    /// alter it, see <see cref="AddAttemptsAsync"/>).
    /// </summary>
    public bool RecordsAttempts { get; set; }

    /// <summary>
    /// drizzle-orm's journal beside this one, with each file's <c>when</c>: every migration applied here also gets the
    /// row drizzle-orm expects there, in the same transaction, so drizzle-orm's migrator sees it as applied.
    /// </summary>
    public (string QuotedTable, IReadOnlyDictionary<string, long> WhenByName)? Drizzle { get; init; }

    /// <summary>The row drizzle-orm expects for a migration applied here, or null without a drizzle-orm journal.</summary>
    public NpgsqlBatchCommand? DrizzleInsertCommand(string name, string hash) =>
        Drizzle is { } drizzle && drizzle.WhenByName.TryGetValue(name, out var when)
            ? new($"INSERT INTO {drizzle.QuotedTable} (hash, created_at) VALUES ($1, $2)") { Parameters = { new() { Value = hash }, new() { Value = when } } }
            : null;

    /// <summary>Deletes the row drizzle-orm has for a migration rolled back here, or null without a drizzle-orm journal.</summary>
    public NpgsqlBatchCommand? DrizzleDeleteCommand(string name, string hash) =>
        Drizzle is { } drizzle && drizzle.WhenByName.TryGetValue(name, out var when)
            ? new($"DELETE FROM {drizzle.QuotedTable} WHERE hash = $1 AND created_at = $2") { Parameters = { new() { Value = hash }, new() { Value = when } } }
            : null;

    private string Table => TableName.Quoted;


    public static string WhoAmI() => $"{Environment.UserName}@{Environment.MachineName}";

    /// <summary>The required columns <paramref name="columns"/> lacks (a table another tool created under this name).</summary>
    public static IReadOnlyList<string> MissingColumns(IReadOnlySet<string> columns) => RequiredColumns.Where(c => !columns.Contains(c)).ToList();

    public async Task CreateAsync(NpgsqlConnection connection)
    {
        // IF NOT EXISTS: another applier may create it between the shape check and here (both then wait for the lock).
        await using var create = Database.Command(connection, $"""
            CREATE TABLE IF NOT EXISTS {Table} (
                id bigserial PRIMARY KEY,
                name text NOT NULL UNIQUE,
                hash text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                execution_ms integer NOT NULL,
                applied_by text NOT NULL,
                attempts integer NOT NULL DEFAULT 1
            )
            """);
        await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        RecordsAttempts = true;
    }

    /// <summary>
    /// Adds the attempts column to a journal an earlier version created. A role that does not own the table may not:
    /// its rows then say how long each migration took, waits included, without the count.
    /// </summary>
    public async Task AddAttemptsAsync(NpgsqlConnection connection)
    {
        try
        {
            await using var alter = Database.Command(connection, $"ALTER TABLE {Table} ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 1");
            await alter.ExecuteNonQueryAsync().ConfigureAwait(false);
            RecordsAttempts = true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
        }
    }

    public string SelectSql => $"SELECT id, name, hash, applied_at, execution_ms, applied_by FROM {Table} ORDER BY name";

    /// <summary>The rows of <see cref="SelectSql"/>'s result, checked for types and for a name listed twice.</summary>
    public async Task<List<JournalRow>> ReadRowsAsync(NpgsqlDataReader reader, CancellationToken cancellation)
    {
        var rows = new List<JournalRow>();
        try
        {
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                rows.Add(new JournalRow(
                    Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetFieldValue<DateTimeOffset>(3),
                    Convert.ToInt32(reader.GetValue(4), System.Globalization.CultureInfo.InvariantCulture),
                    reader.GetString(5)));
            }
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new MigrationException(RunDiagnostics.JournalUnreadable(TableName.ToString(), e.Message.TrimEnd('.')));
        }

        // This tool's table has a UNIQUE name, but a journal created by the runbook or by hand may not.
        var twice = rows.GroupBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw new MigrationException(RunDiagnostics.JournalListsTwice(TableName.ToString(), twice.Key, twice.Select(r => r.Id)));
        }

        return rows;
    }

    /// <summary>
    /// The journal row for a migration. Inside the migration's transaction the duration is measured by the server
    /// (now() is the transaction's start) and added to <paramref name="before"/>, the milliseconds the migration spent
    /// before this attempt (waiting for blockers, earlier attempts), so the row can travel in the same round trip as the
    /// statements and still say the migration's whole time; <paramref name="attempts"/> says how many tries it took.
    /// </summary>
    public NpgsqlBatchCommand InsertCommand(string name, string hash, int? executionMs, int before = 0, int attempts = 1, string? appliedBy = null)
    {
        var duration = executionMs is null ? "$4 + (extract(epoch FROM clock_timestamp() - now()) * 1000)::integer" : "$4";
        var command = new NpgsqlBatchCommand(RecordsAttempts
            ? $"INSERT INTO {Table} (name, hash, applied_by, execution_ms, attempts) VALUES ($1, $2, $3, {duration}, $5)"
            : $"INSERT INTO {Table} (name, hash, applied_by, execution_ms) VALUES ($1, $2, $3, {duration})")
        {
            Parameters = { new() { Value = name }, new() { Value = hash }, new() { Value = appliedBy ?? WhoAmI() }, new() { Value = executionMs ?? before } },
        };
        if (RecordsAttempts)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = attempts });
        }

        return command;
    }

    public NpgsqlBatchCommand DeleteCommand(string name) =>
        new($"DELETE FROM {Table} WHERE name = $1") { Parameters = { new() { Value = name } } };
}
