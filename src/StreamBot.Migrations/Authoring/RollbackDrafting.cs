using StreamBot.Migrations.Diagnostics;
using StreamBot.Migrations.Discovery;
using StreamBot.Migrations.Sql;
using StreamBot.Migrations.Validation;

namespace StreamBot.Migrations.Authoring;

/// <summary>
/// <c>draft-rollback FILE</c>: the rollback drafted from a migration's SQL goes into its README section where that
/// section still holds the placeholder <c>new</c> left; a rollback a person wrote is never overwritten, the draft is
/// printed beside it instead.
/// </summary>
public static class RollbackDrafting
{
    /// <summary>The changes (or only the draft to print), or why there are none.</summary>
    public static (FolderChanges? Changes, Diagnostic? Refusal) Plan(string directory, string file)
    {
        var path = File.Exists(file) ? Path.GetFullPath(file) : Path.Combine(directory, Path.GetFileName(file));
        directory = Path.GetDirectoryName(path)!;
        var (migrations, _) = MigrationDiscovery.Discover(directory);
        var migration = migrations.FirstOrDefault(m => m.FullPath == path);
        if (migration is null)
        {
            return (null, ToolDiagnostics.AuthoringRefused(path, $"{file} is not a migration of {directory}.", "Give the migration's file name (NNNN_name.sql), in the migrations folder or with --dir."));
        }

        var script = SqlSplitter.Split(File.ReadAllBytes(path));
        if (script.HasProblems || script.Statements.Count == 0)
        {
            return (null, ToolDiagnostics.AuthoringRefused(path, $"{migration.FileName} has no complete SQL to derive a rollback from.", "Write its SQL first (streambot-migrate validate shows what is wrong)."));
        }

        var rollback = RollbackDraft.Draft(script, EarlierObjects.Before(migrations, migration.Number));
        var readmePath = Path.Combine(directory, MigrationDiscovery.ReadmeFileName);
        var edited = File.Exists(readmePath) ? ReadmeEdit.ReplacePlaceholderRollback(File.ReadAllText(readmePath), migration.FileName, rollback) : null;
        return edited is null
            ? (new FolderChanges().Say(ReadmeEdit.RollbackPart(migration.FileName, rollback)), null)
            : (new FolderChanges().Write(readmePath, edited)
                .Say($"Wrote the drafted rollback of {migration.FileName} into README.md ({rollback.Undecided} step(s) left to decide, marked {Placeholder.Marker}). Rehearse it: streambot-migrate rehearse."), null);
    }
}
