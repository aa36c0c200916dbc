using System.Net.Http.Json;
using System.Text.Json;

namespace Suban.Web.Notifications;

/// <summary>A way of reaching people. Sending the same notification twice must be harmless to the recipient:
/// channels pass its id on as an idempotency key where the far side understands one.</summary>
public interface INotificationChannel
{
    /// <summary><c>in-app</c>, <c>sms</c> or <c>email</c>.</summary>
    string Name { get; }

    Task SendAsync(Notification notification, CancellationToken cancellationToken);
}

public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    public SmsOptions Sms { get; set; } = new();

    public EmailOptions Email { get; set; } = new();

    /// <summary>Where <see cref="ChannelMode.Folder"/> channels write, relative to the app's folder (beside the SQLite file) unless rooted.</summary>
    public string Folder { get; set; } = "outbox";

    public int MaxAttempts { get; set; } = 8;

    /// <summary>The first retry waits this long; each further one twice as long, up to <see cref="RetryMax"/>.</summary>
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryMax { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    public int BatchSize { get; set; } = 100;

    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    public bool RunWorker { get; set; } = true;
}

public enum ChannelMode
{
    /// <summary>Not sent at all (no outbox rows are written for it).</summary>
    Off,

    /// <summary>Written as JSON files to a local folder: for development.</summary>
    Folder,

    /// <summary>The real thing: an SMS gateway over HTTP, or an SMTP server.</summary>
    Live,
}

public sealed class SmsOptions
{
    public ChannelMode Mode { get; set; } = ChannelMode.Off;

    /// <summary>The gateway's endpoint: it gets <c>POST {"to","text","reference"}</c> with an <c>Idempotency-Key</c> header.</summary>
    public string? Url { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Put before every message, as Chinese SMS rules require a signature.</summary>
    public string Signature { get; set; } = "【深圳速办】";
}

public sealed class EmailOptions
{
    public ChannelMode Mode { get; set; } = ChannelMode.Off;

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public bool EnableSsl { get; set; } = true;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "noreply@suban.local";
}

/// <summary>In-app notifications are read from the outbox table itself; delivering one only marks it sent.</summary>
internal sealed class InAppChannel : INotificationChannel
{
    public const string ChannelName = "in-app";

    public string Name => ChannelName;

    public Task SendAsync(Notification notification, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Development stand-in for SMS or e-mail: one JSON file per notification, named by its id, so a
/// repeated delivery rewrites the same file.</summary>
internal sealed class FolderChannel(string name, string folder) : INotificationChannel
{
    public string Name => name;

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}-{notification.Id:D10}.json");
        var body = JsonSerializer.Serialize(new
        {
            channel = name,
            to = notification.Address,
            topic = notification.Topic,
            text = notification.Text,
            requestId = notification.RequestId,
            createdAt = notification.CreatedAt,
        }, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        await File.WriteAllTextAsync(path, body, cancellationToken);
    }
}

/// <summary>An SMS gateway reached over HTTP. Any answer but 2xx is a failure to retry.</summary>
internal sealed class HttpSmsChannel(HttpClient http, SmsOptions options) : INotificationChannel
{
    public string Name => "sms";

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, options.Url)
        {
            Content = JsonContent.Create(new { to = notification.Address, text = options.Signature + notification.Text, reference = notification.Id.ToString() }),
        };
        message.Headers.Add("Idempotency-Key", $"suban-{notification.Id}");
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", options.ApiKey);
        }

        using var response = await http.SendAsync(message, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"SMS gateway answered {(int)response.StatusCode}.", null, response.StatusCode);
        }
    }
}

/// <summary>E-mail over SMTP; the Message-ID is derived from the notification, so a resend is recognisably the same mail.</summary>
internal sealed class SmtpEmailChannel(EmailOptions options) : INotificationChannel
{
    public string Name => "email";

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        using var client = new System.Net.Mail.SmtpClient(options.Host, options.Port) { EnableSsl = options.EnableSsl };
        if (!string.IsNullOrEmpty(options.UserName))
        {
            client.Credentials = new System.Net.NetworkCredential(options.UserName, options.Password);
        }

        using var mail = new System.Net.Mail.MailMessage(options.From, notification.Address!)
        {
            Subject = $"速办通知：{notification.Topic}",
            Body = notification.Text,
        };
        mail.Headers.Add("Message-ID", $"<suban-{notification.Id}@{options.From.Split('@').Last()}>");
        await client.SendMailAsync(mail, cancellationToken);
    }
}
