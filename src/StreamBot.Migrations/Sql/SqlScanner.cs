using System.Text;
using StreamBot.Migrations.Diagnostics;

namespace StreamBot.Migrations.Sql;

/// <summary>
/// Reads a script into tokens and statements the way psql does (psqlscan.l is the reference): a statement ends at a
/// semicolon outside quotes, comments, parentheses and BEGIN ... END function bodies. One pass, no backtracking
/// beyond a quote continuation look-ahead, and runs of ordinary bytes are skipped with vectorised searches. Each
/// token goes to <typeparamref name="TSink"/>; a plain split passes <see cref="NoTokens"/>, which costs nothing.
/// </summary>
internal ref struct SqlScanner<TSink>
    where TSink : struct, ITokenSink
{
    private readonly ReadOnlySpan<byte> _src;
    private readonly List<SqlStatement> _statements;
    private readonly List<SqlProblem> _problems;
    private readonly Span<int> _wordStarts;
    private readonly Span<int> _wordLengths;
    private TextPositions _positions;
    private readonly TSink _sink;
    private int _pos;

    // The statement being collected.
    private int _statementStart;
    private int _textStart;
    private int _leadingComment;
    private int _lastTokenEnd;
    private int _parenDepth;
    private int _beginDepth;
    private int _identifierCount;
    private int _wordCount;
    // psql remembers the first letters of the first four identifiers when they are CREATE, OR, REPLACE, FUNCTION
    // or PROCEDURE, to know whether BEGIN opens an SQL-standard function body.
    private byte _id0, _id1, _id2, _id3;

    // Mirrors the server setting: while off, plain '...' strings take backslash escapes. psql reads the setting
    // when it starts lexing a line, so a SET takes effect from the line after the one where the SET ends.
    private bool _standardStrings;
    private bool _pendingStandardStrings;
    private int _pendingStandardStringsFrom;

    public SqlScanner(ReadOnlySpan<byte> source, int origin, Span<int> wordStarts, Span<int> wordLengths, List<SqlStatement> statements, List<SqlProblem> problems, TSink sink)
    {
        _src = source;
        _sink = sink;
        _pos = origin;
        _positions = new TextPositions(origin);
        _wordStarts = wordStarts;
        _wordLengths = wordLengths;
        _statements = statements;
        _problems = problems;
        _statementStart = -1;
        _leadingComment = -1;
        _pendingStandardStringsFrom = -1;
        _standardStrings = true;
    }

    public void Run()
    {
        var src = _src;
        while (_pos < src.Length)
        {
            var b = src[_pos];
            switch (b)
            {
                case (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f' or (byte)'\v':
                    _pos++;
                    break;
                case (byte)'-' when Next() == '-':
                    LineComment();
                    break;
                case (byte)'/' when Next() == '*':
                    BlockComment();
                    break;
                case (byte)'\'':
                    StartToken();
                    QuotedString(_pos + 1, StandardStrings() ? QuoteMode.Standard : QuoteMode.Escape);
                    break;
                case (byte)'"':
                    StartToken();
                    QuotedIdentifier(_pos + 1);
                    break;
                case (byte)'$':
                    Dollar();
                    break;
                case (byte)';':
                    Semicolon();
                    break;
                case (byte)'(':
                    StartToken();
                    _parenDepth++;
                    EndToken(_pos + 1, SqlTokenKind.Punctuation);
                    break;
                case (byte)')':
                    StartToken();
                    if (_parenDepth > 0) _parenDepth--;
                    EndToken(_pos + 1, SqlTokenKind.Punctuation);
                    break;
                case (byte)'\\':
                    MetaCommand();
                    break;
                default:
                    if (ByteClass.IsIdentStart(b))
                    {
                        Word();
                    }
                    else if (ByteClass.IsDigit(b))
                    {
                        Number();
                    }
                    else
                    {
                        StartToken();
                        Symbol(b);
                    }

                    break;
            }
        }

        if (_statementStart >= 0)
        {
            EndStatement(_lastTokenEnd, StatementTerminator.EndOfInput);
        }
    }

    private readonly int Next() => _pos + 1 < _src.Length ? _src[_pos + 1] : -1;

    private readonly int At(int index) => index < _src.Length ? _src[index] : -1;

    private void StartToken()
    {
        if (_statementStart < 0)
        {
            _statementStart = _pos;
            // psql drops whitespace and -- comments before a statement but sends a /* */ comment and what follows.
            _textStart = _leadingComment >= 0 ? _leadingComment : _pos;
        }
    }

    private bool StandardStrings()
    {
        if (_pendingStandardStringsFrom >= 0 && _pos >= _pendingStandardStringsFrom)
        {
            _standardStrings = _pendingStandardStrings;
            _pendingStandardStringsFrom = -1;
        }

        return _standardStrings;
    }

    /// <summary>Ends the token that starts at the current position.</summary>
    private void EndToken(int end, SqlTokenKind kind)
    {
        _sink.Token(_src, kind, _pos, end);
        _pos = end;
        _lastTokenEnd = end;
    }

    /// <summary>An operator (a run of operator characters, cut before a comment start) or a punctuation mark.</summary>
    private void Symbol(byte b)
    {
        if (b == ':' && Next() == ':')
        {
            EndToken(_pos + 2, SqlTokenKind.Operator);
            return;
        }

        if (!ByteClass.IsOperator(b))
        {
            EndToken(_pos + 1, SqlTokenKind.Punctuation);
            return;
        }

        var end = _pos + 1;
        while (end < _src.Length && ByteClass.IsOperator(_src[end]))
        {
            // As in the server's lexer, -- and /* inside a run of operator characters start a comment.
            if ((_src[end] == '-' && At(end + 1) == '-') || (_src[end] == '/' && At(end + 1) == '*'))
            {
                break;
            }

            end++;
        }

        EndToken(end, SqlTokenKind.Operator);
    }

    private void LineComment()
    {
        var eol = _src[_pos..].IndexOf((byte)'\n');
        var end = eol < 0 ? _src.Length : _pos + eol;
        if (IsStatementBreakpoint(_src[_pos..end]) && _statementStart >= 0)
        {
            // drizzle-kit marks statement ends with this comment; honour it even where a semicolon is missing.
            EndStatement(_lastTokenEnd, StatementTerminator.Breakpoint);
        }

        _sink.Token(_src, SqlTokenKind.Comment, _pos, end);
        _pos = end;
    }

    private static bool IsStatementBreakpoint(ReadOnlySpan<byte> comment)
    {
        if (comment.Length < 3 || comment[2] != '>')
        {
            return false;
        }

        return comment[3..].Trim(" \t\r"u8).SequenceEqual("statement-breakpoint"u8);
    }

    private void BlockComment()
    {
        // Block comments nest in PostgreSQL, unlike in the SQL standard.
        var open = _pos;
        if (_statementStart < 0 && _leadingComment < 0)
        {
            _leadingComment = open;
        }

        var depth = 1;
        var i = _pos + 2;
        while (true)
        {
            var k = i < _src.Length ? _src[i..].IndexOfAny((byte)'*', (byte)'/') : -1;
            if (k < 0)
            {
                Problem(open, SqlDiagnostics.UnterminatedBlockComment);
                _sink.Token(_src, SqlTokenKind.Comment, open, _src.Length);
                _pos = _src.Length;
                return;
            }

            i += k;
            if (_src[i] == '*' && At(i + 1) == '/')
            {
                i += 2;
                if (--depth == 0)
                {
                    _sink.Token(_src, SqlTokenKind.Comment, open, i);
                    _pos = i;
                    return;
                }
            }
            else if (_src[i] == '/' && At(i + 1) == '*')
            {
                depth++;
                i += 2;
            }
            else
            {
                i++;
            }
        }
    }

    private enum QuoteMode
    {
        Standard, // '' is a quote; backslash is an ordinary character
        Escape,   // E'...': backslash escapes the next byte as well
        Bits,     // B'...' and X'...': no escapes at all
    }

    /// <remarks>
    /// The server joins 'a'&lt;newline&gt;'b' into one literal, keeping E-mode escapes across the break, but psql
    /// feeds its lexer one line at a time and never sees such a continuation. psql decides what is sent, so each
    /// literal ends at its own closing quote here too.
    /// </remarks>
    private void QuotedString(int contentStart, QuoteMode mode)
    {
        // Callers have not moved _pos yet: it is at the prefix or the opening quote.
        var open = _pos;
        var i = contentStart;
        while (true)
        {
            var k = i >= _src.Length
                ? -1
                : mode == QuoteMode.Escape ? _src[i..].IndexOfAny((byte)'\'', (byte)'\\') : _src[i..].IndexOf((byte)'\'');
            if (k < 0)
            {
                UnterminatedString(open, mode == QuoteMode.Escape);
                EndToken(_src.Length, SqlTokenKind.StringLiteral);
                return;
            }

            i += k;
            if (_src[i] == '\\')
            {
                i += 2;
                continue;
            }

            if (mode != QuoteMode.Bits && At(i + 1) == '\'')
            {
                i += 2;
                continue;
            }

            EndToken(i + 1, SqlTokenKind.StringLiteral);
            return;
        }
    }

    private void QuotedIdentifier(int contentStart)
    {
        var open = _pos;
        var i = contentStart;
        while (true)
        {
            var k = i >= _src.Length ? -1 : _src[i..].IndexOf((byte)'"');
            if (k < 0)
            {
                Problem(open, SqlDiagnostics.UnterminatedQuotedIdentifier);
                EndToken(_src.Length, SqlTokenKind.QuotedIdentifier);
                return;
            }

            i += k;
            if (At(i + 1) == '"')
            {
                i += 2;
                continue;
            }

            EndToken(i + 1, SqlTokenKind.QuotedIdentifier);
            return;
        }
    }

    private void Dollar()
    {
        var start = _pos;
        StartToken();
        var next = Next();
        if (next >= 0 && ByteClass.IsDigit((byte)next))
        {
            // $1: a parameter, not a quote.
            var j = start + 1;
            while (j < _src.Length && ByteClass.IsDigit(_src[j])) j++;
            EndToken(j, SqlTokenKind.Parameter);
            return;
        }

        var tagEnd = start + 1;
        if (next >= 0 && next != '$')
        {
            if (!ByteClass.IsIdentStart((byte)next))
            {
                EndToken(start + 1, SqlTokenKind.Punctuation);
                return;
            }

            while (tagEnd < _src.Length && ByteClass.IsTagCont(_src[tagEnd])) tagEnd++;
            if (tagEnd >= _src.Length || _src[tagEnd] != '$')
            {
                // "$abc" without a closing '$' is not a delimiter; psql moves on by one byte.
                EndToken(start + 1, SqlTokenKind.Punctuation);
                return;
            }
        }
        else if (next < 0)
        {
            EndToken(start + 1, SqlTokenKind.Punctuation);
            return;
        }

        var delimiter = _src[start..(tagEnd + 1)];
        var bodyStart = tagEnd + 1;
        var close = bodyStart < _src.Length ? _src[bodyStart..].IndexOf(delimiter) : -1;
        if (close < 0)
        {
            var tag = Encoding.UTF8.GetString(delimiter);
            Problem(start, (line, column) => SqlDiagnostics.UnterminatedDollarQuote(line, column, tag));
            EndToken(_src.Length, SqlTokenKind.StringLiteral);
            return;
        }

        EndToken(bodyStart + close + delimiter.Length, SqlTokenKind.StringLiteral);
    }

    private void Semicolon()
    {
        if (_parenDepth == 0 && _beginDepth == 0)
        {
            _sink.Token(_src, SqlTokenKind.Punctuation, _pos, _pos + 1);
            _pos++;
            if (_statementStart >= 0)
            {
                EndStatement(_pos, StatementTerminator.Semicolon);
            }
            else
            {
                // psql sends a lone ';' (with any comment before it) as an empty query; nothing to run here.
                _leadingComment = -1;
            }

            return;
        }

        StartToken();
        EndToken(_pos + 1, SqlTokenKind.Punctuation);
    }

    private void MetaCommand()
    {
        var eol = _src[_pos..].IndexOf((byte)'\n');
        var end = eol < 0 ? _src.Length : _pos + eol;
        var command = Encoding.UTF8.GetString(_src[_pos..end]).TrimEnd();
        var firstSpace = command.IndexOf(' ', StringComparison.Ordinal);
        var name = firstSpace < 0 ? command : command[..firstSpace];
        Problem(_pos, (line, column) => SqlDiagnostics.PsqlMetaCommand(line, column, name));
        _pos = end;
    }

    private void Word()
    {
        var start = _pos;
        var b = _src[start] | 0x20;
        var n1 = At(start + 1);
        if (n1 == '\'')
        {
            // E'..', B'..', X'..' and N'..' are literals with a prefix, not identifiers.
            switch (b)
            {
                case 'e':
                    StartToken();
                    QuotedString(start + 2, QuoteMode.Escape);
                    return;
                case 'b' or 'x':
                    StartToken();
                    QuotedString(start + 2, QuoteMode.Bits);
                    return;
                case 'n':
                    StartToken();
                    QuotedString(start + 2, StandardStrings() ? QuoteMode.Standard : QuoteMode.Escape);
                    return;
            }
        }
        else if (b == 'u' && n1 == '&')
        {
            var n2 = At(start + 2);
            if (n2 == '\'')
            {
                StartToken();
                QuotedString(start + 3, QuoteMode.Standard);
                return;
            }

            if (n2 == '"')
            {
                StartToken();
                QuotedIdentifier(start + 3);
                return;
            }
        }

        var end = start + 1;
        while (end < _src.Length && ByteClass.IsIdentCont(_src[end])) end++;
        StartToken();
        EndToken(end, SqlTokenKind.Identifier);
        Identifier(start, end - start);
    }

    private void Number()
    {
        StartToken();
        var end = _pos + 1;
        // Digits, a decimal point, an exponent or trailing junk; never '$', which may open a dollar quote.
        while (end < _src.Length && (ByteClass.IsTagCont(_src[end]) || _src[end] == '.')) end++;
        EndToken(end, SqlTokenKind.Number);
    }

    private void Identifier(int start, int length)
    {
        var word = _src.Slice(start, length);
        if (_identifierCount == 0)
        {
            _id0 = _id1 = _id2 = _id3 = 0;
        }

        if (_identifierCount < 4)
        {
            var letter = CreateFunctionLetter(word);
            switch (_identifierCount)
            {
                case 0: _id0 = letter; break;
                case 1: _id1 = letter; break;
                case 2: _id2 = letter; break;
                default: _id3 = letter; break;
            }
        }

        _identifierCount++;
        if (_parenDepth == 0)
        {
            if (_id0 == 'c' && (_id1 == 'f' || _id1 == 'p' || (_id1 == 'o' && _id2 == 'r' && (_id3 == 'f' || _id3 == 'p'))))
            {
                // CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END: semicolons inside the body do
                // not end the statement. CASE also closes with END, so it counts once a body is open.
                if (Ascii.EqualsIgnoreCase(word, "begin"u8))
                {
                    _beginDepth++;
                }
                else if (Ascii.EqualsIgnoreCase(word, "case"u8))
                {
                    if (_beginDepth >= 1) _beginDepth++;
                }
                else if (Ascii.EqualsIgnoreCase(word, "end"u8) && _beginDepth > 0)
                {
                    _beginDepth--;
                }
            }

            if (_wordCount < _wordStarts.Length)
            {
                _wordStarts[_wordCount] = start;
                _wordLengths[_wordCount] = length;
                _wordCount++;
            }
        }
    }

    private static byte CreateFunctionLetter(ReadOnlySpan<byte> word) => word.Length switch
    {
        2 when Ascii.EqualsIgnoreCase(word, "or"u8) => (byte)'o',
        6 when Ascii.EqualsIgnoreCase(word, "create"u8) => (byte)'c',
        7 when Ascii.EqualsIgnoreCase(word, "replace"u8) => (byte)'r',
        8 when Ascii.EqualsIgnoreCase(word, "function"u8) => (byte)'f',
        9 when Ascii.EqualsIgnoreCase(word, "procedure"u8) => (byte)'p',
        _ => 0,
    };

    private void EndStatement(int end, StatementTerminator terminator)
    {
        var words = new StatementWords(_src, _wordStarts[.._wordCount], _wordLengths[.._wordCount]);
        var (line, column) = _positions.Locate(_src, _statementStart);
        _statements.Add(new SqlStatement(
            _textStart,
            end - _textStart,
            line,
            column,
            terminator,
            TransactionRules.NonTransactionalReason(words),
            TransactionRules.IsTransactionControl(words)));
        TrackStandardConformingStrings(words, end);

        _statementStart = -1;
        _leadingComment = -1;
        _parenDepth = 0;
        _beginDepth = 0;
        _identifierCount = 0;
        _wordCount = 0;
    }

    /// <summary>
    /// psql follows the server's standard_conforming_strings to know whether a backslash escapes a quote; offline,
    /// the script's own SET and RESET statements are the best evidence of it.
    /// </summary>
    private void TrackStandardConformingStrings(in StatementWords words, int end)
    {
        if (words.Is(0, "RESET") && (words.Is(1, "STANDARD_CONFORMING_STRINGS") || words.Is(1, "ALL")))
        {
            ChangeStandardStringsFromNextLine(true, end);
            return;
        }

        if (!words.Is(0, "SET"))
        {
            return;
        }

        var name = words.Is(1, "SESSION") ? 2 : 1;
        if (!words.Is(name, "STANDARD_CONFORMING_STRINGS"))
        {
            return;
        }

        var value = _src[words.EndOf(name)..end].Trim(" \t\r\n;"u8);
        if (value.StartsWith("="u8))
        {
            value = value[1..];
        }
        else if (value.Length >= 2 && Ascii.EqualsIgnoreCase(value[..2], "to"u8))
        {
            value = value[2..];
        }

        value = value.Trim(" \t\r\n'\""u8);
        if (IsOneOf(value, "off"u8, "false"u8, "no"u8, "0"u8, "f"u8, "n"u8))
        {
            ChangeStandardStringsFromNextLine(false, end);
        }
        else if (IsOneOf(value, "on"u8, "true"u8, "yes"u8, "1"u8, "t"u8, "y"u8, "default"u8))
        {
            ChangeStandardStringsFromNextLine(true, end);
        }
    }

    private void ChangeStandardStringsFromNextLine(bool value, int statementEnd)
    {
        var newline = _src[statementEnd..].IndexOf((byte)'\n');
        _pendingStandardStrings = value;
        _pendingStandardStringsFrom = newline < 0 ? int.MaxValue : statementEnd + newline + 1;
    }

    private static bool IsOneOf(ReadOnlySpan<byte> value, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, ReadOnlySpan<byte> d, ReadOnlySpan<byte> e, ReadOnlySpan<byte> f, ReadOnlySpan<byte> g = default) =>
        Ascii.EqualsIgnoreCase(value, a) || Ascii.EqualsIgnoreCase(value, b) || Ascii.EqualsIgnoreCase(value, c)
        || Ascii.EqualsIgnoreCase(value, d) || Ascii.EqualsIgnoreCase(value, e) || Ascii.EqualsIgnoreCase(value, f)
        || (!g.IsEmpty && Ascii.EqualsIgnoreCase(value, g));

    // A lambda capturing a parameter of the scanning method itself would allocate its closure on every call.
    private void UnterminatedString(int open, bool backslashEscapes) =>
        Problem(open, (line, column) => SqlDiagnostics.UnterminatedString(line, column, backslashEscapes));

    private void Problem(int offset, Func<int, int, Diagnostic> diagnostic)
    {
        var positions = new TextPositions(_positions.Origin);
        var (line, column) = positions.Locate(_src, offset);
        _problems.Add(new SqlProblem(offset, diagnostic(line, column)));
    }
}
