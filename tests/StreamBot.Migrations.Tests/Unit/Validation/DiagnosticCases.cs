using System.Text;
using StreamBot.Migrations.Tests.Support;

namespace StreamBot.Migrations.Tests.Unit.Validation;

/// <summary>Every diagnostic code (but SBM9001, which needs .NET Framework MSBuild) with a failing and a passing case.</summary>
internal static class DiagnosticCases
{
    private const string Readme = "README.md";

    private static void Nothing(MigrationsFolder f)
    {
    }

    private static Action<MigrationsFolder> Sql(string file, string sql) => f => f.Write(file, sql);

    private static Action<MigrationsFolder> Add(string name, string sql = "SELECT 1;\n") => f => f.AddMigration(name, sql);

    private static Action<MigrationsFolder> Readme_(string oldText, string newText) => f => f.EditReadme(oldText, newText);

    private const string Zero = "0000_initial_schema.sql";
    private const string One = "0001_add_balances.sql";
    private const string Two = "0002_add_balance_index.sql";
    private const string Journal = "meta/_journal.json";

    private static string Entry(int idx, long when, string file) =>
        $$"""    { "idx": {{idx}}, "version": "7", "when": {{when}}, "tag": "{{(file.EndsWith(".sql", StringComparison.Ordinal) ? file[..^4] : file)}}", "breakpoints": true }""";

    private static Action<MigrationsFolder> DrizzleJournal(string entries) => f =>
    {
        Directory.CreateDirectory(f.Path("meta"));
        f.Write(Journal, "{\n  \"version\": \"7\",\n  \"entries\": [\n" + entries + "  ]\n}\n");
    };

