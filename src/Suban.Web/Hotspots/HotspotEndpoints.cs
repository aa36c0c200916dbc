using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Core.Hotspots;
using Suban.Core.Lifecycle;
using Suban.Web.Catalogue;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Intake;

namespace Suban.Web.Hotspots;

public sealed record EventInput(string? Area, string? Matter, string? Note);

public sealed record EventCreated(string TrackingNumber, RequestState State, DateTimeOffset SubmittedAt, int Members);

internal static class HotspotEndpoints
{
    public const int MaxNote = 1000;

    /// <summary>Who reads hotspots: those who dispatch, supervise or analyse. Only the first two act on them.</summary>
    public static readonly string[] Readers = [Roles.Supervisor, Roles.Dispatcher, Roles.Analyst, Roles.Administrator];

    public static readonly string[] Creators = [Roles.Supervisor, Roles.Dispatcher];

    public static IEndpointRouteBuilder MapHotspots(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/hotspots").WithTags("Hotspots");
        group.MapGet("/", ReportAsync)
            .WithSummary("Hotspots (热点) and early warnings of the last days, and recurrences (回潮), among the requests the caller may see.")
            .RequireAuthorization(p => p.RequireRole(Readers));
        group.MapPost("/events", CreateEventAsync)
            .WithSummary("Create a data-driven event (大数据事件工单) for a current hotspot: the platform's own request, routed to the hotspot's matter.")
            .RequireAuthorization(p => p.RequireRole(Creators));
        return routes;
    }

    private static async Task<IResult> ReportAsync(SubanDb db, ActorAccessor actors, CatalogueStore catalogue, IOptions<HotspotOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        return TypedResults.Ok(await HotspotReport.LoadAsync(db, actor, catalogue, options.Value, clock.GetUtcNow().UtcDateTime, cancellationToken));
    }

