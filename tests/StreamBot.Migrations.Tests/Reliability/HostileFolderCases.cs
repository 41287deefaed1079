using System.Text;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Reliability;

/// <summary>
/// One hostile or broken migrations folder: how to break a valid one, the code that must come out, and the file
/// the diagnostic must name, with a (line,col) when <paramref name="Located"/>.
/// </summary>
public sealed record HostileFolderCase(string Family, string Name, Action<MigrationsFolder> Break, string Code, string File, bool Located)
{
    public override string ToString() => $"{Family}: {Name}";
}

/// <summary>
/// The folder half of the hostile-input corpus: file names, numbering, README shapes and SQL lexing. Each starts from
/// <see cref="MigrationsFolder.Valid"/> (0000..0002, documented) and breaks it one way.
/// </summary>
internal static class HostileFolderCases
{
    private const string Readme = "README.md";
    private const string Two = "0002_add_balance_index.sql";

    private static Action<MigrationsFolder> Name(string fileName) => f => f.Write(fileName, "SELECT 1;\n");

    private static Action<MigrationsFolder> Sql(string sql) => f => f.Write(Two, sql);

    private static Action<MigrationsFolder> Bytes(byte[] bytes) => f => f.WriteBytes(Two, bytes);

    private static Action<MigrationsFolder> ReadmeEdit(string oldText, string newText) => f => f.EditReadme(oldText, newText);

    private static Action<MigrationsFolder> ReadmeAppend(string text) => f => System.IO.File.AppendAllText(f.ReadmePath, text);