    public static IEnumerable<DiagnosticCase> All()
    {
        // 1xxx: directory and names
        yield return new("missing directory", "SBM1001", f => Directory.Delete(f.Directory, true), Nothing, "", null, 0);
        yield return new("dashes in a file name", "SBM1002", f => f.Write("0003-add-thing.sql", "SELECT 1;"), Add("0003_add_thing"), "0003-add-thing.sql", null, 0);
        yield return new("upper-case .SQL extension", "SBM1002", f => f.Write("0003_add_thing.SQL", "SELECT 1;"), Add("0003_add_thing"), "0003_add_thing.SQL", null, 0);
        yield return new("space in a file name", "SBM1002", f => f.Write("0003_add thing.sql", "SELECT 1;"), Add("0003_add_thing"), "0003_add thing.sql", null, 0);
        yield return new("unicode in a file name", "SBM1002", f => f.Write("0003_add_café.sql", "SELECT 1;"), Add("0003_add_cafe"), "0003_add_café.sql", null, 0);
        yield return new("five-digit number", "SBM1002", f => f.Write("00003_add_thing.sql", "SELECT 1;"), Add("0003_add_thing"), "00003_add_thing.sql", null, 0);
        yield return new("very long file name", "SBM1002", f => f.Write("0003_" + new string('A', 200) + ".sql", "SELECT 1;"), Add("0003_" + new string('a', 200)), "0003_" + new string('A', 200) + ".sql", null, 0);
        yield return new("no description", "SBM1002", f => f.Write("0003.sql", "SELECT 1;"), Add("0003_thing"), "0003.sql", null, 0);
        yield return new("duplicate number", "SBM1003", Add("0002_other_change"), Add("0003_other_change"), "0002_other_change.sql", null, 0);
        yield return new("gap in numbering", "SBM1004", Add("0004_skips_a_number"), Add("0003_skips_a_number"), "0004_skips_a_number.sql", null, 0);
        yield return new("numbering starts at 0001", "SBM1005",
            f => { f.Delete(Zero); f.EditReadme("### " + Zero, "### removed.md"); }, Nothing, One, null, 0);
        yield return new("no migrations at all", "SBM1006", f => { f.Delete(Zero).Delete(One).Delete(Two); f.WriteReadme("# none\n"); },
            f => { f.Delete(One).Delete(Two); f.WriteReadme("# one\n" + MigrationsFolder.Section("0000_initial_schema", notRecommended: true)); }, "", null, 0);
        yield return new("dangling symlink as a migration", "SBM1007",
            f => { f.AddMigration("0003_linked", "SELECT 1;"); f.Delete("0003_linked.sql"); File.CreateSymbolicLink(f.Path("0003_linked.sql"), f.Path("nowhere.sql.txt")); },
            Add("0003_linked"), "0003_linked.sql", null, 0);

        // 1008-1012: drizzle-kit's meta/_journal.json beside the migrations
        yield return new("journal left with a merge conflict", "SBM1008",
            DrizzleJournal("  <<<<<<< HEAD\n" + Entry(0, 1, Zero) + ",\n" + Entry(1, 2, One) + ",\n" + Entry(2, 3, Two) + "\n"),
            DrizzleJournal(Entry(0, 1, Zero) + ",\n" + Entry(1, 2, One) + ",\n" + Entry(2, 3, Two) + "\n"), Journal, "<<<<<<<", 3);
        yield return new("file missing from the journal", "SBM1009",
            DrizzleJournal(Entry(0, 1, Zero) + ",\n" + Entry(1, 2, One) + "\n"),
            DrizzleJournal(Entry(0, 1, Zero) + ",\n" + Entry(1, 2, One) + ",\n" + Entry(2, 3, Two) + "\n"), Two, null, 0);
        yield return new("journal entry without a file", "SBM1010",
            DrizzleJournal(Entry(0, 1, Zero) + ",\n" + Entry(1, 2, One) + ",\n" + Entry(2, 3, Two) + ",\n" + Entry(3, 4, "0003_gone.sql") + "\n"),
            DrizzleJournal(Entry(0, 1, Zero) + ",\n" + Entry(1, 2, One) + ",\n" + Entry(2, 3, Two) + "\n"), Journal, "0003_gone", 1);
        yield return new("idx repeated after a merge", "SBM1011",
            DrizzleJournal(Entry(0, 1, Zero) + ",\n" + Entry(1, 2, One) + ",\n" + Entry(1, 3, Two) + "\n"),
            DrizzleJournal(Entry(0, 1, Zero) + ",\n" + Entry(1, 2, One) + ",\n" + Entry(2, 3, Two) + "\n"), Journal, Two[..^4], 1);
        yield return new("when not increasing", "SBM1012",
            DrizzleJournal(Entry(0, 1, Zero) + ",\n" + Entry(1, 5, One) + ",\n" + Entry(2, 5, Two) + "\n"),
            DrizzleJournal(Entry(0, 1, Zero) + ",\n" + Entry(1, 5, One) + ",\n" + Entry(2, 6, Two) + "\n"), Journal, Two[..^4], 1);

        // 2xxx: SQL
        yield return new("unterminated string", "SBM2001", Sql(Two, "SELECT 1;\nSELECT 'abc;\n"), Sql(Two, "SELECT 1;\nSELECT 'abc';\n"), Two, "SELECT 'abc", 8);
        yield return new("unterminated string in a CRLF file", "SBM2001", Sql(Two, "SELECT 1;\r\nSELECT 2;\r\n  SELECT 'x\r\n"), Sql(Two, "SELECT 1;\r\nSELECT 2;\r\n"), Two, "SELECT 'x", 10);
        yield return new("unterminated E string at end of file", "SBM2001", Sql(Two, "SELECT E'ab\\'"), Sql(Two, "SELECT E'ab\\'';"), Two, "SELECT E", 8);
        yield return new("unterminated quoted identifier", "SBM2002", Sql(Two, "CREATE TABLE \"users (id int);\n"), Sql(Two, "CREATE TABLE \"users\" (id int);\n"), Two, "CREATE TABLE", 14);
        yield return new("unterminated block comment", "SBM2003", Sql(Two, "SELECT 1;\n/* note\n"), Sql(Two, "SELECT 1;\n/* note */\n"), Two, "/* note", 1);
        yield return new("unterminated nested comment", "SBM2003", Sql(Two, "/* a /* b */\nSELECT 1;\n"), Sql(Two, "/* a /* b */ */\nSELECT 1;\n"), Two, "/* a", 1);
        yield return new("unterminated dollar quote", "SBM2004",
            Sql(Two, "CREATE FUNCTION f() RETURNS int AS $body$\nSELECT 1;\n$Body$ LANGUAGE sql;\n"),
            Sql(Two, "CREATE FUNCTION f() RETURNS int AS $body$\nSELECT 1;\n$body$ LANGUAGE sql;\n"), Two, "CREATE FUNCTION", 36);
        yield return new("empty file", "SBM2005", Sql(Two, ""), Sql(Two, "SELECT 1;"), Two, null, 0);
        yield return new("comments only", "SBM2005", Sql(Two, "-- TODO write this\n/* later */\n"), Sql(Two, "-- done\nSELECT 1;\n"), Two, null, 0);
        yield return new("invalid UTF-8", "SBM2006", f => f.WriteBytes(Two, [.. "SELECT 1;\nSELECT 'caf"u8, 0xE9, .. "';\n"u8]),
            f => f.WriteBytes(Two, [.. "SELECT 1;\nSELECT 'caf"u8, 0xC3, 0xA9, .. "';\n"u8]), Two, "SELECT 'caf", 12);
        yield return new("NUL character", "SBM2012", f => f.WriteBytes(Two, [.. "SELECT 1;\nSELECT '"u8, 0x00, .. "';\n"u8]),
            f => f.WriteBytes(Two, [.. "SELECT 1;\nSELECT '\\x00'::bytea;\n"u8]), Two, "SELECT '", 9);
        yield return new("byte order mark", "SBM2007", f => f.WriteBytes(Two, [0xEF, 0xBB, 0xBF, .. "SELECT 1;\n"u8]), Sql(Two, "SELECT 1;\n"), Two, "SELECT 1", 1);
        yield return new("psql include command", "SBM2008", Sql(Two, "SELECT 1;\n\\i other.sql\n"), Sql(Two, "SELECT 1;\n"), Two, "\\i other", 1);
        yield return new("transaction control", "SBM2009", Sql(Two, "BEGIN;\nSELECT 1;\nCOMMIT;\n"), Sql(Two, "SELECT 1;\n"), Two, "BEGIN", 1);
        yield return new("placeholder left by new", "SBM2013", Sql(Two, "SELECT 1;\n-- TODO(streambot): write the rest\n"), Sql(Two, "SELECT 1;\n"), Two, "-- TODO(streambot)", 1);
        yield return new("no final semicolon", "SBM2010", Sql(Two, "SELECT 1;\nSELECT 2\n"), Sql(Two, "SELECT 1;\nSELECT 2;\n"), Two, "SELECT 2", 1);
        yield return new("backfill that reads its own table", "SBM2014",
            Sql(Two, "-- streambot:backfill\nUPDATE user_balances SET balance = (SELECT max(balance) FROM user_balances);\n"),
            Sql(Two, "-- streambot:backfill\nUPDATE user_balances SET balance = 0 WHERE balance < 0;\n"), Two, "UPDATE", 1);
        yield return new("backfill over a table without a key", "SBM2015",
            Sql(Two, "CREATE TABLE chat_log (said text);\n-- streambot:backfill\nUPDATE chat_log SET said = lower(said);\n"),
            Sql(Two, "CREATE TABLE chat_log (id bigint PRIMARY KEY, said text);\n-- streambot:backfill\nUPDATE chat_log SET said = lower(said);\n"), Two, "UPDATE", 1);
        yield return new("concurrent index build", "SBM2011", Sql(Two, "CREATE INDEX CONCURRENTLY i ON t (a);\n"), Sql(Two, "CREATE INDEX i ON t (a);\n"), Two, "CREATE INDEX", 1);

        // 3xxx: README
        yield return new("missing README", "SBM3001", f => f.Delete(Readme), Nothing, Readme, null, 0);
        yield return new("migration without a section", "SBM3002", f => f.Write("0003_undocumented.sql", "SELECT 1;"), Add("0003_undocumented"), "0003_undocumented.sql", null, 0);
        yield return new("orphan section", "SBM3003", f => File.AppendAllText(f.ReadmePath, MigrationsFolder.Section("0003_ghost")), Nothing, Readme, "### 0003_ghost", 1);
        yield return new("section with a typo in the name", "SBM3003", Readme_("### " + One, "### 0001_add_balance.sql"), Nothing, Readme, "### 0001_add_balance.sql", 1);
        yield return new("duplicate section", "SBM3004", f => File.AppendAllText(f.ReadmePath, MigrationsFolder.Section("0001_add_balances").Replace("###", "### ", StringComparison.Ordinal)),
            Nothing, Readme, "###  0001", 1);
        yield return new("missing purpose", "SBM3005", Readme_("**Purpose**: Test migration 0001_add_balances  \n", ""), Nothing, Readme, "### " + One, 1);
        yield return new("empty changes", "SBM3005",
            Readme_("**Changes**:\n- Something changes\n\n**Rollback Procedure**:\n```sql\nDROP TABLE IF EXISTS t_0001", "**Changes**:\n\n**Rollback Procedure**:\n```sql\nDROP TABLE IF EXISTS t_0001"),
            Nothing, Readme, "**Changes**:\n\n", 1);
        yield return new("date not ISO", "SBM3006", f => f.WriteReadme(File.ReadAllText(f.ReadmePath).Replace("**Date**: 2025-11-15\n\n**Changes**:\n- Something changes\n\n**Rollback**", "**Date**: 15/11/2025\n\n**Changes**:\n- Something changes\n\n**Rollback**", StringComparison.Ordinal)),
            Nothing, Readme, "15/11/2025", 1);
        yield return new("date missing", "SBM3006", f => f.WriteReadme(ReplaceFirst(File.ReadAllText(f.ReadmePath), "**Date**: 2025-11-15\n", "")), Nothing, Readme, "### " + Zero, 1);
        yield return new("no rollback at all", "SBM3007", Readme_("**Rollback**: Not recommended - foundation schema\n", ""), Nothing, Readme, "### " + Zero, 1);
        yield return new("rollback block not sql", "SBM3008", Readme_("```sql\nDROP TABLE IF EXISTS t_0001", "```bash\nDROP TABLE IF EXISTS t_0001"), Nothing, Readme, "```bash", 1);
        yield return new("rollback procedure without block", "SBM3008",
            f => f.WriteReadme(System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(f.ReadmePath), "(### 0001_add_balances.sql[\\s\\S]*?\\*\\*Rollback Procedure\\*\\*:\n)```sql[\\s\\S]*?```\n", "$1See the wiki.\n")),
            Nothing, Readme, "**Rollback Procedure**:\nSee the wiki", 1);
        yield return new("empty rollback block", "SBM3009",
            f => f.WriteReadme(System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(f.ReadmePath), "(### 0001_add_balances.sql[\\s\\S]*?\\*\\*Rollback Procedure\\*\\*:\n```sql\n)[\\s\\S]*?```", "$1-- nothing yet\n```")),
            Nothing, Readme, "```sql\n-- nothing yet", 1);
        yield return new("unlexable rollback block", "SBM2004", Readme_("DROP TABLE IF EXISTS t_0001_add_balances;", "DROP TABLE IF EXISTS $x$t_0001_add_balances;"), Nothing, Readme, "DROP TABLE IF EXISTS $x$", 22);
        yield return new("rollback risk not a level", "SBM3010", Readme_("**Rollback Risk**: LOW - nothing is lost\n\n---\n\n### 0002", "**Rollback Risk**: SEVERE\n\n---\n\n### 0002"), Nothing, Readme, "SEVERE", 1);
        yield return new("not recommended without reason", "SBM3011", Readme_("Not recommended - foundation schema", "Not recommended"), Nothing, Readme, "**Rollback**: Not recommended", 1);
        yield return new("both procedure and not recommended", "SBM3012", Readme_("**Rollback Risk**: LOW - nothing is lost\n\n---\n\n### 0002", "**Rollback Risk**: LOW - nothing is lost\n**Rollback**: Not recommended - really\n\n---\n\n### 0002"),
            Nothing, Readme, "Not recommended - really", 1);
        yield return new("concurrent statement in a rollback", "SBM3013", Readme_("DROP TABLE IF EXISTS t_0001_add_balances;", "DROP INDEX CONCURRENTLY IF EXISTS t_0001_add_balances;"), Nothing, Readme, "DROP INDEX CONCURRENTLY", 1);
        yield return new("rollback without verify query", "SBM3014", Readme_("WHERE tablename = 't_0001_add_balances';\n-- Should return 0 rows", "WHERE tablename = 't_0001_add_balances';"),
            Nothing, Readme, "**Rollback Procedure**:\n```sql\nDROP TABLE IF EXISTS t_0001", 1);
        yield return new("verify comment without count", "SBM3015", Readme_("WHERE tablename = 't_0001_add_balances';\n-- Should return 0 rows", "WHERE tablename = 't_0001_add_balances';\n-- Should return nothing"),
            Nothing, Readme, "-- Should return nothing", 1);
        yield return new("unterminated code fence", "SBM3016", f => File.AppendAllText(f.ReadmePath, "\n## Notes\n```bash\nnpm run migrate\n"), Nothing, Readme, "```bash", 1);
        yield return new("README placeholder left by new", "SBM3018", Readme_("**Purpose**: Test migration 0001_add_balances", "**Purpose**: TODO(streambot): what this migration does and why"), Nothing, Readme, "TODO(streambot)", 14);
        yield return new("rollback field not understood", "SBM3017", Readme_("**Rollback**: Not recommended - foundation schema", "**Rollback**: ask the DBA"), Nothing, Readme, "ask the DBA", 1);
    }

    private static string ReplaceFirst(string text, string oldText, string newText)
    {
        var index = text.IndexOf(oldText, StringComparison.Ordinal);
        return index < 0 ? throw new InvalidOperationException(oldText) : text[..index] + newText + text[(index + oldText.Length)..];
    }

    /// <summary>1-based line of the first occurrence of <paramref name="marker"/> in the file's text.</summary>
    public static int LineOf(string path, string marker)
    {
        var text = Encoding.UTF8.GetString(File.ReadAllBytes(path)).TrimStart('\uFEFF');
        var index = text.IndexOf(marker, StringComparison.Ordinal);
        return index < 0 ? throw new InvalidOperationException($"'{marker}' not found in {path}") : 1 + text[..index].Count(c => c == '\n');
    }
}
