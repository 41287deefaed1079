using System.Text;

namespace StreamBot.Migrations.Sql;

/// <summary>
/// The first word tokens (key words and identifiers) of one statement at parenthesis depth zero, kept by the scanner
/// as it reads them: enough for the transaction rules to recognise the commands that matter to a migration runner,
/// without the cost of keeping every token of a file that is only being split.
/// </summary>
internal readonly ref struct StatementWords
{
    public const int Capacity = 16;

    private readonly ReadOnlySpan<byte> _source;
    private readonly ReadOnlySpan<int> _starts;
    private readonly ReadOnlySpan<int> _lengths;

    public StatementWords(ReadOnlySpan<byte> source, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths)
    {
        _source = source;
        _starts = starts;
        _lengths = lengths;
    }

    public int Count => _starts.Length;

    public ReadOnlySpan<byte> this[int index] =>
        index < _starts.Length ? _source.Slice(_starts[index], _lengths[index]) : default;

    public int EndOf(int index) => _starts[index] + _lengths[index];

    /// <summary>ASCII case-insensitive comparison with an upper-case keyword.</summary>
    public bool Is(int index, string keyword)
    {
        var word = this[index];
        if (word.Length != keyword.Length)
        {
            return false;
        }

        for (var i = 0; i < word.Length; i++)
        {
            if ((word[i] & ~0x20) != keyword[i] && word[i] != keyword[i])
            {
                return false;
            }
        }

        return true;
    }

    public int IndexOf(string keyword, int from = 0)
    {
        for (var i = from; i < Count; i++)
        {
            if (Is(i, keyword))
            {
                return i;
            }
        }

        return -1;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Count; i++)
        {
            text.Append(i == 0 ? string.Empty : " ").Append(Encoding.UTF8.GetString(this[i]));
        }

        return text.ToString();
    }
}
