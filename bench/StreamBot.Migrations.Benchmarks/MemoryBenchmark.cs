using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace StreamBot.Migrations.Benchmarks;

/// <summary>
/// Peak resident memory of `streambot-migrate validate` and `up` on one migration of N MiB of INSERTs, against a real
/// server, read from /proc/PID/status (VmHWM, the high-water mark) while the process runs. The goal: up under twice the
/// file's size.
/// </summary>
internal static class MemoryBenchmark
{
    public static int Run(string serverUrl, string cliDll, int mebibytes)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"sbm-memory-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            var file = Path.Combine(folder, "0000_viewer_backfill.sql");
            var statements = Generate(file, mebibytes * 1024L * 1024);
            File.WriteAllText(Path.Combine(folder, "README.md"),
                "# Migrations\n\n### 0000_viewer_backfill.sql\n**Status**: new\n**Purpose**: backfill\n**Date**: 2025-11-15\n\n**Changes**:\n- rows\n\n**Rollback**: Not recommended - data only\n");
            var size = new FileInfo(file).Length / 1024.0 / 1024.0;
            var name = "bench_" + Guid.NewGuid().ToString("N")[..12];
            Run("psql", $"-X -q -c \"CREATE DATABASE {name}\" \"{serverUrl.TrimEnd('/')}/postgres\"", null);
            var database = $"{serverUrl.TrimEnd('/')}/{name}";

            var (validatePeak, _) = Run("dotnet", $"\"{cliDll}\" validate \"{folder}\"", null);
            var (upPeak, upSeconds) = Run("dotnet", $"\"{cliDll}\" up --no-backup --dir \"{folder}\"", database);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"one migration: {size:F0} MiB, {statements:N0} INSERT statements"));
            Console.WriteLine(string.Create(inv, $"  validate peak RSS : {validatePeak:F0} MiB ({validatePeak / size:F2}x the file)"));
            Console.WriteLine(string.Create(inv, $"  up peak RSS       : {upPeak:F0} MiB ({upPeak / size:F2}x the file), {upSeconds:F1} s"));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    private static long Generate(string path, long bytes)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write("CREATE TABLE viewer_backfill (id bigint PRIMARY KEY, name text NOT NULL, note text);\n");
        long written = 0, n = 0;
        while (written < bytes)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"INSERT INTO viewer_backfill (id, name, note) VALUES ({n}, 'viewer_{n:D8}', 'a note about viewer number {n} for the giveaway');\n");
            writer.Write(line);
            written += line.Length;
            n++;
        }

        return n;
    }

    /// <summary>Runs a process to completion; returns its peak RSS in MiB and its wall time in seconds.</summary>
    private static (double PeakMiB, double Seconds) Run(string program, string arguments, string? databaseUrl)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (databaseUrl is not null)
        {
            info.Environment["DATABASE_URL"] = databaseUrl;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peakKiB = 0;
        while (!process.WaitForExit(20))
        {
            peakKiB = Math.Max(peakKiB, HighWaterMarkKiB(process.Id));
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {arguments} failed: {stdout.Result}{stderr.Result}");
        }

        return (peakKiB / 1024.0, clock.Elapsed.TotalSeconds);
    }

    private static long HighWaterMarkKiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // the process just ended
        }
    }
}