    private static async Task<IResult> CreateEventAsync(
        EventInput? input,
        ActorAccessor actors,
        CatalogueStore catalogue,
        IOptions<HotspotOptions> options,
        [AsParameters] IntakeServices intake,
        CancellationToken cancellationToken)
    {
        if (input is null)
        {
            return Problems.Field("body", "The body is empty.");
        }

        var area = input.Area?.Trim() ?? "";
        var matter = input.Matter?.Trim() ?? "";
        if (area.Length == 0)
        {
            return Problems.Field("area", "Name the hotspot's street (or district) by its code.");
        }

        if (matter.Length == 0)
        {
            return Problems.Field("matter", "Name the hotspot's matter by its code.");
        }

        if (input.Note?.Length > MaxNote)
        {
            return Problems.Field("note", $"'note' may be at most {MaxNote} characters; it has {input.Note.Length}.");
        }

        var db = intake.Db;
        var actor = await actors.GetAsync(cancellationToken);
        var now = intake.Clock.GetUtcNow();
        var report = await HotspotReport.LoadAsync(db, actor, catalogue, options.Value, now.UtcDateTime, cancellationToken);
        if (report.Find(area, matter) is not { } hotspot)
        {
            return Problems.Field("matter", $"No hotspot of this matter in this place among the requests of the last {report.WindowDays} days that you may see.");
        }

        if (hotspot.Event is { } made)
        {
            return Problems.Conflict(made.TrackingNumber is { } number
                ? $"A data-driven event was made for this hotspot already: {number}."
                : "A data-driven event was made for this hotspot already.");
        }

        var numbers = hotspot.Requests.Select(m => m.TrackingNumber).ToList();
        var members = await db.Requests.AsNoTracking().Where(r => numbers.Contains(r.TrackingNumber)).Select(r => r.Id).ToListAsync(cancellationToken);
        // The area is a street's code, or a district's where the street was unknown.
        var street = await db.Units.AsNoTracking().Where(u => u.Code == area && u.Kind == Core.Organisation.UnitKind.StreetOffice)
            .Select(u => new { u.Code, u.DistrictCode }).FirstOrDefaultAsync(cancellationToken);
        var district = street?.DistrictCode ?? area;
        var zone = intake.Options.Value.CityTimeZone();
        var submit = new SubmitRequest(
            Type: MostCommon(hotspot.Requests.Select(m => m.Type), RequestType.Complaint),
            Title: Title(hotspot, report.WindowDays),
            Description: Description(hotspot, report, input.Note?.Trim(), zone),
            Place: new PlaceInput(hotspot.AreaName, hotspot.Latitude, hotspot.Longitude),
            Contact: new ContactInput(actor.Unit?.Name, null),
            Channel: Channel.DataDriven,
            Urgency: hotspot.Requests.Min(m => m.Urgency),
            ExternalId: null,
            MatterCode: matter);

        // Two clicks at once, on one instance or two, compute the same key: the second finds the first's and is refused.
        // A cancelled event counts too, so the next one has a key of its own.
        var earlier = await db.DataDrivenEvents.CountAsync(e => e.AreaCode == area && e.MatterCode == matter, cancellationToken);
        var key = $"hotspot:{area}:{matter}:{earlier + 1}";
        var submitter = new Submitter(actor.IsIn(Roles.Supervisor) ? Role.Supervisor : Role.Dispatcher, actor.Unit?.Id, actor.UserId, CitizenUserId: null);
        var result = await IntakeEndpoints.TakeInAsync(intake, submit, [], submitter, key, mediaUrl: null, cancellationToken, alongside: request =>
        {
            // The place is the hotspot's, whatever the address resolver makes of its name.
            request.DistrictCode = district;
            request.StreetCode = street?.Code;
            db.DataDrivenEvents.Add(new DataDrivenEvent
            {
                RequestId = request.Id,
                AreaCode = area,
                MatterCode = matter,
                WindowFrom = report.From.UtcDateTime,
                WindowTo = report.To.UtcDateTime,
                Count = hotspot.Count,
                People = hotspot.People,
                Expected = hotspot.Expected,
                CreatedAt = now.UtcDateTime,
                CreatedByUserId = actor.UserId,
                Members = members.Select(id => new DataDrivenEventMember { RequestId = id }).ToList(),
            });
        });
        return result.Outcome switch
        {
            IntakeOutcome.UnknownMatter => Problems.Field("matter", "The hotspot's matter is no longer in the responsibility list in force."),
            IntakeOutcome.Replayed or IntakeOutcome.KeyReused => Problems.Conflict("A data-driven event was made for this hotspot a moment ago."),
            _ => TypedResults.Created(
                $"/api/v1/requests/{result.Response!.TrackingNumber}",
                new EventCreated(result.Response.TrackingNumber, result.Response.State, result.Response.SubmittedAt, members.Count)),
        };
    }

    private static T MostCommon<T>(IEnumerable<T> values, T fallback)
        where T : struct, Enum =>
        values.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Select(g => (T?)g.Key).FirstOrDefault() ?? fallback;

    /// <summary>E.g. "【大数据事件】福田区莲花街道 夜间施工噪声：7日内8人反映".</summary>
    private static string Title(HotspotView hotspot, int days)
    {
        var title = $"【大数据事件】{hotspot.AreaName} {hotspot.MatterName}：{days}日内{hotspot.People}人反映";
        return title.Length <= SubmitValidation.MaxTitle ? title : title[..SubmitValidation.MaxTitle];
    }

    /// <summary>What the platform found, in the city's words; the requests themselves are linked on the event's page,
    /// each for the readers who may see it.</summary>
    private static string Description(HotspotView hotspot, HotspotReport report, string? note, TimeZoneInfo zone)
    {
        var from = TimeZoneInfo.ConvertTime(report.From, zone);
        var to = TimeZoneInfo.ConvertTime(report.To, zone);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"平台数据分析发现：{from:M月d日}至{to:M月d日}，{hotspot.AreaName}收到{hotspot.Count}件（{hotspot.People}人）")
            .Append(CultureInfo.InvariantCulture, $"关于“{hotspot.MatterName}”的诉求，此前{report.BaselineDays}日的水平折合约{hotspot.Expected:0.#}件。")
            .Append("请牵头单位查明共性原因，一并处置，未诉先办。");
        if (!string.IsNullOrEmpty(note))
        {
            text.Append("\n督办说明：").Append(note);
        }

        var description = text.ToString();
        return description.Length <= SubmitValidation.MaxDescription ? description : description[..SubmitValidation.MaxDescription];
    }
}
