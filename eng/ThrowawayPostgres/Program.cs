using Npgsql;
using StreamBot.Migrations.Postgres;
using StreamBot.Migrations.Postgres.Rehearsal;

// start          -> starts a server on a free loopback port with a database "streambot", prints "DIRECTORY URL"
// stop DIRECTORY -> stops that server (by its pid file) and deletes its directory
try
{
    switch (args)
    {
        case ["start"]:
            using (var server = ThrowawayServer.Start(new ThrowawayServerOptions { DirectoryPrefix = "streambot-main-job-" }))
            {
                var postgres = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = server.Port, Username = "postgres", Password = server.Password, Database = "postgres" };
                await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
                {
                    await connection.OpenAsync();
                    await using var create = new NpgsqlCommand("CREATE DATABASE streambot", connection);
                    await create.ExecuteNonQueryAsync();
                }

                server.Detach();
                Console.WriteLine($"{server.Directory} {server.ServerUrl}/streambot");
            }

            return 0;
        case ["stop", var directory]:
            ThrowawayServer.StopAndDelete(directory);
            return 0;
        default:
            Console.Error.WriteLine("usage: ThrowawayPostgres start | stop DIRECTORY");
            return 2;
    }
}
catch (MigrationException e)
{
    Console.Error.WriteLine(e.Diagnostic.ToString());
    return 1;
}
catch (Exception e) when (e is NpgsqlException or IOException or UnauthorizedAccessException)
{
    // A server that would not take CREATE DATABASE, or a directory already gone or not ours: one line, no trace.
    Console.Error.WriteLine($"ThrowawayPostgres: {e.Message}");
    return 1;
}
