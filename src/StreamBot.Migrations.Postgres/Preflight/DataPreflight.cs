using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Postgres.Connection;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Preflight;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Postgres.Preflight;

/// <summary>How long the data checks may read the live database.</summary>
/// <param name="CheckTimeout">statement_timeout of each check.</param>
/// <param name="Budget">All checks together; the ones left when it is used up are reported as not checked.</param>
public sealed record PreflightOptions(TimeSpan CheckTimeout, TimeSpan Budget)
{
    /// <summary>5 s a check: a count over an indexed key of millions of rows takes well under it; 60 s in all.</summary>
    public static PreflightOptions Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60));
}

/// <summary>What the preflight found: conflicts (errors), checks it could not finish (warnings), and notes.</summary>
/// <param name="Checked">Checks that ran to the end.</param>
/// <param name="Conflicts">SBM4037, one per statement the live rows would refuse.</param>
/// <param name="Unfinished">SBM4038, one per check that timed out, met a lock or was out of budget.</param>
/// <param name="Notes">Lines for the log: what was left to the rehearsal and why, statements that will do nothing, findings sized by their tables.</param>
public sealed record PreflightResult(int Checked, IReadOnlyList<Diagnostic> Conflicts, IReadOnlyList<Diagnostic> Unfinished, IReadOnlyList<string> Notes)
{
    /// <summary>Nothing pending, nothing checked.</summary>
    public static PreflightResult Empty { get; } = new(0, [], [], []);
}

/// <summary>
/// Counts, read-only and before anything is locked, the live rows each pending constraint would reject: each check in
/// a READ ONLY transaction with its own statement_timeout and a short lock_timeout (a table another session holds
/// exclusively is reported, not waited for), all of them within a budget. A row's value is never read into this
/// process: only counts leave the server.
/// </summary>
internal static class DataPreflight
{
    // A check waits this long at most for a table's ACCESS SHARE lock; what waits longer is someone's ALTER.
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(1);

    public static async Task<PreflightResult> RunAsync(NpgsqlConnection connection, IReadOnlyList<ValidatedMigration> pending, int resumeAt,
        PreflightOptions options, CancellationToken cancellation)
    {
        var planned = PreflightPlan.For(pending, resumeAt);
        if (planned.Count == 0)
        {
            return PreflightResult.Empty;
        }

        var conflicts = new List<Diagnostic>();
        var unfinished = new List<Diagnostic>();
        var notes = new List<string>();
        var done = 0;
        var clock = Stopwatch.StartNew();
        // Tables a pending migration creates have only the rows pending migrations put there: one round trip finds
        // them all, and one line says what the rehearsal covers (a first deploy has hundreds).
        var missing = await MissingAsync(connection, planned.Select(p => p.Check.Table).Distinct(StringComparer.Ordinal).ToArray(), cancellation).ConfigureAwait(false);
        var created = planned.Where(p => p.LeftToRehearsal is null && missing.Contains(p.Check.Table)).ToList();
        if (created.Count > 0)
        {
            var tables = created.Select(p => p.Check.Table).Distinct(StringComparer.Ordinal).ToList();
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{created.Count} check(s) on {tables.Count} table(s) that pending migrations create ({string.Join(", ", tables.Take(3))}{(tables.Count > 3 ? ", ..." : string.Empty)}) are left to the rehearsal: those tables hold only what the migrations put there."));
        }

        foreach (var (check, left) in planned.Except(created))
        {
            var where = $"{Path.GetFileName(check.File)}({check.Line},{check.Column})";
            if (left is not null)
            {
                notes.Add($"{where}: {check.What} on {check.Table} is left to the rehearsal ({left}, so the live rows are not the ones it will meet).");
                continue;
            }

            var remaining = options.Budget - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                unfinished.Add(Unfinished(check, $"the preflight's budget of {LockPolicy.Describe(options.Budget)} was used up before it"));
                continue;
            }

            var timeout = remaining < options.CheckTimeout ? remaining : options.CheckTimeout;
            var outcome = await RunOneAsync(connection, check, timeout, cancellation).ConfigureAwait(false);
            switch (outcome)
            {
                case Outcome.Counted { Rows: > 0 } counted:
                    done++;
                    conflicts.Add(DeployDiagnostics.DataConflict(check.File, check.Line, check.Column, check.Migration, check.What, check.Table, Found(check.Kind, counted), counted.ListSql));
                    break;
                case Outcome.Counted:
                    done++;
                    break;
                case Outcome.Refused refused:
                    done++;
                    conflicts.Add(DeployDiagnostics.DataConflict(check.File, check.Line, check.Column, check.Migration, check.What, check.Table,
                        $"the server refuses at least one of its values ({refused.Reason})", check.ListSql));
                    break;
                case Outcome.NoOp:
                    notes.Add($"{where}: {check.What} on {check.Table} does nothing (what it creates exists already), so it has no rows to check.");
                    break;
                case Outcome.NotOnLiveSchema notLive:
                    notes.Add($"{where}: {check.What} on {check.Table} cannot be checked on the live schema ({notLive.Reason}); left to the rehearsal.");
                    break;
                case Outcome.NotFinished why:
                    unfinished.Add(Unfinished(check, why.Reason));
                    break;
            }
        }

