using System.Text;

namespace StreamBot.Migrations.Sql;

/// <summary>
/// PostgreSQL's key words (reserved or not), as <c>pg_get_keywords()</c> lists them on PostgreSQL 15. A test compares
/// the list with the server the tests run against, so a newer server's words show up as a failing test.
/// </summary>
internal static class SqlKeywords
{
    private static readonly HashSet<string> Words = new(StringComparer.Ordinal)
    {
        "abort", "absolute", "access", "action", "add", "admin", "after", "aggregate", "all", "also", "alter",
        "always", "analyse", "analyze", "and", "any", "array", "as", "asc", "asensitive", "assertion", "assignment",
        "asymmetric", "at", "atomic", "attach", "attribute", "authorization", "backward", "before", "begin",
        "between", "bigint", "binary", "bit", "boolean", "both", "breadth", "by", "cache", "call", "called",
        "cascade", "cascaded", "case", "cast", "catalog", "chain", "char", "character", "characteristics", "check",
        "checkpoint", "class", "close", "cluster", "coalesce", "collate", "collation", "column", "columns",
        "comment", "comments", "commit", "committed", "compression", "concurrently", "configuration", "conflict",
        "connection", "constraint", "constraints", "content", "continue", "conversion", "copy", "cost", "create",
        "cross", "csv", "cube", "current", "current_catalog", "current_date", "current_role", "current_schema",
        "current_time", "current_timestamp", "current_user", "cursor", "cycle", "data", "database", "day",
        "deallocate", "dec", "decimal", "declare", "default", "defaults", "deferrable", "deferred", "definer",
        "delete", "delimiter", "delimiters", "depends", "depth", "desc", "detach", "dictionary", "disable",
        "discard", "distinct", "do", "document", "domain", "double", "drop", "each", "else", "enable", "encoding",
        "encrypted", "end", "enum", "escape", "event", "except", "exclude", "excluding", "exclusive", "execute",
        "exists", "explain", "expression", "extension", "external", "extract", "false", "family", "fetch", "filter",
        "finalize", "first", "float", "following", "for", "force", "foreign", "forward", "freeze", "from", "full",
        "function", "functions", "generated", "global", "grant", "granted", "greatest", "group", "grouping",
        "groups", "handler", "having", "header", "hold", "hour", "identity", "if", "ilike", "immediate", "immutable",
        "implicit", "import", "in", "include", "including", "increment", "index", "indexes", "inherit", "inherits",
        "initially", "inline", "inner", "inout", "input", "insensitive", "insert", "instead", "int", "integer",
        "intersect", "interval", "into", "invoker", "is", "isnull", "isolation", "join", "key", "label", "language",
        "large", "last", "lateral", "leading", "leakproof", "least", "left", "level", "like", "limit", "listen",
        "load", "local", "localtime", "localtimestamp", "location", "lock", "locked", "logged", "mapping", "match",
        "matched", "materialized", "maxvalue", "merge", "method", "minute", "minvalue", "mode", "month", "move",
        "name", "names", "national", "natural", "nchar", "new", "next", "nfc", "nfd", "nfkc", "nfkd", "no", "none",
        "normalize", "normalized", "not", "nothing", "notify", "notnull", "nowait", "null", "nullif", "nulls",
        "numeric", "object", "of", "off", "offset", "oids", "old", "on", "only", "operator", "option", "options",
        "or", "order", "ordinality", "others", "out", "outer", "over", "overlaps", "overlay", "overriding", "owned",
        "owner", "parallel", "parameter", "parser", "partial", "partition", "passing", "password", "placing",
        "plans", "policy", "position", "preceding", "precision", "prepare", "prepared", "preserve", "primary",
        "prior", "privileges", "procedural", "procedure", "procedures", "program", "publication", "quote", "range",
        "read", "real", "reassign", "recheck", "recursive", "ref", "references", "referencing", "refresh", "reindex",
        "relative", "release", "rename", "repeatable", "replace", "replica", "reset", "restart", "restrict",
        "return", "returning", "returns", "revoke", "right", "role", "rollback", "rollup", "routine", "routines",
        "row", "rows", "rule", "savepoint", "schema", "schemas", "scroll", "search", "second", "security", "select",
        "sequence", "sequences", "serializable", "server", "session", "session_user", "set", "setof", "sets",
        "share", "show", "similar", "simple", "skip", "smallint", "snapshot", "some", "sql", "stable", "standalone",
        "start", "statement", "statistics", "stdin", "stdout", "storage", "stored", "strict", "strip",
        "subscription", "substring", "support", "symmetric", "sysid", "system", "table", "tables", "tablesample",
        "tablespace", "temp", "template", "temporary", "text", "then", "ties", "time", "timestamp", "to", "trailing",
        "transaction", "transform", "treat", "trigger", "trim", "true", "truncate", "trusted", "type", "types",
        "uescape", "unbounded", "uncommitted", "unencrypted", "union", "unique", "unknown", "unlisten", "unlogged",
        "until", "update", "user", "using", "vacuum", "valid", "validate", "validator", "value", "values", "varchar",
        "variadic", "varying", "verbose", "version", "view", "views", "volatile", "when", "where", "whitespace",
        "window", "with", "within", "without", "work", "wrapper", "write", "xml", "xmlattributes", "xmlconcat",
        "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize",
        "xmltable", "year", "yes", "zone",
    };

    // Each key word packed into a number, five bits per letter (a-z and '_'; the longest has 17 letters, 85 bits),
    // so that a word from the script is looked up without decoding or allocating it.
    // An open-addressing table at most a quarter full: one or two probes per word, no hashing calls.
    private const int TableBits = 11;
    private static readonly UInt128[] Table = BuildTable();

    /// <summary>Every key word, lower case.</summary>
    public static IReadOnlyCollection<string> All => Words;

    /// <summary>Whether an unquoted word (ASCII, any case) is a key word.</summary>
    public static bool Contains(ReadOnlySpan<byte> word)
    {
        if (word.Length > 17)
        {
            return false;
        }

        var key = Pack(word);
        if (key == UInt128.Zero)
        {
            return false;
        }

        for (var slot = Slot(key); ; slot = (slot + 1) & (Table.Length - 1))
        {
            if (Table[slot] == key)
            {
                return true;
            }

            if (Table[slot] == UInt128.Zero)
            {
                return false;
            }
        }
    }

    private static UInt128[] BuildTable()
    {
        var table = new UInt128[1 << TableBits];
        foreach (var word in Words)
        {
            var key = Pack(Encoding.ASCII.GetBytes(word));
            var slot = Slot(key);
            while (table[slot] != UInt128.Zero)
            {
                slot = (slot + 1) & (table.Length - 1);
            }

            table[slot] = key;
        }

        return table;
    }

    private static int Slot(UInt128 key) => (int)((((ulong)key ^ (ulong)(key >> 64)) * 0x9E3779B97F4A7C15UL) >> (64 - TableBits));

    /// <summary>The word packed, or zero when it holds a character no key word has.</summary>
    private static UInt128 Pack(ReadOnlySpan<byte> word)
    {
        UInt128 key = 0;
        foreach (var b in word)
        {
            var letter = b | 0x20;
            int code;
            if (letter is >= 'a' and <= 'z')
            {
                code = letter - 'a' + 1;
            }
            else if (b == '_')
            {
                code = 27;
            }
            else
            {
                return UInt128.Zero;
            }

            key = (key << 5) | (uint)code;
        }

        return key;
    }
}
