using System.Reflection;
using Npgsql;

namespace StreamBot.Service;

/// <summary>
/// How the bot names itself to PostgreSQL: application_name <c>streambot/&lt;version&gt;</c>. streambot-migrate holds a
/// contract migration (<c>-- streambot:contract after streambot/1.5.0</c>) while a session of an older version is
/// connected, and pg_stat_activity shows which version each connection belongs to.
/// </summary>
public static class AppIdentity
{
    public static string ApplicationName { get; } = "streambot/" + Version(typeof(AppIdentity).Assembly);

    public static string WithIdentity(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = ApplicationName }.ConnectionString;

    // The assembly's informational version without its source revision (1.5.0+3f2a9c1 is 1.5.0).
    private static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
