namespace StreamBot.Migrations.Sql;

/// <summary>
/// PostgreSQL's character classes, on bytes. The server's and psql's lexers work on bytes too: every byte of a
/// multi-byte UTF-8 character (0x80 and up) counts as a letter, so non-ASCII identifiers need no decoding.
/// </summary>
internal static class ByteClass
{
    private const byte IdentStartFlag = 1;  // [A-Za-z_\x80-\xff]
    private const byte IdentContFlag = 2;   // ident start, digits and '$'
    private const byte DigitFlag = 4;
    private const byte SpaceFlag = 8;
    private const byte TagContFlag = 16;    // dollar-quote tag: ident start and digits, but not '$'
    private const byte OperatorFlag = 32;   // the server's op_chars: ~ ! @ # ^ & | ` ? + - * / % < > =

    private static readonly byte[] Table = Build();

    private static byte[] Build()
    {
        var table = new byte[256];
        for (var b = 0; b < 256; b++)
        {
            var letter = b is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or '_' or >= 0x80;
            var digit = b is >= '0' and <= '9';
            byte flags = 0;
            if (letter) flags |= IdentStartFlag | IdentContFlag | TagContFlag;
            if (digit) flags |= DigitFlag | IdentContFlag | TagContFlag;
            if (b == '$') flags |= IdentContFlag;
            if (b is ' ' or '\t' or '\n' or '\r' or '\f' or '\v') flags |= SpaceFlag;
            if (b is '~' or '!' or '@' or '#' or '^' or '&' or '|' or '`' or '?' or '+' or '-' or '*' or '/' or '%' or '<' or '>' or '=') flags |= OperatorFlag;
            table[b] = flags;
        }

        return table;
    }

    public static bool IsIdentStart(byte b) => (Table[b] & IdentStartFlag) != 0;

    public static bool IsIdentCont(byte b) => (Table[b] & IdentContFlag) != 0;

    public static bool IsDigit(byte b) => (Table[b] & DigitFlag) != 0;

    public static bool IsSpace(byte b) => (Table[b] & SpaceFlag) != 0;

    public static bool IsTagCont(byte b) => (Table[b] & TagContFlag) != 0;

    public static bool IsOperator(byte b) => (Table[b] & OperatorFlag) != 0;
}
