namespace StreamBot.Migrations.Discovery;

/// <summary>A migration file whose name follows the <c>NNNN_snake_case.sql</c> convention.</summary>
/// <param name="Number">The four-digit sequence number.</param>
/// <param name="Name">The file name without <c>.sql</c>, as recorded in the journal (e.g. <c>0003_add_x</c>).</param>
/// <param name="FullPath">Absolute path of the file.</param>
public sealed record MigrationFile(int Number, string Name, string FullPath)
{
    /// <summary>The file name with its extension.</summary>
    public string FileName => Name + ".sql";
}
