using BenchmarkDotNet.Attributes;
using StreamBot.Migrations.Sql;

namespace StreamBot.Migrations.Benchmarks;

/// <summary>Lexer + splitter throughput; two sizes show whether the cost is linear.</summary>
[MemoryDiagnoser]
public class SplitterBenchmarks
{
    private byte[] _sql = [];

    [Params(5, 50)]
    public int Megabytes { get; set; }

    [GlobalSetup]
    public void Setup() => _sql = Corpus.Generate(Megabytes * 1024 * 1024);

    [Benchmark]
    public int Split() => SqlSplitter.Split(_sql).Statements.Count;

    /// <summary>The same reading with every token kept (what the lint and the rollback drafter read).</summary>
    [Benchmark]
    public int Tokenize() => SqlSplitter.Tokenize(_sql).Count;
}
