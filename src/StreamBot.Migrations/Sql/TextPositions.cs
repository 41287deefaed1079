using System.Text;

namespace StreamBot.Migrations.Sql;

/// <summary>
/// Turns byte offsets into 1-based line and column. Offsets asked for in increasing order cost only the bytes
/// between them (the newline count is vectorised), so positioning every statement of a 50 MB file is one pass.
/// </summary>
internal struct TextPositions
{
    private readonly int _origin;
    private int _scanned;
    private int _line;
    private int _lineStart;

    /// <param name="origin">Where line 1, column 1 starts: after a byte order mark, if any.</param>
    public TextPositions(int origin)
    {
        _origin = origin;
        _scanned = origin;
        _line = 1;
        _lineStart = origin;
    }

    public readonly int Origin => _origin;

    public (int Line, int Column) Locate(ReadOnlySpan<byte> source, int offset)
    {
        if (offset < _scanned)
        {
            this = new TextPositions(_origin);
        }

        var between = source[_scanned..offset];
        var newlines = between.Count((byte)'\n');
        if (newlines > 0)
        {
            _line += newlines;
            _lineStart = _scanned + between.LastIndexOf((byte)'\n') + 1;
        }

        _scanned = offset;
        // Columns count UTF-16 code units, the unit editors and MSBuild use.
        var column = Encoding.UTF8.GetCharCount(source[_lineStart..offset]) + 1;
        return (_line, column);
    }
}
