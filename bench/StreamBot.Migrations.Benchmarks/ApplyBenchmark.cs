using System.Diagnostics;
using System.Globalization;

namespace StreamBot.Migrations.Benchmarks;

/// <summary>
/// Wall-clock comparison of `streambot-migrate up` with the two floors psql sets on the same statements, on a real
/// server: `psql -X -1 -f` (one transaction for everything) and psql with a transaction per file (one psql process,
/// BEGIN/COMMIT around each migration's statements), each on a fresh database, plus a no-op `up` on an up-to-date
/// database. The corpus is <see cref="MixedCorpus"/>: most migrations change tables earlier ones created, so every
/// per-migration check fires. Whole processes are timed, as a user sees them, so this is a plain timed loop rather
/// than a BenchmarkDotNet job; the rounds interleave the three so that drift of the machine hits each alike.
/// </summary>
internal static class ApplyBenchmark
{
    public static int Run(string serverUrl, string cli, int migrations, int rounds, int statementsPerMigration)
    {
        var root = Path.Combine(Path.GetTempPath(), $"sbm-apply-bench-{Environment.ProcessId}");
        var corpus = MixedCorpus.Write(root, migrations, statementsPerMigration);
        try
        {
            var ours = new List<double>();
            var single = new List<double>();
            var perFile = new List<double>();
            string? upToDate = null;
            // Round 0 warms the server's and the OS's caches for all three and is not counted.
            for (var round = 0; round <= rounds; round++)
            {
                var a = CreateDatabase(serverUrl);
                var (oursTook, singleTook, perFileTook) = (
                    Time(BenchProcesses.Program(cli), $"{BenchProcesses.Prefix(cli)}up --no-backup --dir \"{corpus.Folder}\"", a),
                    Time("psql", $"-X -q -1 -v ON_ERROR_STOP=1 -f \"{corpus.SingleTransaction}\" \"{CreateDatabase(serverUrl)}\"", null),
                    Time("psql", $"-X -q -v ON_ERROR_STOP=1 -f \"{corpus.TransactionPerFile}\" \"{CreateDatabase(serverUrl)}\"", null));
                upToDate = a;
                if (round > 0)
                {
                    ours.Add(oursTook);
                    single.Add(singleTook);
                    perFile.Add(perFileTook);
                }
            }

            var noop = new List<double>();
            for (var i = 0; i < 10; i++)
            {
                noop.Add(Time(BenchProcesses.Program(cli), $"{BenchProcesses.Prefix(cli)}up --no-backup --dir \"{corpus.Folder}\"", upToDate));
            }

            var inv = CultureInfo.InvariantCulture;
            string Row(List<double> values) => string.Create(inv, $"median {Median(values):F2} s  ({string.Join(", ", values.Select(x => x.ToString("F2", inv)))})");
            Console.WriteLine($"{migrations} migrations x {statementsPerMigration} statements (mixed corpus), {rounds} rounds after a warm-up round, fresh database each");
            Console.WriteLine($"  streambot-migrate up          : {Row(ours)}");
            Console.WriteLine($"  psql -X -1 -f                 : {Row(single)}");
            Console.WriteLine($"  psql, a transaction per file  : {Row(perFile)}");
            Console.WriteLine(string.Create(inv, $"  ratio                         : {Median(ours) / Median(single):F3}x psql -1, {Median(ours) / Median(perFile):F3}x psql per file"));
            Console.WriteLine(string.Create(inv, $"  no-op up (up to date)         : median {Median(noop) * 1000:F0} ms over {noop.Count} runs"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    private static string CreateDatabase(string serverUrl) => BenchProcesses.CreateDatabase(serverUrl, "bench_");

    private static double Time(string program, string arguments, string? databaseUrl)
    {
        var clock = Stopwatch.StartNew();
        BenchProcesses.Run(program, arguments, databaseUrl);
        return clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
