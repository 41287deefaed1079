using StreamBot.Migrations.Cli;

return CommandLine.Run(args, Console.Out, Console.Error);
