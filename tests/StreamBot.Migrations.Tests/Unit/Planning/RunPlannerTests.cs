using StreamBot.Migrations.Planning;

namespace StreamBot.Migrations.Tests.Unit.Planning;

/// <summary>Every decision of status, up and down, without a server.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class RunPlannerTests
{
    private const string Concurrent = "CREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_id ON a (id);\nCREATE INDEX CONCURRENTLY a_id2 ON a (id);\n";

    [Fact]
    public void Status_names_each_state()
    {
        var folder = new PlannedFolder()
            .With("0000_base").With("0001_changed").With("0002_pending").With("0003_stopped", Concurrent)
            .WithUnreadable("0004_unreadable")
            .Applied("0000_base").Applied("0001_changed", hash: "beef").Applied("0004_unreadable").Applied("0005_gone")
            .Stopped("0003_stopped", done: 1);

        var plan = RunPlanner.Status(folder.Folder, folder.Journal, folder.Progress);

        Assert.Equal(
            [("0000_base", MigrationState.Applied), ("0001_changed", MigrationState.Changed), ("0002_pending", MigrationState.Pending),
             ("0003_stopped", MigrationState.Interrupted), ("0004_unreadable", MigrationState.Unreadable), ("0005_gone", MigrationState.FileMissing)],
            plan.Entries.Select(e => (e.Name, e.State)));
        Assert.Equal((1, 3), plan.Entries.Single(e => e.State == MigrationState.Interrupted).Progress);
        Assert.Equal("deploy@ci", plan.Entries[0].AppliedBy);
        Assert.Null(plan.Note);
    }

    [Fact]
    public void Status_notes_a_journal_that_belongs_to_another_folder()
    {
        var folder = new PlannedFolder().With("0000_base").Applied("0000_other").Applied("0001_other");

        var plan = RunPlanner.Status(folder.Folder, folder.Journal, folder.Progress);

        Assert.Equal("SBM4026", plan.Note?.Code);
        Assert.Contains("--journal-table streambot_migrations", plan.Note!.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Up_plans_the_files_the_journal_does_not_list_in_order()
    {
        var folder = new PlannedFolder().With("0000_base").With("0001_next").With("0002_last").Applied("0000_base");

        var plan = RunPlanner.Apply(folder.Folder, folder.Journal, folder.Progress, resumeFrom: null);

        Assert.Empty(plan.Problems);
        Assert.Equal(["0001_next", "0002_last"], plan.Pending.Select(m => m.Name));
        Assert.Null(plan.Resume);
    }

    [Fact]
    public void Up_reports_every_disagreement_between_journal_and_folder_at_once()
    {
        var folder = new PlannedFolder().With("0000_base").With("0001_skipped").With("0002_edited").With("0003_new")
            .Applied("0000_base").Applied("0002_edited", hash: "0123456789abcdef0123").Applied("0004_gone");

        var plan = RunPlanner.Apply(folder.Folder, folder.Journal, folder.Progress, resumeFrom: null);

        Assert.Empty(plan.Pending);
        Assert.Equal(["SBM4007", "SBM4015", "SBM4006"], plan.Problems.Select(p => p.Code));
        Assert.EndsWith("0004_gone.sql", plan.Problems[0].File, StringComparison.Ordinal);
        Assert.Contains("the newer 0002_edited is already applied", plan.Problems[1].Message, StringComparison.Ordinal);
        Assert.Contains("journal SHA-256 0123456789ab...", plan.Problems[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Up_refuses_another_folders_journal_as_one_problem()
    {
        var folder = new PlannedFolder().With("0000_base").Applied("0000_base").Applied("0007_billing").Applied("0008_billing");

        var plan = RunPlanner.Apply(folder.Folder, folder.Journal, folder.Progress, resumeFrom: null);

        Assert.Equal("SBM4026", Assert.Single(plan.Problems).Code);
    }

    [Fact]
    public void Up_refuses_to_guess_where_a_half_way_migration_goes_on()
    {
        var folder = new PlannedFolder().With("0000_base").With("0001_index", Concurrent).Applied("0000_base").Stopped("0001_index", done: 1);

        var plan = RunPlanner.Apply(folder.Folder, folder.Journal, folder.Progress, resumeFrom: null);

        var problem = Assert.Single(plan.Problems);
        Assert.Equal(("SBM4018", 2), (problem.Code, problem.Line));
        Assert.Contains("Statement 1 (line 1) ran.", problem.Message, StringComparison.Ordinal);
        Assert.Contains("up --resume-from 2", problem.Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(4, 3)]
    public void Up_resumes_where_the_user_says(int resumeFrom, int index)
    {
        var folder = new PlannedFolder().With("0000_index", Concurrent).With("0001_after").Stopped("0000_index", done: 1);

        var plan = RunPlanner.Apply(folder.Folder, folder.Journal, folder.Progress, resumeFrom);

        Assert.Empty(plan.Problems);
        Assert.Equal(("0000_index", index), (plan.Resume?.Migration.Name, plan.Resume?.Index));
        Assert.Equal(["0000_index", "0001_after"], plan.Pending.Select(m => m.Name));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Up_refuses_a_resume_point_outside_the_migration(int resumeFrom)
    {
        var folder = new PlannedFolder().With("0000_index", Concurrent).Stopped("0000_index", done: 1);

        var plan = RunPlanner.Apply(folder.Folder, folder.Journal, folder.Progress, resumeFrom);

        var problem = Assert.Single(plan.Problems);
        Assert.Equal("SBM4019", problem.Code);
        Assert.Contains("from 1 to 4", problem.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Up_refuses_a_resume_point_with_nothing_to_resume()
    {
        var folder = new PlannedFolder().With("0000_base");

        Assert.Equal("SBM4019", Assert.Single(RunPlanner.Apply(folder.Folder, folder.Journal, folder.Progress, resumeFrom: 2).Problems).Code);
    }

    [Fact]
    public void Up_says_when_the_interrupted_file_changed_since()
    {
        var folder = new PlannedFolder().With("0000_index", Concurrent).Stopped("0000_index", done: 2, hash: "older");

        var plan = RunPlanner.Apply(folder.Folder, folder.Journal, folder.Progress, resumeFrom: 3);

        Assert.Contains("The file changed since", plan.Resume?.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Down_targets_the_last_applied_migration_by_default()
    {
        var folder = new PlannedFolder().With("0000_base").With("0001_next").With("0002_last").Applied("0000_base").Applied("0001_next");

        var plan = RunPlanner.Rollback(folder.Folder, folder.Journal, target: null, force: false);

        Assert.Equal(["0001_next"], plan.Targets.Select(m => m.Name));
    }

    [Theory]
    [InlineData("0001_next")]
    [InlineData("0001_next.sql")]
    [InlineData("0001")]
    [InlineData("1")]
    public void Down_to_a_target_rolls_back_it_and_everything_after_newest_first(string target)
    {
        var folder = new PlannedFolder().With("0000_base").With("0001_next").With("0002_last")
            .Applied("0000_base").Applied("0001_next").Applied("0002_last");

        var plan = RunPlanner.Rollback(folder.Folder, folder.Journal, target, force: false);

        Assert.Equal(["0002_last", "0001_next"], plan.Targets.Select(m => m.Name));
    }

    [Fact]
    public void Down_with_nothing_applied_plans_nothing()
    {
        var folder = new PlannedFolder().With("0000_base");

        var plan = RunPlanner.Rollback(folder.Folder, folder.Journal, target: null, force: false);

        Assert.Empty(plan.Targets);
        Assert.Empty(plan.Problems);
    }

    [Fact]
    public void Down_refuses_a_target_that_is_not_applied_and_lists_what_is()
    {
        var folder = new PlannedFolder().With("0000_base").With("0001_next").Applied("0000_base");

        var problem = Assert.Single(RunPlanner.Rollback(folder.Folder, folder.Journal, "0001_next", force: false).Problems);

        Assert.Equal("SBM4013", problem.Code);
        Assert.Contains("Applied: 0000_base.", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Down_refuses_a_not_recommended_rollback_unless_forced()
    {
        var folder = new PlannedFolder().With("0000_base", notRecommended: "the foundation schema").Applied("0000_base");

        var refused = Assert.Single(RunPlanner.Rollback(folder.Folder, folder.Journal, null, force: false).Problems);
        var forced = RunPlanner.Rollback(folder.Folder, folder.Journal, null, force: true);

        Assert.Equal(("SBM4010", 10), (refused.Code, refused.Line));
        Assert.Contains("the foundation schema", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["0000_base"], forced.Targets.Select(m => m.Name));
    }

    [Fact]
    public void Down_refuses_a_target_whose_file_is_gone()
    {
        var folder = new PlannedFolder().With("0000_base").With("0001_next").Applied("0000_base").Applied("0001_next").Applied("0002_gone");

        var problem = Assert.Single(RunPlanner.Rollback(folder.Folder, folder.Journal, "0001_next", force: false).Problems);

        Assert.Equal("SBM4007", problem.Code);
        Assert.EndsWith("0002_gone.sql", problem.File, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0001")]
    [InlineData("1")]
    [InlineData("0001_users_email")]
    [InlineData("0001_users_email.sql")]
    public void Baseline_records_up_to_its_target_however_it_is_named(string to)
    {
        var folder = new PlannedFolder().With("0000_users", "CREATE TABLE users (id int);\n").With("0001_users_email", "ALTER TABLE users ADD COLUMN email text;\n").With("0002_later");

        var plan = RunPlanner.Baseline(folder.Folder, folder.Journal, to);

        Assert.Empty(plan.Problems);
        Assert.Equal(["0000_users", "0001_users_email"], plan.Range.Select(m => m.Name));
        Assert.Equal(["table users:0000_users", "column users.email:0001_users_email"],
            plan.Objects.Select(o => $"{o.Object.Kind.ToString().ToLowerInvariant()} {(o.Object.Table is { } t ? t + "." : string.Empty)}{o.Object.Name}:{o.CreatedBy.Name}"));
    }

    [Fact]
    public void Baseline_leaves_out_what_a_later_migration_in_the_range_drops()
    {
        var folder = new PlannedFolder().With("0000_users", "CREATE TABLE users (id int);\nCREATE TABLE scratch (id int);\n").With("0001_drop_scratch", "DROP TABLE scratch;\n");

        var plan = RunPlanner.Baseline(folder.Folder, folder.Journal, "0001");

        Assert.Equal(["users"], plan.Objects.Select(o => o.Object.Name));
    }

    [Fact]
    public void Baseline_is_refused_for_an_unknown_target_and_on_a_journal_with_rows()
    {
        var folder = new PlannedFolder().With("0000_users").With("0001_next");

        var unknown = Assert.Single(RunPlanner.Baseline(folder.Folder, folder.Journal, "0007").Problems);
        folder.Applied("0000_users");
        var journaled = Assert.Single(RunPlanner.Baseline(folder.Folder, folder.Journal, "0001").Problems);

        // The folder is where an unknown target is looked for; a journal with rows is the database's problem.
        Assert.Equal(("SBM4031", PlannedFolder.Directory), (unknown.Code, unknown.File));
        Assert.Equal("SBM4031", journaled.Code);
        Assert.NotEqual(PlannedFolder.Directory, journaled.File);
    }

    [Theory]
    [InlineData("0004", "0004_add_giveaway_concurrency_improvements")]
    [InlineData("4", "0004_add_giveaway_concurrency_improvements")]
    [InlineData("0004_add_giveaway_concurrency_improvements.sql", "0004_add_giveaway_concurrency_improvements")]
    [InlineData(" 0003_add_platform_user_unique_constraint ", "0003_add_platform_user_unique_constraint")]
    [InlineData("0005", null)]
    [InlineData("0004_other", null)]
    [InlineData("add_giveaway_concurrency_improvements", null)]
    [InlineData("99999999999999999999", null)]
    [InlineData("", null)]
    public void A_migration_is_named_by_its_number_its_name_or_its_file_name(string reference, string? expected) =>
        Assert.Equal(expected, MigrationReference.Resolve(reference, ["0003_add_platform_user_unique_constraint", "0004_add_giveaway_concurrency_improvements"]));
}
