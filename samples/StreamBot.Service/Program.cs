// The Stream Bot service's entry point. Its build validates ../../migrations through StreamBot.Migrations.Build.
Console.WriteLine("Stream Bot service: schema migrations live in ../../migrations and are checked by every build.");
