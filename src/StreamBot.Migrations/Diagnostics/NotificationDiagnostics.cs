namespace StreamBot.Migrations.Diagnostics;

/// <summary>The messages of the webhook that tells the team about a run (SBM4044): a warning, never a failure of the run. The URL is never quoted.</summary>
internal static class NotificationDiagnostics
{
    public static Diagnostic WebhookFailed(string firstEvent, string why) =>
        DiagnosticCatalog.WebhookNotDelivered.AtFile(ConnectionDiagnostics.Tool,
            $"The webhook did not take the {firstEvent} message: {why}. The run goes on; the messages after it are not sent.",
            "Check the URL in STREAMBOT_MIGRATIONS_WEBHOOK_URL (MigrationsWebhookUrl) and that the receiver is up; the team was not told about this run.");

    public static Diagnostic WebhookSlow(TimeSpan timeout, int pending) =>
        DiagnosticCatalog.WebhookNotDelivered.AtFile(ConnectionDiagnostics.Tool,
            $"The webhook had not taken the run's last {pending} message(s) {DeployDiagnostics.Duration(timeout)} after the run ended; they are dropped.",
            "Check that the receiver answers quickly; the run itself is complete.");
}