    public static IEnumerable<HostileFolderCase> All()
    {
        // File names: each must be refused by name (SBM1002), never opened as something else.
        foreach (var (name, file) in new[]
        {
            ("unicode letters", "0003_añadir_índice.sql"),
            ("emoji", "0003_add_🎁_giveaways.sql"),
            ("right-to-left override", "0003_add_\u202Etxt.sql"),
            ("zero-width space", "0003_add\u200B_index.sql"),
            ("space", "0003_add index.sql"),
            ("leading space", " 0003_add_index.sql"),
            ("trailing space before extension", "0003_add_index .sql"),
            ("tab", "0003_add\tindex.sql"),
            ("newline", "0003_add\nindex.sql"),
            ("quote and semicolon", "0003_x');DROP TABLE users;--.sql"),
            ("dollar sign", "0003_$x$.sql"),
            ("upper-case extension", "0003_add_index.SQL"),
            ("mixed-case extension", "0003_add_index.Sql"),
            ("upper-case description", "0003_Add_Index.sql"),
            ("dashes", "0003-add-index.sql"),
            ("double extension", "0003_add_index.sql.sql"),
            ("three digits", "003_add_index.sql"),
            ("five digits", "00003_add_index.sql"),
            ("no description", "0003_.sql"),
            ("no underscore", "0003add_index.sql"),
            ("double underscore", "0003__add_index.sql"),
            ("dot-dot in the description", "0003_..add.sql"),
            ("arabic-indic digits", "٠٠٠٣_add_index.sql"),
            ("fullwidth digits", "０００３_add_index.sql"),
        })
        {
            yield return new("file name", name, Name(file), "SBM1002", file, Located: false);
        }

        yield return new("file name", "escaping the folder with ../ in a README heading", ReadmeAppend(MigrationsFolder.Section("../0003_escape")), "SBM3003", Readme, Located: true);
        // Valid names, but undocumented: refused for the missing README section, under the name as given.
        yield return new("file name", "description starting with a digit", Name("0003_1st_index.sql"), "SBM3002", "0003_1st_index.sql", Located: false);
        yield return new("file name", "255 characters", Name("0003_" + new string('a', 246) + ".sql"), "SBM3002", "0003_" + new string('a', 246) + ".sql", Located: false);
        yield return new("file name", "a directory named like a migration", f => Directory.CreateDirectory(f.Path("0003_not_a_file.sql")), "SBM1007", "0003_not_a_file.sql", Located: false);
        yield return new("file name", "a symlink that points outside the folder to nothing", f => System.IO.File.CreateSymbolicLink(f.Path("0003_linked.sql"), "../../nowhere/at/all.sql"), "SBM1007", "0003_linked.sql", Located: false);

        // Numbering
        yield return new("numbering", "duplicate number", f => f.AddMigration("0002_second_two", "SELECT 1;\n"), "SBM1003", "0002_second_two.sql", Located: false);
        yield return new("numbering", "gap", f => f.AddMigration("0005_far_ahead", "SELECT 1;\n"), "SBM1004", "0005_far_ahead.sql", Located: false);
        yield return new("numbering", "start at 0001", f => { f.Delete("0000_initial_schema.sql"); f.EditReadme("### 0000_initial_schema.sql", "### gone"); }, "SBM1005", "0001_add_balances.sql", Located: false);
        yield return new("numbering", "9999 then nothing", f => f.AddMigration("9999_last_one", "SELECT 1;\n"), "SBM1004", "9999_last_one.sql", Located: false);
        yield return new("numbering", "two zeros", f => f.AddMigration("0000_another_start", "SELECT 1;\n"), "SBM1003", "0000_initial_schema.sql", Located: false);

        // README shapes
        yield return new("readme", "missing", f => f.Delete(Readme), "SBM3001", Readme, Located: false);
        yield return new("readme", "empty", f => f.WriteReadme(""), "SBM3002", "0000_initial_schema.sql", Located: false);
        yield return new("readme", "binary garbage", f => f.WriteBytes(Readme, [0xFF, 0xFE, 0x00, 0x01, 0x80, 0x81]), "SBM3002", "0000_initial_schema.sql", Located: false);
        yield return new("readme", "CRLF line endings and a missing purpose", f => f.WriteReadme(System.IO.File.ReadAllText(f.ReadmePath).Replace("**Purpose**: Test migration 0001_add_balances  \n", "", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal)), "SBM3005", Readme, Located: true);
        yield return new("readme", "heading one level too deep", ReadmeEdit("### 0001_add_balances.sql", "#### 0001_add_balances.sql"), "SBM3002", "0001_add_balances.sql", Located: false);
        yield return new("readme", "heading with a different case", ReadmeEdit("### 0001_add_balances.sql", "### 0001_ADD_BALANCES.sql"), "SBM3003", Readme, Located: true);
        yield return new("readme", "section twice", ReadmeAppend(MigrationsFolder.Section("0001_add_balances")), "SBM3004", Readme, Located: true);
        yield return new("readme", "rollback fence never closed", ReadmeEdit("-- Should return 0 rows\n```\n\n**Rollback Risk**: LOW - nothing is lost\n\n---\n\n### 0002", "-- Should return 0 rows\n\n**Rollback Risk**: LOW - nothing is lost\n\n---\n\n### 0002"), "SBM3016", Readme, Located: true);
        yield return new("readme", "rollback with a psql meta-command", ReadmeEdit("DROP TABLE IF EXISTS t_0001_add_balances;", "\\c other_database\nDROP TABLE IF EXISTS t_0001_add_balances;"), "SBM2008", Readme, Located: true);
        yield return new("readme", "rollback with its own COMMIT", ReadmeEdit("DROP TABLE IF EXISTS t_0001_add_balances;", "DROP TABLE IF EXISTS t_0001_add_balances;\nCOMMIT;"), "SBM3013", Readme, Located: true);
        yield return new("readme", "rollback with an unterminated string", ReadmeEdit("DROP TABLE IF EXISTS t_0001_add_balances;", "DELETE FROM t WHERE name = 'x;"), "SBM2001", Readme, Located: true);
        yield return new("readme", "rollback risk CRITICAL", ReadmeEdit("**Rollback Risk**: LOW - nothing is lost\n\n---\n\n### 0002", "**Rollback Risk**: CRITICAL\n\n---\n\n### 0002"), "SBM3010", Readme, Located: true);
        yield return new("readme", "impossible date", f => f.WriteReadme(ReplaceFirst(System.IO.File.ReadAllText(f.ReadmePath), "**Date**: 2025-11-15", "**Date**: 2025-13-45")), "SBM3006", Readme, Located: true);
        yield return new("readme", "verify count in words", ReadmeEdit("-- Should return 0 rows\n```\n\n**Rollback Risk**: LOW - nothing is lost\n\n---\n\n### 0002", "-- Should return several rows\n```\n\n**Rollback Risk**: LOW - nothing is lost\n\n---\n\n### 0002"), "SBM3015", Readme, Located: true);
        yield return new("readme", "a megabyte of text in a section", ReadmeEdit("**Changes**:\n- Something changes\n\n**Rollback Procedure**", "**Changes**:\n- " + new string('x', 1 << 20) + "\n\n**Rollback Procedure**:\n```sql\n$$never closed\n```\n\n**Rollback Procedure**"), "SBM2004", Readme, Located: true);
        yield return new("readme", "heading for a migration with a hostile name", ReadmeAppend(MigrationsFolder.Section("0003_x');DROP TABLE users;--")), "SBM3003", Readme, Located: true);

        // SQL lexing
        yield return new("sql", "string never closed", Sql("SELECT 'abc;\nSELECT 2;\n"), "SBM2001", Two, Located: true);
        yield return new("sql", "E-string ending in an escaped quote", Sql("SELECT E'it\\'s;\n"), "SBM2001", Two, Located: true);
        yield return new("sql", "U& string never closed", Sql("SELECT U&'d\\0061t;\n"), "SBM2001", Two, Located: true);
        yield return new("sql", "bit string never closed", Sql("SELECT B'0101;\n"), "SBM2001", Two, Located: true);
        yield return new("sql", "quoted identifier never closed", Sql("CREATE TABLE \"giveaways (id int);\n"), "SBM2002", Two, Located: true);
        yield return new("sql", "comment three deep, closed twice", Sql("/* a /* b /* c */ */\nSELECT 1;\n"), "SBM2003", Two, Located: true);
        yield return new("sql", "dollar tag closed with another case", Sql("DO $Tag$ BEGIN NULL; END $tag$;\n"), "SBM2004", Two, Located: true);
        yield return new("sql", "dollar quote never closed", Sql("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\n"), "SBM2004", Two, Located: true);
        yield return new("sql", "only semicolons", Sql(";;;;\n;\n"), "SBM2005", Two, Located: false);
        yield return new("sql", "only whitespace", Sql(" \t\r\n \n"), "SBM2005", Two, Located: false);
        yield return new("sql", "NUL byte", Bytes([.. "SELECT 1;\nSELECT '"u8, 0x00, .. "';\n"u8]), "SBM2012", Two, Located: true);
        yield return new("sql", "lone continuation byte", Bytes([.. "SELECT '"u8, 0x80, .. "';\n"u8]), "SBM2006", Two, Located: true);
        yield return new("sql", "overlong encoding of a slash", Bytes([.. "SELECT '"u8, 0xC0, 0xAF, .. "';\n"u8]), "SBM2006", Two, Located: true);
        yield return new("sql", "UTF-8 encoded surrogate", Bytes([.. "SELECT '"u8, 0xED, 0xA0, 0x80, .. "';\n"u8]), "SBM2006", Two, Located: true);
        yield return new("sql", "truncated multibyte at end of file", Bytes([.. "SELECT 1;\nSELECT '"u8, 0xE2, 0x82]), "SBM2006", Two, Located: true);
        yield return new("sql", "UTF-16 file", f => f.WriteBytes(Two, Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("SELECT 1;\n")).ToArray()), "SBM2006", Two, Located: true);
        yield return new("sql", "psql include", Sql("SELECT 1;\n\\i /etc/passwd\n"), "SBM2008", Two, Located: true);
        yield return new("sql", "psql gexec", Sql("SELECT 'DROP TABLE users'\n\\gexec\n"), "SBM2008", Two, Located: true);
        yield return new("sql", "psql variable set", Sql("\\set ON_ERROR_STOP off\nSELECT 1;\n"), "SBM2008", Two, Located: true);
        yield return new("sql", "COMMIT in the middle", Sql("SELECT 1;\nCOMMIT;\nSELECT 2;\n"), "SBM2009", Two, Located: true);
        yield return new("sql", "START TRANSACTION", Sql("START TRANSACTION;\nSELECT 1;\n"), "SBM2009", Two, Located: true);
        yield return new("sql", "ROLLBACK hidden after a comment", Sql("SELECT 1;\n/* undo */ ROLLBACK;\n"), "SBM2009", Two, Located: true);
        yield return new("sql", "last statement without semicolon after a comment", Sql("SELECT 1;\nSELECT 2 -- trailing\n"), "SBM2010", Two, Located: true);
        yield return new("sql", "VACUUM", Sql("VACUUM ANALYZE users;\n"), "SBM2011", Two, Located: true);
        yield return new("sql", "ALTER TYPE ADD VALUE is allowed but REINDEX CONCURRENTLY is not", Sql("REINDEX INDEX CONCURRENTLY idx_balance;\n"), "SBM2011", Two, Located: true);
        yield return new("sql", "ten megabytes on one line, string never closed", f => f.Write(Two, "SELECT '" + new string('x', 10 << 20) + ";\n"), "SBM2001", Two, Located: true);
        yield return new("sql", "byte order mark", Bytes([0xEF, 0xBB, 0xBF, .. "SELECT 1;\n"u8]), "SBM2007", Two, Located: true);
    }

    private static string ReplaceFirst(string text, string oldText, string newText)
    {
        var index = text.IndexOf(oldText, StringComparison.Ordinal);
        return index < 0 ? throw new InvalidOperationException(oldText) : text[..index] + newText + text[(index + oldText.Length)..];
    }
}
