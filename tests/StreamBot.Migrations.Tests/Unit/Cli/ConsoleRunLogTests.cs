using StreamBot.Migrations.Cli;

namespace StreamBot.Migrations.Tests.Unit.Cli;

/// <summary>A backfill's progress: redrawn in place with a bar on a terminal, a plain line each time anywhere else.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ConsoleRunLogTests
{
    [Fact]
    public void On_a_terminal_progress_is_one_line_redrawn_with_a_bar_and_cleared_before_the_next_line()
    {
        using var stdout = new StringWriter();
        var log = new ConsoleRunLog(stdout, TextWriter.Null, terminal: true);
        log.Progress("  message_history: 250,000 of ~1,000,000 (25%) rows walked", 0.25);
        log.Progress("  message_history: 500,000 of ~1,000,000 (50%) rows walked", 0.5);
        log.Info("done");
        Assert.Equal("\r\u001b[K[#####---------------] message_history: 250,000 of ~1,000,000 (25%) rows walked"
            + "\r\u001b[K[##########----------] message_history: 500,000 of ~1,000,000 (50%) rows walked\r\u001b[Kdone\n", stdout.ToString().Replace(Environment.NewLine, "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Anywhere_else_progress_is_an_ordinary_line_without_a_bar()
    {
        using var stdout = new StringWriter();
        var log = new ConsoleRunLog(stdout, TextWriter.Null);
        log.Progress("  message_history: 250,000 of ~1,000,000 (25%) rows walked", 0.25);
        log.Info("done");
        Assert.Equal("  message_history: 250,000 of ~1,000,000 (25%) rows walked\ndone\n", stdout.ToString().Replace(Environment.NewLine, "\n", StringComparison.Ordinal));
    }
}
