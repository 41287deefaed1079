namespace StreamBot.Migrations.Tests.Unit.Sql;

/// <summary>
/// The splitter's case table: one row per construct, each with the exact statements expected ("line:column:text").
/// psql 15 is the reference for every row; add a row for every bug fixed.
/// </summary>
internal static class SplitterCases
{
    public static TheoryData<string, string, string[]> All => new()
    {
        // Basics
        { "single statement", "SELECT 1;", ["1:1:SELECT 1;"] },
        { "two statements on one line", "SELECT 1; SELECT 2;", ["1:1:SELECT 1;", "1:11:SELECT 2;"] },
        { "last statement without semicolon", "SELECT 1", ["1:1:SELECT 1"] },
        { "leading blank lines and indentation", "\n\n  SELECT 1;", ["3:3:SELECT 1;"] },
        { "trailing whitespace is not a statement", "SELECT 1;\n\n  \t\n", ["1:1:SELECT 1;"] },
        { "empty input", "", [] },
        { "whitespace only", " \n\t\r\n", [] },
        { "comment only", "-- nothing here\n", [] },
        { "lone semicolons are not statements", ";;;\n;", [] },
        { "statement over several lines", "SELECT\n  1\n;", ["1:1:SELECT\n  1\n;"] },
        { "tab counts as one column", "\tSELECT 1;", ["1:2:SELECT 1;"] },
        { "semicolon on its own line", "SELECT 1\n;\nSELECT 2\n;", ["1:1:SELECT 1\n;", "3:1:SELECT 2\n;"] },
        { "numbers with exponent and leading dot", "SELECT 1.5e10;SELECT .5;", ["1:1:SELECT 1.5e10;", "1:15:SELECT .5;"] },
        { "cast operator", "SELECT '1'::int;SELECT 2;", ["1:1:SELECT '1'::int;", "1:17:SELECT 2;"] },

        // Standard strings
        { "semicolon inside a string", "SELECT 'a;b';", ["1:1:SELECT 'a;b';"] },
        { "doubled quote inside a string", "SELECT 'it''s;';", ["1:1:SELECT 'it''s;';"] },
        { "empty string", "SELECT '';SELECT 2;", ["1:1:SELECT '';", "1:11:SELECT 2;"] },
        { "string spanning lines", "SELECT 'a\n;b';", ["1:1:SELECT 'a\n;b';"] },
        { "backslash does not escape in a standard string", "SELECT 'a\\';SELECT 2;", ["1:1:SELECT 'a\\';", "1:13:SELECT 2;"] },
        { "comment marker inside a string", "SELECT '--';SELECT 2;", ["1:1:SELECT '--';", "1:13:SELECT 2;"] },
        { "block comment marker inside a string", "SELECT '/*';SELECT 2;", ["1:1:SELECT '/*';", "1:13:SELECT 2;"] },
        { "parenthesis inside a string", "SELECT '(';SELECT 2;", ["1:1:SELECT '(';", "1:12:SELECT 2;"] },
        { "dollar inside a string", "SELECT '$$';SELECT 2;", ["1:1:SELECT '$$';", "1:13:SELECT 2;"] },
        { "psql variable syntax is a string", "SELECT :'a;b';", ["1:1:SELECT :'a;b';"] },

        // Escape strings
        { "E string with escaped quote", "SELECT E'a\\';b';", ["1:1:SELECT E'a\\';b';"] },
        { "lower-case e prefix", "SELECT e'\\'';SELECT 2;", ["1:1:SELECT e'\\'';", "1:14:SELECT 2;"] },
        { "E string with escaped backslash", "SELECT E'a\\\\';SELECT 2;", ["1:1:SELECT E'a\\\\';", "1:15:SELECT 2;"] },
        { "E string with doubled quote", "SELECT E'a''b;';", ["1:1:SELECT E'a''b;';"] },
        { "E at the end of an identifier is no prefix", "SELECT typE'x\\';SELECT 2;", ["1:1:SELECT typE'x\\';", "1:17:SELECT 2;"] },
        { "N string", "SELECT N'a;b';", ["1:1:SELECT N'a;b';"] },

        // Unicode, bit and hex strings
        { "U& string", "SELECT U&'d\\0061t;';", ["1:1:SELECT U&'d\\0061t;';"] },
        { "backslash does not escape a quote in a U& string", "SELECT U&'a\\';SELECT 2;", ["1:1:SELECT U&'a\\';", "1:15:SELECT 2;"] },
        { "U& quoted identifier", "SELECT 1 AS U&\"a;b\";", ["1:1:SELECT 1 AS U&\"a;b\";"] },
        { "bit string", "SELECT B'1010';SELECT 2;", ["1:1:SELECT B'1010';", "1:16:SELECT 2;"] },
        { "hex string", "SELECT X'1F;';SELECT 2;", ["1:1:SELECT X'1F;';", "1:15:SELECT 2;"] },
        { "backslash is literal in a bit string", "SELECT b'\\';SELECT 2;", ["1:1:SELECT b'\\';", "1:13:SELECT 2;"] },

        // Quote continuation across a newline
        // psql lexes line by line and never joins 'a'<newline>'b' the way the server does: each literal ends at its quote.
        { "literal on the next line is a new literal", "SELECT 'a'\n'b;c';", ["1:1:SELECT 'a'\n'b;c';"] },
        { "E string is not continued on the next line", "SELECT E'a'\n'\\';SELECT 2;", ["1:1:SELECT E'a'\n'\\';", "2:5:SELECT 2;"] },
        { "standard literal on the next line has no escapes", "SELECT 'a'\n'\\';SELECT 2;", ["1:1:SELECT 'a'\n'\\';", "2:5:SELECT 2;"] },
        { "adjacent literals on one line", "SELECT E'a' '\\';SELECT 2;", ["1:1:SELECT E'a' '\\';", "1:17:SELECT 2;"] },
        { "E string is not continued across a comment", "SELECT E'a' -- c\n'\\';SELECT 2;", ["1:1:SELECT E'a' -- c\n'\\';", "2:5:SELECT 2;"] },
        { "E string is not continued across blank lines", "SELECT E'a'\n\n  '\\';SELECT 2;", ["1:1:SELECT E'a'\n\n  '\\';", "3:7:SELECT 2;"] },

        // standard_conforming_strings
        { "standard_conforming_strings off makes backslash escape", "SET standard_conforming_strings = off;\nSELECT 'a\\';b';",
            ["1:1:SET standard_conforming_strings = off;", "2:1:SELECT 'a\\';b';"] },
        { "standard_conforming_strings back on", "SET standard_conforming_strings TO off;\nSET standard_conforming_strings = on;\nSELECT 'a\\';SELECT 2;",
            ["1:1:SET standard_conforming_strings TO off;", "2:1:SET standard_conforming_strings = on;", "3:1:SELECT 'a\\';", "3:13:SELECT 2;"] },
        { "standard_conforming_strings quoted value", "SET standard_conforming_strings = 'off';\nSELECT 'a\\';b';",
            ["1:1:SET standard_conforming_strings = 'off';", "2:1:SELECT 'a\\';b';"] },
        { "standard_conforming_strings change waits for the next line", "SET standard_conforming_strings = off; SELECT 'a\\';SELECT 2;",
            ["1:1:SET standard_conforming_strings = off;", "1:40:SELECT 'a\\';", "1:52:SELECT 2;"] },
        { "RESET standard_conforming_strings", "SET standard_conforming_strings = off;RESET standard_conforming_strings;SELECT 'a\\';SELECT 1;",
            ["1:1:SET standard_conforming_strings = off;", "1:39:RESET standard_conforming_strings;", "1:73:SELECT 'a\\';", "1:85:SELECT 1;"] },
        { "SET SESSION standard_conforming_strings false", "SET SESSION standard_conforming_strings TO false;\nSELECT 'x\\';y';",
            ["1:1:SET SESSION standard_conforming_strings TO false;", "2:1:SELECT 'x\\';y';"] },

        // Quoted identifiers
        { "semicolon in a quoted identifier", "SELECT 1 AS \"a;b\";", ["1:1:SELECT 1 AS \"a;b\";"] },
        { "doubled double quote", "SELECT 1 AS \"a\"\";b\";", ["1:1:SELECT 1 AS \"a\"\";b\";"] },
        { "single quote inside a quoted identifier", "CREATE TABLE \"it's\" (a int);SELECT 1;", ["1:1:CREATE TABLE \"it's\" (a int);", "1:29:SELECT 1;"] },

        // Dollar quotes
        { "empty-tag dollar quote", "SELECT $$a;b$$;", ["1:1:SELECT $$a;b$$;"] },
        { "tagged dollar quote containing $$", "SELECT $fn$a;$$;b$fn$;", ["1:1:SELECT $fn$a;$$;b$fn$;"] },
        { "nested dollar quotes with different tags", "DO $outer$ BEGIN EXECUTE $inner$SELECT 1;$inner$; END $outer$;",
            ["1:1:DO $outer$ BEGIN EXECUTE $inner$SELECT 1;$inner$; END $outer$;"] },
        { "dollar-quote tags are case-sensitive", "SELECT $A$ x;$a$ y; $A$;", ["1:1:SELECT $A$ x;$a$ y; $A$;"] },
        { "positional parameter is not a quote", "PREPARE p AS SELECT $1; EXECUTE p(1);", ["1:1:PREPARE p AS SELECT $1;", "1:25:EXECUTE p(1);"] },
        { "dollar inside an identifier is not a quote", "SELECT a$b$c;SELECT 2;", ["1:1:SELECT a$b$c;", "1:14:SELECT 2;"] },
        { "digits in a tag", "SELECT $a1$;$a1$;", ["1:1:SELECT $a1$;$a1$;"] },
        { "tag cannot start with a digit", "SELECT $1a$;", ["1:1:SELECT $1a$;"] },
        { "dollar quote over several lines", "SELECT 1;\nCREATE FUNCTION f() RETURNS int AS $$\nSELECT 1;\n$$ LANGUAGE sql;",
            ["1:1:SELECT 1;", "2:1:CREATE FUNCTION f() RETURNS int AS $$\nSELECT 1;\n$$ LANGUAGE sql;"] },
        { "underscore tag", "SELECT $_$ ; $_$;", ["1:1:SELECT $_$ ; $_$;"] },
        { "non-ASCII tag", "SELECT $é$;$é$;", ["1:1:SELECT $é$;$é$;"] },
        { "dollar quote right after a number", "SELECT 1$$;$$;", ["1:1:SELECT 1$$;$$;"] },
        { "unfinished tag is a lone dollar", "SELECT $abc + 1;SELECT 2;", ["1:1:SELECT $abc + 1;", "1:17:SELECT 2;"] },
        { "comment marker inside a dollar quote", "SELECT $$ -- ; $$;SELECT 2;", ["1:1:SELECT $$ -- ; $$;", "1:19:SELECT 2;"] },
        { "quote inside a dollar quote", "SELECT $$it's;$$;SELECT 2;", ["1:1:SELECT $$it's;$$;", "1:18:SELECT 2;"] },

        // Comments
        { "line comment hides a semicolon", "SELECT 1 -- ;\n;", ["1:1:SELECT 1 -- ;\n;"] },
        { "leading line comment is not part of the statement", "-- header\nSELECT 1;", ["2:1:SELECT 1;"] },
        { "block comment hides a semicolon", "SELECT /* ; */ 1;", ["1:1:SELECT /* ; */ 1;"] },
        { "nested block comments", "SELECT /* a /* ; */ ; */ 1;", ["1:1:SELECT /* a /* ; */ ; */ 1;"] },
        { "leading block comment is sent with the statement", "/* hi */ SELECT 1;", ["1:10:/* hi */ SELECT 1;"] },
        { "block comment then line comment before a statement", "-- a\n/* b */\n-- c\nSELECT 1;", ["4:1:/* b */\n-- c\nSELECT 1;"] },
        { "trailing block comment is not a statement", "SELECT 1; /* done */\n", ["1:1:SELECT 1;"] },
        { "comment at end of file without newline", "SELECT 1; -- done", ["1:1:SELECT 1;"] },
        { "minus is an operator", "SELECT 2 - 1;SELECT 3-1;", ["1:1:SELECT 2 - 1;", "1:14:SELECT 3-1;"] },
        { "slash is an operator", "SELECT 4 / 2;", ["1:1:SELECT 4 / 2;"] },
        { "apostrophe inside a line comment", "SELECT 1; -- it's\nSELECT 2;", ["1:1:SELECT 1;", "2:1:SELECT 2;"] },
        { "apostrophe inside a block comment", "/* it's */SELECT 1;", ["1:11:/* it's */SELECT 1;"] },
        { "comment between statements", "SELECT 1;\n/* multi\nline */\nSELECT 2;", ["1:1:SELECT 1;", "4:1:/* multi\nline */\nSELECT 2;"] },
        { "star-slash run closes a comment", "/* a **/SELECT 1;", ["1:9:/* a **/SELECT 1;"] },

        // Parentheses
        { "semicolons inside parentheses (CREATE RULE)", "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));SELECT 1;",
            ["1:1:CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));", "1:94:SELECT 1;"] },
        { "extra closing parenthesis does not go negative", "SELECT 1);SELECT 2;", ["1:1:SELECT 1);", "1:11:SELECT 2;"] },
        { "semicolon inside a function call", "SELECT f(';', $$;$$);", ["1:1:SELECT f(';', $$;$$);"] },

        // BEGIN ATOMIC bodies
        { "BEGIN ATOMIC function body", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;SELECT 3;",
            ["1:1:CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;", "1:83:SELECT 3;"] },
        { "BEGIN ATOMIC procedure with OR REPLACE", "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;SELECT 1;",
            ["1:1:CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;", "1:89:SELECT 1;"] },
        { "CASE ... END inside a BEGIN ATOMIC body", "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END; END;SELECT 1;",
            ["1:1:CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END; END;", "1:110:SELECT 1;"] },
        { "lower-case BEGIN ATOMIC", "create function f() returns int language sql begin atomic select 1; end;select 2;",
            ["1:1:create function f() returns int language sql begin atomic select 1; end;", "1:73:select 2;"] },
        { "parameter named begin is inside parentheses", "CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql RETURN 1;SELECT 2;",
            ["1:1:CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql RETURN 1;", "1:64:SELECT 2;"] },
        { "transaction BEGIN is its own statement", "BEGIN;SELECT 1;COMMIT;", ["1:1:BEGIN;", "1:7:SELECT 1;", "1:16:COMMIT;"] },
        { "CASE outside a function body", "SELECT CASE WHEN true THEN 1 END;SELECT 2;", ["1:1:SELECT CASE WHEN true THEN 1 END;", "1:34:SELECT 2;"] },
        { "plpgsql BEGIN inside a dollar quote is not tracked", "CREATE FUNCTION f() RETURNS void AS $$ BEGIN END; $$ LANGUAGE plpgsql;SELECT 1;",
            ["1:1:CREATE FUNCTION f() RETURNS void AS $$ BEGIN END; $$ LANGUAGE plpgsql;", "1:71:SELECT 1;"] },
        { "CREATE TABLE is not a function body", "CREATE TABLE t (a int);BEGIN;", ["1:1:CREATE TABLE t (a int);", "1:24:BEGIN;"] },

        // drizzle-kit breakpoints
        { "statement-breakpoint between statements", "CREATE TABLE a (x int);\n--> statement-breakpoint\nCREATE TABLE b (y int);",
            ["1:1:CREATE TABLE a (x int);", "3:1:CREATE TABLE b (y int);"] },
        { "statement-breakpoint ends a statement without semicolon", "CREATE TABLE a (x int)\n--> statement-breakpoint\nCREATE TABLE b (y int);",
            ["1:1:CREATE TABLE a (x int)", "3:1:CREATE TABLE b (y int);"] },
        { "statement-breakpoint with CRLF and trailing spaces", "SELECT 1\r\n--> statement-breakpoint  \r\nSELECT 2;",
            ["1:1:SELECT 1", "3:1:SELECT 2;"] },
        { "statement-breakpoint inside a string is text", "SELECT '\n--> statement-breakpoint\n';", ["1:1:SELECT '\n--> statement-breakpoint\n';"] },
        { "other arrow comments are ordinary comments", "SELECT 1\n--> note\n;", ["1:1:SELECT 1\n--> note\n;"] },

        // Line ends, BOM and non-ASCII text
        { "CRLF line ends", "SELECT 1;\r\nSELECT 2;\r\n", ["1:1:SELECT 1;", "2:1:SELECT 2;"] },
        { "CRLF inside a statement is kept", "SELECT\r\n1;", ["1:1:SELECT\r\n1;"] },
        { "byte order mark is skipped", "\uFEFFSELECT 1;", ["1:1:SELECT 1;"] },
        { "accented character counts one column", "SELECT 'é'; SELECT 2;", ["1:1:SELECT 'é';", "1:13:SELECT 2;"] },
        { "emoji counts two UTF-16 columns", "SELECT '😀'; SELECT 2;", ["1:1:SELECT '😀';", "1:14:SELECT 2;"] },
        { "non-ASCII identifier", "SELECT 1 AS café;SELECT 2;", ["1:1:SELECT 1 AS café;", "1:18:SELECT 2;"] },
        { "everything at once", "INSERT INTO t VALUES ('a''b', E'\\n', $$c;$$, \"d;\", B'1', U&'\\0041');",
            ["1:1:INSERT INTO t VALUES ('a''b', E'\\n', $$c;$$, \"d;\", B'1', U&'\\0041');"] },
    };
}
