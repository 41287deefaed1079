using System.Globalization;
using Npgsql;
using StreamBot.Migrations.Postgres.Connection;

namespace StreamBot.Migrations.Tests.Support;

/// <summary>One plain connection a test keeps open: to look at the database, or to hold a lock or a transaction.</summary>
public sealed class SqlProbe : IDisposable
{
    private readonly NpgsqlConnection _connection;

    public SqlProbe(string url, string name = "probe")
    {
        var settings = ConnectionSettings.Parse(url, "test", out var problem) ?? throw new InvalidOperationException(problem!.ToString());
        _connection = new NpgsqlConnection(settings.ToNpgsql("test " + name));
        _connection.Open();
    }

    public int Pid => _connection.ProcessID;

    public long Count(string sql) => Convert.ToInt64(Scalar(sql), CultureInfo.InvariantCulture);

    public object? Scalar(string sql)
    {
        using var command = new NpgsqlCommand(sql, _connection);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>Runs one or more statements (split by the product's own splitter: raw SQL mode takes one per command).</summary>
    public void Execute(string sql)
    {
        var script = StreamBot.Migrations.Sql.SqlSplitter.Split(System.Text.Encoding.UTF8.GetBytes(sql));
        using var batch = new NpgsqlBatch(_connection);
        foreach (var statement in script.Statements)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(script.GetText(statement)));
        }

        batch.ExecuteNonQuery();
    }

    /// <summary>Polls <paramref name="sql"/> until it returns a row, and returns its first value.</summary>
    public object WaitFor(string sql, string what, Func<string> context, double seconds = 60)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (Scalar(sql) is { } value)
            {
                return value;
            }

            if (clock.Elapsed.TotalSeconds > seconds)
            {
                throw new TimeoutException($"Waited {seconds} s for {what}.\n{context()}");
            }

            Thread.Sleep(50);
        }
    }

    public void Dispose() => _connection.Dispose();
}
