using StreamBot.Migrations.Postgres.Running;
using StreamBot.Migrations.Safety;

namespace StreamBot.Migrations.Tests.Unit.Safety;

/// <summary>The conflict table a migration waits by, and the lock_timeout it takes its locks with, attempt by attempt.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class LockConflictTests
{
    // PostgreSQL's documentation, "Conflicting Lock Modes": row = requested, X = conflicts, in LockMode order.
    private static readonly string[] Table =
    [
        ".......X",
        "......XX",
        "....XXXX",
        "...XXXXX",
        "..XX.XXX",
        "..XXXXXX",
        ".XXXXXXX",
        "XXXXXXXX",
    ];

    [Fact]
    public void Every_pair_of_modes_conflicts_as_the_documentation_says()
    {
        var modes = Enum.GetValues<LockMode>();
        foreach (var (requested, row) in modes.Select((m, i) => (m, i)))
        {
            foreach (var (held, column) in modes.Select((m, i) => (m, i)))
            {
                Assert.True(Table[row][column] == 'X' == requested.ConflictsWith(held), $"{requested} vs {held}");
            }
        }
    }

    [Fact]
    public void Conflicting_mode_names_are_pg_locks_names()
    {
        Assert.Equal(["AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"],
            LockMode.AccessExclusive.ConflictingLockNames());
        Assert.Equal(["AccessExclusiveLock"], LockMode.AccessShare.ConflictingLockNames());
    }

    [Theory]
    [InlineData(1, 2000, 100)]
    [InlineData(2, 2000, 200)]
    [InlineData(4, 2000, 800)]
    [InlineData(5, 2000, 1600)]
    [InlineData(6, 2000, 2000)]
    [InlineData(40, 2000, 2000)]
    [InlineData(1, 50, 50)]
    [InlineData(3, 0, 0)]
    public void The_lock_timeout_starts_at_100_ms_and_doubles_up_to_the_configured_one(int attempt, int longestMs, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), new LockPolicy().LockTimeoutOf(attempt, TimeSpan.FromMilliseconds(longestMs)));
    }
}