        return new PreflightResult(done, conflicts, unfinished, notes);

        Diagnostic Unfinished(DataCheck check, string why) =>
            DeployDiagnostics.DataCheckUnfinished(check.File, check.Line, check.Column, check.Migration, check.What, check.Table, why, check.CountSql.Length > 0 ? check.CountSql : check.What);
    }

    private abstract record Outcome
    {
        public sealed record Counted(long Rows, long? Keys, string ListSql) : Outcome;

        public sealed record Refused(string Reason) : Outcome;

        public sealed record NoOp : Outcome;

        public sealed record NotOnLiveSchema(string Reason) : Outcome;

        public sealed record NotFinished(string Reason) : Outcome;
    }

    private static async Task<Outcome> RunOneAsync(NpgsqlConnection connection, DataCheck check, TimeSpan timeout, CancellationToken cancellation)
    {
        await using var transaction = await BeginBoundedReadAsync(connection, timeout, cancellation).ConfigureAwait(false);
        try
        {
            if (check.NoOpSql is { } noOp && await ScalarAsync<bool>(connection, noOp, cancellation).ConfigureAwait(false))
            {
                return new Outcome.NoOp();
            }

            var (countSql, listSql) = check.Lookup is { } lookup ? await ResolveAsync(connection, check, lookup, cancellation).ConfigureAwait(false) : (check.CountSql, check.ListSql);
            if (countSql is null)
            {
                return new Outcome.NotOnLiveSchema(listSql);
            }

            await using var command = Database.Command(connection, countSql);
            await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
            await reader.ReadAsync(cancellation).ConfigureAwait(false);
            return new Outcome.Counted(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), listSql);
        }
        catch (PostgresException e)
        {
            return e.SqlState switch
            {
                PostgresErrorCodes.QueryCanceled => new Outcome.NotFinished($"it did not finish within its statement_timeout of {LockPolicy.Describe(timeout)}"),
                PostgresErrorCodes.LockNotAvailable => new Outcome.NotFinished($"another session holds {check.Table} locked against reads; not waited for"),
                PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.UndefinedObject or PostgresErrorCodes.InvalidSchemaName
                    or PostgresErrorCodes.UndefinedFunction => new Outcome.NotOnLiveSchema($"{e.MessageText}: a pending statement may create it first"),
                // A value the statement itself would refuse (a conversion, a CHECK's expression failing on it): the
                // server's message may quote that value, so only its kind is kept.
                _ when e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("23", StringComparison.Ordinal)
                    => new Outcome.Refused($"{WithoutValues(e.MessageText)}, SQLSTATE {e.SqlState}"),
                _ => new Outcome.NotFinished($"{WithoutValues(e.MessageText)}, SQLSTATE {e.SqlState}"),
            };
        }
        finally
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A READ ONLY transaction whose statements stop after <paramref name="timeout"/> and never wait more than a second
    /// for a table lock: how the preflight reads the live database without queueing behind someone's ALTER (and the
    /// bot behind it). A statement stopped by either ends with SQLSTATE 57014 or 55P03.
    /// </summary>
    public static async Task<NpgsqlTransaction> BeginBoundedReadAsync(NpgsqlConnection connection, TimeSpan timeout, CancellationToken cancellation)
    {
        var transaction = await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false);
        await using var settings = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SET TRANSACTION READ ONLY"),
                new NpgsqlBatchCommand("SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)")
                {
                    Parameters = { new() { Value = LockPolicy.Setting(timeout) }, new() { Value = LockPolicy.Setting(timeout < LockWait ? timeout : LockWait) } },
                },
            },
        };
        await settings.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
        return transaction;
    }

    /// <summary>
    /// A foreign key without referenced columns (the referenced table's primary key) or VALIDATE CONSTRAINT (the
    /// constraint as the catalog has it): the count's SQL, or null and why the live schema cannot say.
    /// </summary>
    private static async Task<(string? Count, string List)> ResolveAsync(NpgsqlConnection connection, DataCheck check, ConstraintLookup lookup, CancellationToken cancellation)
    {
        if (lookup.ReferencedTable is { } referenced)
        {
            var key = await ScalarAsync<string[]?>(connection, """
                SELECT array_agg(quote_ident(a.attname) ORDER BY k.i)
                FROM pg_catalog.pg_constraint c
                CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(n, i)
                JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
                WHERE c.conrelid = to_regclass($1) AND c.contype = 'p'
                """, cancellation, referenced).ConfigureAwait(false);
            return key is { Length: > 0 }
                ? DataCheckSql.Orphans(check.Table, lookup.Columns, referenced, key, lookup.MatchFull)
                : (null, $"{referenced} has no primary key on the live schema");
        }

        await using var command = Database.Command(connection, """
            SELECT c.contype::text, pg_catalog.pg_get_expr(c.conbin, c.conrelid),
                   (SELECT array_agg(quote_ident(a.attname) ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY AS k(n, i)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n),
                   c.confrelid::regclass::text,
                   (SELECT array_agg(quote_ident(a.attname) ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY AS k(n, i)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n),
                   c.confmatchtype = 'f'
            FROM pg_catalog.pg_constraint c
            WHERE c.conrelid = to_regclass($1) AND c.conname = $2
            """, check.Table, lookup.Constraint!);
        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            return (null, $"{check.Table} has no constraint {lookup.Constraint}");
        }

        return reader.GetString(0) switch
        {
            "c" => DataCheckSql.CheckViolations(check.Table, reader.GetString(1)),
            "f" => DataCheckSql.Orphans(check.Table, reader.GetFieldValue<string[]>(2), reader.GetString(3), reader.GetFieldValue<string[]>(4), reader.GetBoolean(5)),
            var other => (null, $"constraint {lookup.Constraint} is of kind '{other}', which VALIDATE does not check rows for"),
        };
    }

    private static async Task<HashSet<string>> MissingAsync(NpgsqlConnection connection, string[] tables, CancellationToken cancellation)
    {
        await using var command = Database.Command(connection, "SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NULL", (object)tables);
        var missing = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            missing.Add(reader.GetString(0));
        }

        return missing;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellation, params object[] parameters)
    {
        await using var command = Database.Command(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellation).ConfigureAwait(false);
        return value is DBNull or null ? default! : (T)value;
    }

    private static string Found(DataCheckKind kind, Outcome.Counted counted) => kind switch
    {
        DataCheckKind.Duplicates => string.Create(CultureInfo.InvariantCulture, $"{counted.Rows} row(s) share {counted.Keys} key value(s) with another row"),
        DataCheckKind.Nulls => string.Create(CultureInfo.InvariantCulture, $"{counted.Rows} row(s) have it NULL"),
        DataCheckKind.RowsPresent => string.Create(CultureInfo.InvariantCulture, $"the table has {counted.Rows} row(s), which the new column would leave NULL"),
        DataCheckKind.Orphans => string.Create(CultureInfo.InvariantCulture, $"{counted.Rows} row(s) reference no existing row"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{counted.Rows} row(s) violate it"),
    };

    // Messages such as invalid input syntax for type integer: "abc" quote the value; keep what comes before it.
    private static string WithoutValues(string message)
    {
        var quoted = message.IndexOfAny(['"', '\'']);
        var cut = message.IndexOf(": ", StringComparison.Ordinal);
        var end = new[] { quoted, cut }.Where(i => i > 0).DefaultIfEmpty(message.Length).Min();
        return message[..end].TrimEnd(' ', ':');
    }
}
