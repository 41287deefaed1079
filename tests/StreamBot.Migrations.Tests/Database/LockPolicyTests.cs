using System.Diagnostics;
using Npgsql;
using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Tests.Support;
using Xunit.Abstractions;

namespace StreamBot.Migrations.Tests.Database;

/// <summary>
/// A migration that meets a session holding a conflicting lock on its table: it waits for it to end holding nothing,
/// so the bot's queries never queue behind the migration, takes the lock with a short lock_timeout once it is gone,
/// and names who blocked it (never the bot's own short queries).
/// </summary>
[Trait(Tier.Name, Tier.Database)]
public sealed class LockPolicyTests(TestPostgres postgres, ITestOutputHelper output) : IClassFixture<TestPostgres>
{
    private static readonly LockPolicy Quick = new()
    {
        LockTimeout = TimeSpan.FromMilliseconds(300),
        BackoffBase = TimeSpan.FromMilliseconds(100),
        BackoffCap = TimeSpan.FromMilliseconds(400),
        MaxAttempts = 40,
        RetryBudget = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task A_blocker_that_lets_go_is_waited_out_without_queueing_the_bots_queries()
    {
        using var s = Scenario("ALTER TABLE users ADD COLUMN note text;\n");
        var policy = Quick with { LockTimeout = TimeSpan.FromSeconds(2) };
        await using var blocker = await Blocker.HoldAsync(s, "bot-worker", "SELECT count(*) FROM users");
        using var stop = new CancellationTokenSource();
        var longestWait = ApplicationQueriesAsync(s, stop.Token);
        var release = Task.Delay(3000).ContinueWith(_ => blocker.ReleaseAsync()).Unwrap();

        var applied = await Runner(s, policy).UpAsync();
        await release;
        await stop.CancelAsync();
        var longest = await longestWait;
        output.WriteLine($"longest wait of SELECT count(*) FROM users while the migration waited for the blocker: {longest.TotalMilliseconds:F0} ms");

        Assert.Equal(1, applied);
        Assert.True(s.Scalar<bool>("SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'note')"));
        var waiting = Assert.Single(s.Log.Lines, l => l.StartsWith("  0001_change.sql: waiting, without taking or queueing for any lock, for ", StringComparison.Ordinal));
        Assert.Contains($"pid {blocker.Pid} (user postgres, application_name 'bot-worker', idle in transaction", waiting, StringComparison.Ordinal);
        Assert.Contains("holds users AccessShareLock, query: SELECT count(*) FROM users) to end before taking ACCESS EXCLUSIVE on users.", waiting, StringComparison.Ordinal);
        // The bot's own queries (a SELECT every 50 ms) are never named.
        Assert.DoesNotContain(s.Log.Lines, l => l.Contains("application_name 'bot'", StringComparison.Ordinal));
        Assert.Contains(s.Log.Diagnostics, d => d.Code == "SBM4033" && d.Message.Contains($"pid {blocker.Pid}", StringComparison.Ordinal));
        // The journal says what the migration cost: its wait included, and how many attempts.
        Assert.InRange(s.Scalar<int>("SELECT execution_ms FROM drizzle_migrations WHERE name = '0001_change'"), 2500, 60_000);
        Assert.Equal(1, s.Scalar<int>("SELECT attempts FROM drizzle_migrations WHERE name = '0001_change'"));
        // Queued behind the migration, the bot's query would have waited for the blocker's 3 s (up to lock_timeout, 2 s,
        // per attempt before); waited out without queueing, it waits for nothing. The bound leaves room for a loaded machine.
        Assert.InRange(longest.TotalMilliseconds, 0, 1000);
    }

    [Fact]
    public async Task A_blocker_that_never_lets_go_fails_the_migration_naming_it_with_nothing_applied()
    {
        using var s = Scenario("CREATE TABLE audit (id int);\nALTER TABLE users\n  ADD COLUMN note text;\n");
        await using var blocker = await Blocker.HoldAsync(s, "analytics-report", "SELECT * FROM users");
        var clock = Stopwatch.StartNew();
        var d = await DatabaseScenario.FailsWith("SBM4032", () => Runner(s, Quick with { RetryBudget = TimeSpan.FromSeconds(2) }).UpAsync());

        Assert.Equal((s.Folder.Path("0001_change.sql"), 1, 1), (d.File, d.Line, d.Column));
        Assert.Contains("it waited for ACCESS EXCLUSIVE on users, holding nothing while a session that would block it was there", d.Message, StringComparison.Ordinal);
        Assert.Contains($"pid {blocker.Pid} (user postgres, application_name 'analytics-report'", d.Message, StringComparison.Ordinal);
        Assert.Contains("pg_terminate_backend", d.Hint, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 15);
        Assert.False(s.TableExists("audit"));
        Assert.Equal(1L, s.JournalCount());
        // The migration never queued: the blocker's own session sees nobody waiting.
        Assert.Equal(0L, s.Scalar<long>("SELECT count(*) FROM pg_locks WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
    }

    [Fact]
    public async Task A_rollback_waits_for_locks_as_a_migration_does()
    {
        using var s = Scenario("unused", applyChange: false);
        s.Folder.AddMigration("0001_add_note", "ALTER TABLE users ADD COLUMN note text;\n", "ALTER TABLE users DROP COLUMN note;",
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'note';");
        await Runner(s, Quick).UpAsync();
        await using var blocker = await Blocker.HoldAsync(s, "bot-worker", "SELECT count(*) FROM users");

        var d = await DatabaseScenario.FailsWith("SBM4032", () => Runner(s, Quick with { RetryBudget = TimeSpan.FromSeconds(2) }).DownAsync(null));
        Assert.Equal(s.Folder.ReadmePath, d.File);
        Assert.StartsWith("The rollback of 0001_add_note was not run: for 2 s it waited for ACCESS EXCLUSIVE on users", d.Message, StringComparison.Ordinal);
        Assert.Contains($"pid {blocker.Pid} (user postgres, application_name 'bot-worker'", d.Message, StringComparison.Ordinal);
        Assert.Equal(2L, s.JournalCount());

        var release = Task.Delay(1000).ContinueWith(_ => blocker.ReleaseAsync()).Unwrap();
        Assert.Equal(1, await Runner(s, Quick).DownAsync(null));
        await release;
        Assert.Contains(s.Log.Lines, l => l.StartsWith("  rollback of 0001_add_note: waiting, without taking or queueing for any lock, for ", StringComparison.Ordinal) && l.Contains("ACCESS EXCLUSIVE on users", StringComparison.Ordinal));
        Assert.Equal(1L, s.JournalCount());
    }

    [Fact]
    public async Task A_files_own_lock_timeout_overrides_the_runs()
    {
        using var s = Scenario("-- streambot:lock-timeout 8s\nALTER TABLE users ADD COLUMN note text;\n");
        await using var blocker = await Blocker.HoldAsync(s, "bot-worker", "SELECT 1 FROM users");
        var release = Task.Delay(1500).ContinueWith(_ => blocker.ReleaseAsync()).Unwrap();
        Assert.Equal(1, await Runner(s, Quick with { MaxAttempts = 1 }).UpAsync());
        await release;
        Assert.DoesNotContain(s.Log.Lines, l => l.Contains("retrying", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CREATE_INDEX_CONCURRENTLY_waits_out_an_old_transaction_instead_of_failing_on_the_short_timeout()
    {
        using var s = Scenario("CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_name ON users (name);\n");
        await using var blocker = await Blocker.HoldAsync(s, "bot-worker", "SELECT count(*) FROM users");
        var release = Task.Delay(2000).ContinueWith(_ => blocker.ReleaseAsync()).Unwrap();
        var clock = Stopwatch.StartNew();
        Assert.Equal(1, await Runner(s, Quick with { MaxAttempts = 1 }).UpAsync());
        await release;
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 30);
        Assert.True(s.Scalar<bool>("SELECT indisvalid FROM pg_index WHERE indexrelid = 'idx_users_name'::regclass"));
    }

    [Fact]
    public async Task The_statement_timeout_ends_a_statement_that_runs_too_long()
    {
        using var s = Scenario("CREATE TABLE audit (id int);\nSELECT pg_sleep(30);\n");
        var d = await DatabaseScenario.FailsWith("SBM4005", () => Runner(s, Quick with { StatementTimeout = TimeSpan.FromMilliseconds(400) }).UpAsync());
        Assert.Contains("statement timeout", d.Message, StringComparison.Ordinal);
        Assert.Equal(2, d.Line);
        Assert.False(s.TableExists("audit"));
    }

    [Fact]
    public async Task Status_lists_the_sessions_that_would_block_a_pending_migration()
    {
        using var s = Scenario("ALTER TABLE users ADD COLUMN note text;\n", applyChange: false);
        await Runner(s, Quick).UpAsync();
        s.Folder.AddMigration("0001_change", "ALTER TABLE users ADD COLUMN note text;\n");
        await using var blocker = await Blocker.HoldAsync(s, "bot-worker", "SELECT count(*) FROM users");
        var report = await Runner(s, Quick).StatusAsync();
        var found = Assert.Single(report.Blockers);
        Assert.Equal((blocker.Pid, "bot-worker", "idle in transaction"), (found.Pid, found.ApplicationName, found.State));
        Assert.Contains("users AccessShareLock", found.Tables, StringComparison.Ordinal);
    }

    private DatabaseScenario Scenario(string change, bool applyChange = true)
    {
        var folder = MigrationsFolder.Empty();
        folder.WriteReadme("# Migrations\n");
        folder.AddMigration("0000_schema", "CREATE TABLE users (id int PRIMARY KEY, name text);\nINSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 100) g;\n", notRecommended: true);
        var s = new DatabaseScenario(postgres, folder);
        if (applyChange)
        {
            Runner(s, Quick).UpAsync().GetAwaiter().GetResult();
            folder.AddMigration("0001_change", change);
        }

        return s;
    }

    private static MigrationRunner Runner(DatabaseScenario s, LockPolicy policy) => new(s.Options() with { Locking = policy }, s.Log);

    /// <summary>The bot: a query on users every 50 ms; returns the longest any of them took.</summary>
    private static async Task<TimeSpan> ApplicationQueriesAsync(DatabaseScenario s, CancellationToken stop)
    {
        await using var connection = new NpgsqlConnection(s.Settings.ToNpgsql("bot"));
        await connection.OpenAsync(CancellationToken.None);
        var longest = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            await using (var command = new NpgsqlCommand("SELECT count(*) FROM users", connection))
            {
                await command.ExecuteScalarAsync(CancellationToken.None);
            }

            longest = clock.Elapsed > longest ? clock.Elapsed : longest;
            await Task.Delay(50, CancellationToken.None);
        }

        return longest;
    }

    /// <summary>A session that opens a transaction, runs a query on users, and stays idle in it until released.</summary>
    private sealed class Blocker : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private NpgsqlTransaction? _transaction;

        private Blocker(NpgsqlConnection connection) => _connection = connection;

        public int Pid { get; private set; }

        public static async Task<Blocker> HoldAsync(DatabaseScenario s, string applicationName, string query)
        {
            var builder = new NpgsqlConnectionStringBuilder(s.Settings.ToNpgsql("test")) { ApplicationName = applicationName };
            var blocker = new Blocker(new NpgsqlConnection(builder.ConnectionString));
            await blocker._connection.OpenAsync();
            blocker._transaction = await blocker._connection.BeginTransactionAsync();
            await using (var pid = new NpgsqlCommand("SELECT pg_backend_pid()", blocker._connection, blocker._transaction))
            {
                blocker.Pid = (int)(await pid.ExecuteScalarAsync())!;
            }

            await using var command = new NpgsqlCommand(query, blocker._connection, blocker._transaction);
            await command.ExecuteNonQueryAsync();
            return blocker;
        }

        public async Task ReleaseAsync()
        {
            if (_transaction is { } transaction)
            {
                _transaction = null;
                await transaction.CommitAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await ReleaseAsync();
            await _connection.DisposeAsync();
        }
    }
}
