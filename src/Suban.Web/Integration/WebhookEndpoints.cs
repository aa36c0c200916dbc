using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Notifications;
using Suban.Web.Requests;

namespace Suban.Web.Integration;

public sealed record WebhookInput(string? Name, string? UnitCode, string? Url, IReadOnlyList<string>? Events);

/// <summary>The secret is in this answer only: the subscriber stores it to check signatures.</summary>
public sealed record WebhookRegistered(int Id, string Name, string UnitCode, string Url, IReadOnlyList<string> Events, string Secret, DateTimeOffset CreatedAt);

public sealed record WebhookView(int Id, string Name, string UnitCode, string Url, IReadOnlyList<string> Events, bool IsActive, int Pending, int Dead, DateTimeOffset CreatedAt);

public sealed record DeliveryView(long Id, string Event, string? TrackingNumber, DeliveryStatus Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? SentAt, int? LastStatusCode, string? LastError);

internal static class WebhookEndpoints
{
    private const int MaxName = 100;

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder routes)
    {
        // Administrators only: subscriptions carry secrets and reach into units' systems.
        var group = routes.MapGroup("/api/v1/webhooks").WithTags("Integration").RequireAuthorization(p => p.RequireRole(Roles.Administrator));
        group.MapPost("/", CreateAsync).WithSummary("Subscribe a unit's system to events; answers with the signing secret, once.");
        group.MapGet("/", ListAsync).WithSummary("Subscriptions with their pending and dead deliveries.");
        group.MapPut("/{id:int}", UpdateAsync).WithSummary("Change where a subscription delivers and which events it takes; pending deliveries go to the new URL.");
        group.MapPost("/{id:int}/secret", RotateAsync).WithSummary("Replace the signing secret; answers with the new one, once. Deliveries from now on are signed with it.");
        group.MapDelete("/{id:int}", DeactivateAsync).WithSummary("Stop a subscription; its pending deliveries wait until it is active again.");
        group.MapPost("/{id:int}/activate", ActivateAsync).WithSummary("Start a stopped subscription again.");
        group.MapGet("/{id:int}/deliveries", DeliveriesAsync).WithSummary("A subscription's deliveries, newest first; filter by status.");
        group.MapPost("/deliveries/{deliveryId:long}/replay", ReplayAsync).WithSummary("Send a delivery again (sent or dead), as soon as the worker passes.");

        // The same, as a page for administrators signed in with a cookie; forms carry an antiforgery token.
        routes.MapGet("/admin/webhooks", PageAsync).RequireAuthorization(p => p.RequireRole(Roles.Administrator)).ExcludeFromDescription();
        routes.MapPost("/admin/webhooks/deliveries/{deliveryId:long}/replay", ReplayFormAsync).RequireAuthorization(p => p.RequireRole(Roles.Administrator)).ExcludeFromDescription();
        return routes;
    }

    private static async Task<IResult> CreateAsync(WebhookInput input, SubanDb db, ActorAccessor actors, TimeProvider clock, IOptions<WebhookOptions> options, CancellationToken cancellationToken)
    {
        var name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxName)
        {
            return Problems.Field("name", $"Name the subscription (1 to {MaxName} characters).");
        }

        var unit = string.IsNullOrWhiteSpace(input.UnitCode) ? null : await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Code == input.UnitCode.Trim(), cancellationToken);
        if (unit is null)
        {
            return Problems.Field("unitCode", $"No unit has the code '{input.UnitCode}'.");
        }

        if (Check(input, options.Value, out var url, out var events) is { } problem)
        {
            return problem;
        }

        var actor = await actors.GetAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var subscription = new WebhookSubscription
        {
            Name = name,
            UnitId = unit.Id,
            Url = url.AbsoluteUri,
            Secret = WebhookSignature.NewSecret(),
            Events = string.Join(',', events),
            IsActive = true,
            CreatedAt = now,
        };
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        db.AuditEntries.Add(new Catalogue.AuditEntry { At = now, UserId = actor.UserId, Action = "webhook.create", Subject = $"webhooks/{subscription.Id}", Detail = $"{name} ({unit.Code})" });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/webhooks/{subscription.Id}",
            new WebhookRegistered(subscription.Id, name, unit.Code, subscription.Url, events, subscription.Secret, RequestViews.Utc(now)));
    }

    /// <summary>The URL and event list of <paramref name="input"/>, checked like a new subscription's.</summary>
    private static IResult? Check(WebhookInput input, WebhookOptions options, out Uri url, out List<string> events)
    {
        events = input.Events is null or { Count: 0 } ? ["*"] : input.Events.Select(e => e.Trim()).Distinct().ToList();
        if (!Uri.TryCreate(input.Url?.Trim(), UriKind.Absolute, out url!) || url.Scheme is not ("https" or "http") || url.AbsoluteUri.Length > 500)
        {
            return Problems.Field("url", "An absolute https:// URL of at most 500 characters.");
        }

        if (url.Scheme == "http" && !options.AllowHttp)
        {
            return Problems.Field("url", "Deliveries carry requests' contents: the URL must be https://.");
        }

        return events.FirstOrDefault(e => e != "*" && !WebhookEvents.All.Contains(e)) is { } unknown
            ? Problems.Field("events", $"Unknown event '{unknown}'. Known: {string.Join(", ", WebhookEvents.All)}, or * for all.")
            : null;
    }

    private static async Task<IResult> UpdateAsync(int id, WebhookInput input, SubanDb db, ActorAccessor actors, TimeProvider clock, IOptions<WebhookOptions> options, CancellationToken cancellationToken)
    {
        var subscription = await db.WebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
        {
            return Problems.NotFound("id", $"No webhook subscription has the id {id}.");
        }

        if (Check(input, options.Value, out var url, out var events) is { } problem)
        {
            return problem;
        }

        subscription.Url = url.AbsoluteUri;
        subscription.Events = string.Join(',', events);
        if (!string.IsNullOrWhiteSpace(input.Name) && input.Name.Trim().Length <= MaxName)
        {
            subscription.Name = input.Name.Trim();
        }

        var actor = await actors.GetAsync(cancellationToken);
        db.AuditEntries.Add(new Catalogue.AuditEntry { At = clock.GetUtcNow().UtcDateTime, UserId = actor.UserId, Action = "webhook.update", Subject = $"webhooks/{id}", Detail = subscription.Url });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> RotateAsync(int id, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        var subscription = await db.WebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
        {
            return Problems.NotFound("id", $"No webhook subscription has the id {id}.");
        }

        subscription.Secret = WebhookSignature.NewSecret();
        var actor = await actors.GetAsync(cancellationToken);
        db.AuditEntries.Add(new Catalogue.AuditEntry { At = clock.GetUtcNow().UtcDateTime, UserId = actor.UserId, Action = "webhook.secret", Subject = $"webhooks/{id}", Detail = subscription.Name });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new { subscription.Id, subscription.Secret });
    }

    private static async Task<List<WebhookView>> ViewsAsync(SubanDb db, CancellationToken cancellationToken)
    {
        var rows = await db.WebhookSubscriptions.AsNoTracking()
            .Join(db.Units, s => s.UnitId, u => u.Id, (s, u) => new
            {
                s,
                u.Code,
                Pending = db.WebhookDeliveries.Count(d => d.SubscriptionId == s.Id && d.Status == DeliveryStatus.Pending),
                Dead = db.WebhookDeliveries.Count(d => d.SubscriptionId == s.Id && d.Status == DeliveryStatus.Dead),
            })
            .OrderBy(x => x.s.Id)
            .ToListAsync(cancellationToken);
        return rows.Select(x => new WebhookView(x.s.Id, x.s.Name, x.Code, x.s.Url, x.s.Events.Split(','), x.s.IsActive, x.Pending, x.Dead, RequestViews.Utc(x.s.CreatedAt))).ToList();
    }

    private static async Task<IResult> ListAsync(SubanDb db, CancellationToken cancellationToken) => TypedResults.Ok(await ViewsAsync(db, cancellationToken));

    private static Task<IResult> DeactivateAsync(int id, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken) =>
        SetActiveAsync(id, false, db, actors, clock, cancellationToken);

    private static Task<IResult> ActivateAsync(int id, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken) =>
        SetActiveAsync(id, true, db, actors, clock, cancellationToken);

    private static async Task<IResult> SetActiveAsync(int id, bool active, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        var subscription = await db.WebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
        {
            return Problems.NotFound("id", $"No webhook subscription has the id {id}.");
        }

        subscription.IsActive = active;
        var actor = await actors.GetAsync(cancellationToken);
        db.AuditEntries.Add(new Catalogue.AuditEntry { At = clock.GetUtcNow().UtcDateTime, UserId = actor.UserId, Action = active ? "webhook.activate" : "webhook.deactivate", Subject = $"webhooks/{id}", Detail = subscription.Name });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> DeliveriesAsync(int id, string? status, int? limit, SubanDb db, CancellationToken cancellationToken)
    {
        if (!QueryValues.TryEnum<DeliveryStatus>(status, "status", out var wanted, out var problem))
        {
            return problem!;
        }

        if (limit is < 1 or > 500)
        {
            return Problems.Field("limit", "Between 1 and 500.");
        }

        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == id, cancellationToken))
        {
            return Problems.NotFound("id", $"No webhook subscription has the id {id}.");
        }

        return TypedResults.Ok(await DeliveryListAsync(db, id, wanted, limit ?? 100, cancellationToken));
    }

    private static async Task<List<DeliveryView>> DeliveryListAsync(SubanDb db, int subscriptionId, DeliveryStatus? status, int limit, CancellationToken cancellationToken)
    {
        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == subscriptionId);
        if (status is { } s)
        {
            query = query.Where(d => d.Status == s);
        }

        var rows = await query.OrderByDescending(d => d.Id).Take(limit)
            .Select(d => new { d, TrackingNumber = db.Requests.Where(r => r.Id == d.RequestId).Select(r => r.TrackingNumber).FirstOrDefault() })
            .ToListAsync(cancellationToken);
        return rows.Select(x => new DeliveryView(x.d.Id, x.d.Event, x.TrackingNumber, x.d.Status, x.d.Attempts, RequestViews.Utc(x.d.CreatedAt), RequestViews.Utc(x.d.NextAttemptAt),
            RequestViews.Utc(x.d.SentAt), x.d.LastStatusCode, x.d.LastError)).ToList();
    }

    private static async Task<IResult> ReplayAsync(long deliveryId, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
        if (delivery is null)
        {
            return Problems.NotFound("deliveryId", $"No webhook delivery has the id {deliveryId}.");
        }

        await ResetAsync(delivery, db, actors, clock, cancellationToken);
        return TypedResults.Accepted($"/api/v1/webhooks/{delivery.SubscriptionId}/deliveries", new { delivery.Id, delivery.Status });
    }

    /// <summary>
    /// Back to pending with its attempts reset, keeping its id (the subscriber's idempotency key) and its body; the
    /// signature and timestamp are made afresh when it is sent.
    /// </summary>
    private static async Task ResetAsync(WebhookDelivery delivery, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        delivery.Status = DeliveryStatus.Pending;
        delivery.Attempts = 0;
        delivery.NextAttemptAt = now;
        delivery.ClaimedBy = null;
        delivery.ClaimedUntil = null;
        var actor = await actors.GetAsync(cancellationToken);
        db.AuditEntries.Add(new Catalogue.AuditEntry { At = now, UserId = actor.UserId, Action = "webhook.replay", Subject = $"webhooks/{delivery.SubscriptionId}/deliveries/{delivery.Id}", Detail = delivery.Event });
        await db.SaveChangesAsync(cancellationToken);
    }

    private static async Task<IResult> ReplayFormAsync(long deliveryId, HttpContext http, IAntiforgery antiforgery, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.BadRequest();
        }

        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
        if (delivery is null)
        {
            return Results.NotFound();
        }

        await ResetAsync(delivery, db, actors, clock, cancellationToken);
        return Results.Redirect($"/admin/webhooks?replayed={deliveryId}{(http.Request.Query["lang"] == "en" ? "&lang=en" : "")}");
    }

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    private static string E(string? value) => Encoder.Encode(value ?? "");

    private static async Task<IResult> PageAsync(string? lang, long? replayed, HttpContext http, IAntiforgery antiforgery, SubanDb db, CancellationToken cancellationToken)
    {
        var en = lang == "en";
        string T(string zh, string english) => en ? english : zh;
        var tokens = antiforgery.GetAndStoreTokens(http);
        var html = new StringBuilder();
        if (replayed is { } id)
        {
            html.Append($"<p role=\"status\">{T("已重新排队发送", "Queued again")}: #{id}</p>");
        }

        foreach (var view in await ViewsAsync(db, cancellationToken))
        {
            html.Append($"<section><h2>{E(view.Name)} <small>({E(view.UnitCode)})</small></h2>")
                .Append($"<p>{E(view.Url)} · {T("事件", "Events")}: {E(string.Join(", ", view.Events))} · {(view.IsActive ? T("启用", "active") : T("已停用", "stopped"))}")
                .Append($" · {T("待发送", "pending")} {view.Pending} · {T("失败", "dead")} {view.Dead}</p>")
                .Append($"<table><caption>{T("最近的投递", "Recent deliveries")}</caption><thead><tr><th scope=\"col\">#</th><th scope=\"col\">{T("事件", "Event")}</th><th scope=\"col\">{T("工单", "Request")}</th>")
                .Append($"<th scope=\"col\">{T("状态", "Status")}</th><th scope=\"col\">{T("尝试", "Attempts")}</th><th scope=\"col\">{T("最后错误", "Last error")}</th><th scope=\"col\"></th></tr></thead><tbody>");
            foreach (var d in await DeliveryListAsync(db, view.Id, null, 50, cancellationToken))
            {
                html.Append($"<tr><td>{d.Id}</td><td>{E(d.Event)}</td><td>{E(d.TrackingNumber)}</td><td>{d.Status}</td><td>{d.Attempts}</td><td>{E(d.LastError)}</td><td>")
                    .Append($"<form method=\"post\" action=\"/admin/webhooks/deliveries/{d.Id}/replay{(en ? "?lang=en" : "")}\">")
                    .Append($"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken)}\">")
                    .Append($"<button aria-label=\"{T("重新发送", "Replay")} #{d.Id}\">{T("重新发送", "Replay")}</button></form></td></tr>");
            }

            html.Append("</tbody></table></section>");
        }

        var title = T("对接系统推送", "Webhooks");
        var page = $$"""
            <!doctype html>
            <html lang="{{(en ? "en" : "zh-CN")}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}} · {{T("速办", "Suban")}}</title>
            <style>
            body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:72rem;margin:0 auto;padding:1rem;line-height:1.5;color:#1a1a1a}
            table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #ccc;padding:.25rem .5rem;text-align:left}
            a:focus,button:focus{outline:3px solid #f9a825;outline-offset:2px} button{padding:.25rem .6rem}
            </style></head>
            <body><header><a href="?lang={{(en ? "zh" : "en")}}">{{T("English", "中文")}}</a></header>
            <main><h1>{{title}}</h1>{{html}}</main></body></html>
            """;
        return Results.Content(page, "text/html; charset=utf-8");
    }
}
