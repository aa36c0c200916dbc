using Microsoft.EntityFrameworkCore;
using Suban.Core.Deadlines;
using Suban.Core.Lifecycle;
using Suban.Web.Data;
using Suban.Web.Deadlines;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Pages;

/// <summary>An extension a unit asked for, waiting for a supervisor or the dispatching platform to decide.</summary>
public sealed record PendingExtension(long Id, string TrackingNumber, string Title, string UnitName, int Days, string Reason, DateTimeOffset RequestedAt, DateTimeOffset? DueAt);

/// <summary>A running limit past its warning point: who answers for it, how late, how often reminded already.</summary>
public sealed record WarnedClock(string TrackingNumber, string Title, RequestState State, ClockKind Kind, string UnitName, DateTimeOffset DueAt, TimeSpan Left, Warning Warning, int Reminders, bool CanSupervise, bool UnderSupervision);

/// <summary>A supervision order (督办单), open or lately answered.</summary>
public sealed record OrderLine(long Id, string TrackingNumber, string Title, string UnitName, string Text, DateTimeOffset IssuedAt, DateTimeOffset DueAt, SupervisionStatus Status, DateTimeOffset? AnsweredAt, string? Answer, bool Late);

/// <summary>
/// What the supervision desk (督办台) shows, for the requests the caller may see: extensions to decide (supervisors and
/// dispatchers), and for supervisors the limits at warning or overdue, to remind (催办) or supervise (督办), with the
/// supervision orders open or answered in the last 30 days.
/// </summary>
public sealed record SupervisionDeskData(IReadOnlyList<PendingExtension> Extensions, IReadOnlyList<WarnedClock> Warned, IReadOnlyList<OrderLine> Orders)
{
    private const int Shown = 200;

    public static async Task<SupervisionDeskData> LoadAsync(SubanDb db, Actor actor, DateTime now, CancellationToken cancellationToken)
    {
        var visible = await db.Requests.AsNoTracking().VisibleTo(db, actor, cancellationToken);

        // A supervisor decides any extension it can see; a dispatcher those of the requests on its own platform, which
        // is the one told of them.
        var platform = actor.Unit?.Id;
        var decidable = actor.IsIn(Roles.Supervisor) ? visible : visible.Where(r => r.PlatformUnitId == platform);
        var extensions = await ExtensionQueries.Waiting(db).AsNoTracking()
            .Where(x => decidable.Any(r => r.Id == x.RequestId))
            .OrderBy(x => x.RequestedAt).Take(Shown).ToListAsync(cancellationToken);

        List<RequestClock> warned = [];
        List<SupervisionOrder> orders = [];
        if (actor.IsIn(Roles.Supervisor))
        {
            warned = await db.Clocks.AsNoTracking()
                .Where(c => c.Status == ClockStatus.Running && c.Kind != ClockKind.Supervision && c.WarnAt <= now && visible.Any(r => r.Id == c.RequestId))
                .OrderBy(c => c.DueAt).Take(Shown).ToListAsync(cancellationToken);
            var since = now.AddDays(-30);
            orders = await db.SupervisionOrders.AsNoTracking()
                .Where(o => (o.Status == SupervisionStatus.Open || o.AnsweredAt >= since) && visible.Any(r => r.Id == o.RequestId))
                .OrderBy(o => o.Status == SupervisionStatus.Open ? 0 : 1).ThenBy(o => o.DueAt).Take(Shown).ToListAsync(cancellationToken);
        }

        var requestIds = extensions.Select(x => x.RequestId).Concat(warned.Select(c => c.RequestId)).Concat(orders.Select(o => o.RequestId)).Distinct().ToList();
        var requests = await db.Requests.AsNoTracking().Where(r => requestIds.Contains(r.Id))
            .Select(r => new { r.Id, r.TrackingNumber, r.Title, r.State }).ToDictionaryAsync(r => r.Id, cancellationToken);
        var unitIds = extensions.Select(x => x.UnitId).Concat(warned.Select(c => c.UnitId)).Concat(orders.Select(o => o.UnitId)).Distinct().ToList();
        var units = await db.Units.AsNoTracking().Where(u => unitIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
        var clockIds = extensions.Select(x => x.ClockId).ToList();
        var extended = await db.Clocks.AsNoTracking().Where(c => clockIds.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => c.DueAt, cancellationToken);

        // Reminders sent for each late clock (its ladder steps) and by hand to the unit answering for it.
        var warnedIds = warned.Select(c => c.RequestId).Distinct().ToList();
        var sent = await db.Reminders.AsNoTracking().Where(m => warnedIds.Contains(m.RequestId) && !m.Skipped)
            .Select(m => new { m.RequestId, m.ClockId, m.UnitId }).ToListAsync(cancellationToken);
        var supervised = orders.Where(o => o.Status == SupervisionStatus.Open).Select(o => o.RequestId).ToHashSet();

        return new SupervisionDeskData(
            extensions.Select(x => new PendingExtension(
                x.Id, requests[x.RequestId].TrackingNumber, requests[x.RequestId].Title, units[x.UnitId], x.Days, x.Reason,
                RequestViews.Utc(x.RequestedAt), extended.TryGetValue(x.ClockId, out var due) ? RequestViews.Utc(due) : null)).ToList(),
            warned.Select(c =>
            {
                var r = requests[c.RequestId];
                return new WarnedClock(
                    r.TrackingNumber, r.Title, r.State, c.Kind, units[c.UnitId], RequestViews.Utc(c.DueAt), c.DueAt - now, TimeLimit.WarningAt(now, c.WarnAt, c.DueAt),
                    sent.Count(m => m.ClockId == c.Id || (m.ClockId is null && m.RequestId == c.RequestId && m.UnitId == c.UnitId)), CanSupervise: r.State is RequestState.Dispatched or RequestState.InProgress or RequestState.Reopened,
                    UnderSupervision: supervised.Contains(c.RequestId));
            }).ToList(),
            orders.Select(o => new OrderLine(
                o.Id, requests[o.RequestId].TrackingNumber, requests[o.RequestId].Title, units[o.UnitId], o.Text, RequestViews.Utc(o.IssuedAt), RequestViews.Utc(o.DueAt),
                o.Status, RequestViews.Utc(o.AnsweredAt), o.Answer, Late: (o.AnsweredAt ?? now) > o.DueAt)).ToList());
    }
}
