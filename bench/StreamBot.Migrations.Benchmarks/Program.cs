using BenchmarkDotNet.Running;
using StreamBot.Migrations.Benchmarks;

if (args.Length == 2 && args[0] == "make-folder")
{
    // Writes a one-migration folder whose migration is a 50 MB file, for measuring peak memory from outside:
    // /usr/bin/time -v streambot-migrate validate DIR (see README.md, "Benchmarks").
    var directory = Corpus.GenerateFolder(1);
    File.WriteAllBytes(Path.Combine(directory, "0000_add_stream_events_0.sql"), Corpus.Generate(50 * 1024 * 1024));
    var target = Path.GetFullPath(args[1]);
    if (Directory.Exists(target))
    {
        Directory.Delete(target, true);
    }

    Directory.Move(directory, target);
    Console.WriteLine(target);
    return 0;
}

if (args.Length == 3 && args[0] == "folder")
{
    // folder N DIR: the benchmark corpus as a migrations folder (N migrations with their README), for timing
    // rehearse and status from outside (README.md, "Benchmarks").
    var generated = Corpus.GenerateFolder(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
    var target = Path.GetFullPath(args[2]);
    if (Directory.Exists(target))
    {
        Directory.Delete(target, true);
    }

    Directory.Move(generated, target);
    Console.WriteLine(target);
    return 0;
}

if (args.Length == 4 && args[0] == "mixed-folder")
{
    // mixed-folder N STATEMENTS DIR: the apply benchmark's corpus (DIR/migrations and the two psql scripts), for
    // timing and profiling one tool by hand.
    var corpus = MixedCorpus.Write(Path.GetFullPath(args[3]), int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
    Console.WriteLine(corpus.Folder);
    return 0;
}

if (args.Length == 2 && args[0] == "floor")
{
    // floor URL: what any .NET program with Npgsql pays before a migration tool does anything: start, connect,
    // SELECT 1. Timed from outside, as the CLI's start-up is (README.md, "Benchmarks").
    using var connection = new Npgsql.NpgsqlConnection(StreamBot.Migrations.Postgres.Connection.ConnectionSettings.Parse(args[1], "floor", out _)!.ToNpgsql("floor"));
    connection.Open();
    using var command = new Npgsql.NpgsqlCommand("SELECT 1", connection);
    return (int)command.ExecuteScalar()! - 1;
}

if (args.Length >= 3 && args[0] == "apply")
{
    // apply SERVER_URL CLI [MIGRATIONS] [ROUNDS] [STATEMENTS]: see ApplyBenchmark and README.md, "Benchmarks".
    int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    return ApplyBenchmark.Run(args[1], args[2], Arg(3, 1000), Arg(4, 5), Arg(5, 5));
}

if (args.Length >= 2 && args[0] == "stall")
{
    // stall SERVER_URL [NAME=CLI ...]: the bot's latencies while psql and each CLI migrate past a blocker (StallBenchmark).
    var tools = new List<(string, string?)> { ("psql", null) };
    tools.AddRange(args.Skip(2).Select(a => a.Split('=', 2)).Select(p => (p[0], (string?)p[1])));
    return StallBenchmark.Run(args[1], tools);
}

if (args.Length >= 2 && args[0] == "watch-overhead")
{
    // watch-overhead SERVER_URL [QUERIES]: the cost of one statistics read of the watch (WatchBenchmark).
    return WatchBenchmark.Run(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1000);
}

if (args.Length >= 1 && args[0] == "backfill")
{
    // backfill [ROWS]: one UPDATE against a backfill on ROWS rows, beside the app's writes, with a standby attached (BackfillBenchmark).
    return BackfillBenchmark.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
}

if (args.Length >= 2 && args[0] == "preflight")
{
    // preflight SERVER_URL [ROWS]: the data checks' cost on ROWS rows, without and with an index, and the compatibility check's per query (PreflightBenchmark).
    return PreflightBenchmark.Run(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
}

if (args.Length >= 3 && args[0] == "memory")
{
    // memory SERVER_URL CLI_DLL [MIB]: peak RSS of validate and up on one migration of MIB MiB (MemoryBenchmark).
    return MemoryBenchmark.Run(args[1], args[2], args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 200);
}

BenchmarkSwitcher.FromAssembly(typeof(SplitterBenchmarks).Assembly).Run(args);
return 0;
