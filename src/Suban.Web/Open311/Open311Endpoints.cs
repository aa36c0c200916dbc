using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Core.Catalogue;
using Suban.Core.Lifecycle;
using Suban.Web.Catalogue;
using Suban.Web.Data;
using Suban.Web.Intake;

namespace Suban.Web.Open311;

/// <summary>
/// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the same intake, routing and time limits as
/// every other channel. Services are the matters of the responsibility list in force that are not retired;
/// service_request_id is the tracking number. Creation is synchronous ("realtime"), so a token is the tracking
/// number itself and tokens/{token} only echoes it back. Reading is open to anyone and shows public data only:
/// never who submitted a request, nor staff-only steps of its timeline; the citizen's words, exact place, photo and
/// replies only to the partner app that sent the request. Requests without a matter (not yet
/// classified) are not Open311 service requests and do not appear until a dispatcher sets one.
/// </summary>
internal static partial class Open311Endpoints
{
    public const string Jurisdiction = "shenzhen";
    public const string Prefix = "/open311/v2";
    public const int DefaultLimit = 1000;
    public const int MaxDescription = 4000;
    public const int MaxMediaUrl = 1000;
    public static readonly TimeSpan Window = TimeSpan.FromDays(90);

    // The date this interface last changed, for discovery's changeset.
    private const string Changeset = "2026-11-23T00:00:00+08:00";

    public static IEndpointRouteBuilder MapOpen311(this IEndpointRouteBuilder routes)
    {
        // Partner apps send forms without antiforgery tokens; the api_key is what authorises a POST.
        var group = routes.MapGroup(Prefix).WithTags("Open311").AllowAnonymous().DisableAntiforgery();
        group.MapGet("/discovery.{format}", Discovery).WithSummary("Service discovery: the endpoint, its specification and formats.");
        group.MapGet("/services.{format}", ServicesAsync).WithSummary("The matters the public may report.");
        group.MapGet("/services/{service_code}.{format}", DefinitionAsync).WithSummary("The attributes a matter asks for.");
        group.MapGet("/requests.{format}", RequestsAsync).WithSummary("Service requests by ids, matter, dates and status; paged.");
        group.MapPost("/requests.{format}", PostAsync).WithSummary("Take in a request from a registered partner app (api_key).");
        group.MapGet("/requests/{service_request_id}.{format}", RequestAsync).WithSummary("One service request by its tracking number.");
        group.MapGet("/tokens/{token}.{format}", TokenAsync).WithSummary("The service_request_id for a token (the tracking number).");
        routes.MapPartnerApps();
        return routes;
    }

    private static IResult Discovery(HttpContext http, string format)
    {
        if (Check(http, format, out var f) is { } refused)
        {
            return refused;
        }

        var url = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{Prefix}";
        return Open311Result.Ok(f, "discovery", new Fields
        {
            { "changeset", Changeset },
            { "contact", "Suban 速办: the city's one window for citizen requests (12345)." },
            { "key_service", "An administrator registers a partner app (POST /api/v1/partners) and hands over its api_key." },
            {
                "endpoints", new Many("endpoint",
                [
                    new Fields
                    {
                        { "specification", "http://wiki.open311.org/GeoReport_v2" },
                        { "url", url },
                        { "changeset", Changeset },
                        { "type", "production" },
                        { "formats", new Many("format", ["text/xml", "application/json"]) },
                    },
                ])
            },
        });
    }

    private static async Task<IResult> ServicesAsync(HttpContext http, string format, CatalogueStore catalogue, CancellationToken cancellationToken)
    {
        if (Check(http, format, out var f) is { } refused)
        {
            return refused;
        }

        var current = await catalogue.CurrentAsync(cancellationToken);
        var services = (current?.Snapshot.Active ?? []).Select(m => (object?)new Fields
        {
            { "service_code", m.Code },
            { "service_name", m.Name },
            { "description", $"{m.Category} › {m.SubCategory} › {m.Name}" },
            { "metadata", ServiceAttributes.For(m).Count > 0 },
            { "type", "realtime" },
            { "keywords", m.Keywords.Count == 0 ? null : string.Join(",", m.Keywords) },
            { "group", m.Category },
        }).ToList();
        return Open311Result.Ok(f, "services", new Many("service", services));
    }

    private static async Task<IResult> DefinitionAsync(HttpContext http, [FromRoute(Name = "service_code")] string serviceCode, string format, CatalogueStore catalogue, CancellationToken cancellationToken)
    {
        if (Check(http, format, out var f) is { } refused)
        {
            return refused;
        }

        if (await ServiceAsync(catalogue, serviceCode, cancellationToken) is not { } matter)
        {
            return Open311Result.Error(f, StatusCodes.Status404NotFound, $"service_code '{serviceCode}' was not found.");
        }

        var attributes = ServiceAttributes.For(matter).Select(a =>
        {
            var fields = new Fields
            {
                { "variable", a.Variable },
                { "code", a.Code },
                { "datatype", a.Datatype },
                { "required", a.Required },
                { "datatype_description", a.DatatypeDescription },
                { "order", a.Order },
                { "description", a.Description },
            };
            if (a.Values.Count > 0)
            {
                fields.Add("values", new Many("value", a.Values.Select(v => (object?)new Fields { { "key", v.Key }, { "name", v.Name } }).ToList()));
            }

            return (object?)fields;
        }).ToList();
        return Open311Result.Ok(f, "service_definition", new Fields { { "service_code", matter.Code }, { "attributes", new Many("attribute", attributes) } });
    }

    private static async Task<IResult> PostAsync(HttpContext http, string format, [AsParameters] IntakeServices services, CancellationToken cancellationToken)
    {
        if (Check(http, format, out var f, checkJurisdiction: false) is { } refused)
        {
            return refused;
        }

        // The specification sends a form; parameters in the query string are taken too, as some clients put them there.
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(cancellationToken) : null;
        string? Value(string name) => (form?[name].ToString() is { Length: > 0 } v ? v : http.Request.Query[name].ToString()) is { Length: > 0 } found ? found.Trim() : null;

        var apiKey = Value("api_key");
        if (apiKey is null)
        {
            return Open311Result.Error(f, StatusCodes.Status403Forbidden, "api_key was not provided; a registered partner app sends its key.");
        }

        if (await PartnerApps.FindAsync(services.Db, apiKey, cancellationToken) is not { } partner)
        {
            return Open311Result.Error(f, StatusCodes.Status403Forbidden, "Invalid api_key received -- can't proceed with create_request.");
        }

        if (JurisdictionRefused(Value("jurisdiction_id"), f) is { } elsewhere)
        {
            return elsewhere;
        }

        var serviceCode = Value("service_code");
        if (serviceCode is null)
        {
            return Open311Result.Error(f, StatusCodes.Status400BadRequest, "service_code was not provided.");
        }

        if (await ServiceAsync(services.Catalogue, serviceCode, cancellationToken) is not { } matter)
        {
            return Open311Result.Error(f, StatusCodes.Status404NotFound, $"service_code '{serviceCode}' was not found.");
        }

        var errors = new List<string>();
        var (lat, latError) = Coordinate(Value("lat"), "lat");
        var (lon, lonError) = Coordinate(Value("long"), "long");
        errors.AddRange(new[] { latError, lonError }.OfType<string>());
        if ((lat is null) != (lon is null) && errors.Count == 0)
        {
            errors.Add("lat and long go together: send both.");
        }

        var address = Value("address_string");
        var addressId = Value("address_id");
        if (addressId is not null && address is null)
        {
            // An address_id is a street's statistical code (e.g. 440304004), the ids Suban's places use.
            if (services.Places.Resolver.Gazetteer.Streets.TryGetValue(addressId, out var street)
                && services.Places.Resolver.Gazetteer.Districts.TryGetValue(street.DistrictCode, out var district))
            {
                address = district.Name + street.Name;
            }
            else
            {
                errors.Add($"address_id '{addressId}' is not a street code of this city (e.g. 440304004).");
            }
        }

        if (lat is null && lon is null && address is null && addressId is null)
        {
            errors.Add("A location is required: lat and long, address_string or address_id.");
        }

        var description = Value("description");
        if (description is { Length: > MaxDescription })
        {
            errors.Add($"description may be at most {MaxDescription} characters; it has {description.Length}.");
        }

        var mediaUrl = Value("media_url");
        if (mediaUrl is not null && (mediaUrl.Length > MaxMediaUrl || !Uri.TryCreate(mediaUrl, UriKind.Absolute, out var media) || media.Scheme is not ("http" or "https")))
        {
            errors.Add($"media_url must be an http or https URL of at most {MaxMediaUrl} characters.");
        }

        var definition = ServiceAttributes.For(matter);
        var answers = Answers(form, http.Request.Query);
        var (attributeErrors, lines) = ServiceAttributes.Check(definition, answers);
        errors.AddRange(attributeErrors.Select(e => e.Message));
        var missing = definition.Where(a => a.Required && a.Variable && !answers.ContainsKey(a.Code)).Select(a => $"attribute[{a.Code}] is required.");
        errors.AddRange(missing);

        var type = ServiceAttributes.TypeOf(answers);
        var text = string.IsNullOrWhiteSpace(description) ? matter.Name : description;
        if (lines.Count > 0)
        {
            text += "\n\n" + string.Join("\n", lines);
        }

        var name = string.Join(" ", new[] { Value("first_name"), Value("last_name") }.OfType<string>());
        var externalId = Value("external_id");
        var input = new SubmitRequest(
            type,
            matter.Name,
            text,
            new PlaceInput(address, lat, lon),
            new ContactInput(name.Length == 0 ? null : name, Value("phone")),
            Channel.Open311,
            Urgency.Normal,
            externalId is null ? null : $"{partner.Id}:{externalId}",
            matter.Code);
        var validation = SubmitValidation.Validate(input, services.Options.Value, staffChannelsAllowed: true, phoneRequired: false);
        errors.AddRange(validation.Select(e => $"{Open311Name(e.Key)}: {e.Value[0]}"));
        if (errors.Count > 0)
        {
            return Open311Result.Errors(f, StatusCodes.Status400BadRequest, errors.Distinct());
        }

        // The partner relays a citizen's report: the submit event is the citizen's, the request is created by the app.
        var submitter = new Submitter(Role.Citizen, null, null, null, CreatedBy: $"partner:{partner.Id}");
        var result = await IntakeEndpoints.TakeInAsync(services, input, [], submitter, idempotencyKey: null, mediaUrl, cancellationToken);
        return result.Outcome switch
        {
            IntakeOutcome.UnknownMatter => Open311Result.Error(f, StatusCodes.Status404NotFound, $"service_code '{serviceCode}' was not found."),
            IntakeOutcome.KeyReused => Open311Result.Error(f, StatusCodes.Status400BadRequest, $"external_id '{externalId}' was already used for a different request."),
            _ => Open311Result.Ok(f, "service_requests", new Many("request",
            [
                new Fields
                {
                    { "service_request_id", result.Response!.TrackingNumber },
                    { "service_notice", Notice(matter, type) },
                    { "account_id", Value("account_id") },
                },
            ]), result.Outcome == IntakeOutcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK),
        };
    }

    private static async Task<IResult> RequestsAsync(HttpContext http, string format, SubanDb db, CatalogueStore catalogue, IOptions<IntakeOptions> intake, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Check(http, format, out var f) is { } refused)
        {
            return refused;
        }

        var query = http.Request.Query;
        string? Value(string name) => query[name].ToString() is { Length: > 0 } v ? v.Trim() : null;
        static List<string> List(string? value) => value is null ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();

        var errors = new List<string>();
        var page = PositiveInt(Value("page"), "page", 1, int.MaxValue, errors) ?? 1;
        var pageSize = PositiveInt(Value("page_size"), "page_size", 1, DefaultLimit, errors) ?? DefaultLimit;
        var extensions = Value("extensions") is "true" or "1";
        var requests = db.Requests.AsNoTracking().Where(r => r.MatterCode != null);

        var ids = List(Value("service_request_id"));
        if (ids.Count > DefaultLimit)
        {
            errors.Add($"At most {DefaultLimit} service_request_id values at once.");
        }

        if (ids.Count > 0)
        {
            // The specification: a list of ids overrides every other argument.
            requests = requests.Where(r => ids.Contains(r.TrackingNumber)).OrderByDescending(r => r.SubmittedAt).ThenByDescending(r => r.Id);
            page = 1;
        }
        else
        {
            var codes = List(Value("service_code"));
            if (codes.Count > 0)
            {
                requests = requests.Where(r => codes.Contains(r.MatterCode!));
            }

            var statuses = List(Value("status")?.ToLowerInvariant());
            if (statuses.FirstOrDefault(s => s is not ("open" or "closed")) is { } badStatus)
            {
                errors.Add($"status '{badStatus}' is not one of: open, closed.");
            }
            else if (statuses.Count == 1)
            {
                requests = statuses[0] == "closed"
                    ? requests.Where(r => r.State == RequestState.Closed || r.State == RequestState.Cancelled)
                    : requests.Where(r => r.State != RequestState.Closed && r.State != RequestState.Cancelled);
            }

            var start = Date(Value("start_date"), "start_date", errors);
            var end = Date(Value("end_date"), "end_date", errors);
            var updatedAfter = Date(Value("updated_after"), "updated_after", errors);
            if (start is { } s0 && end is { } e0 && e0 < s0)
            {
                errors.Add("end_date must not be before start_date.");
            }
            else if (start is { } s1 && end is { } e1 && e1 - s1 > Window)
            {
                errors.Add($"start_date to end_date may span at most {Window.TotalDays:0} days.");
            }

            // Without dates, the most recent 90 days; with one of them, 90 days from or to it. A client syncing
            // with updated_after gets every request changed since, whenever it was made, unless it gives dates.
            if (updatedAfter is null || start is not null || end is not null)
            {
                var to = end ?? (start is { } s2 ? s2 + Window : clock.GetUtcNow());
                var from = start ?? to - Window;
                var fromUtc = from.UtcDateTime;
                var toUtc = to.UtcDateTime;
                requests = requests.Where(r => r.SubmittedAt >= fromUtc && r.SubmittedAt <= toUtc);
            }

            if (updatedAfter is { } after)
            {
                var afterUtc = after.UtcDateTime;
                requests = requests.Where(r => r.UpdatedAt > afterUtc).OrderBy(r => r.UpdatedAt).ThenBy(r => r.Id);
            }
            else
            {
                requests = requests.OrderByDescending(r => r.SubmittedAt).ThenByDescending(r => r.Id);
            }
        }

        if (errors.Count > 0)
        {
            return Open311Result.Errors(f, StatusCodes.Status400BadRequest, errors);
        }

        var rows = await RowsAsync(db, requests.Skip((page - 1) * pageSize).Take(pageSize), cancellationToken);
        var viewer = await ViewerAsync(db, Value("api_key"), cancellationToken);
        return Open311Result.Ok(f, "service_requests", await ViewAsync(db, catalogue, intake.Value, rows, extensions, viewer, cancellationToken));
    }

    private static async Task<IResult> RequestAsync(HttpContext http, [FromRoute(Name = "service_request_id")] string serviceRequestId, string format, SubanDb db, CatalogueStore catalogue, IOptions<IntakeOptions> intake, CancellationToken cancellationToken)
    {
        if (Check(http, format, out var f) is { } refused)
        {
            return refused;
        }

        var rows = await RowsAsync(db, db.Requests.AsNoTracking().Where(r => r.TrackingNumber == serviceRequestId && r.MatterCode != null), cancellationToken);
        if (rows.Count == 0)
        {
            return Open311Result.Error(f, StatusCodes.Status404NotFound, $"service_request_id '{serviceRequestId}' was not found.");
        }

        var extensions = http.Request.Query["extensions"].ToString() is "true" or "1";
        var viewer = await ViewerAsync(db, http.Request.Query["api_key"].ToString(), cancellationToken);
        return Open311Result.Ok(f, "service_requests", await ViewAsync(db, catalogue, intake.Value, rows, extensions, viewer, cancellationToken));
    }

    private static async Task<IResult> TokenAsync(HttpContext http, string token, string format, SubanDb db, CancellationToken cancellationToken)
    {
        if (Check(http, format, out var f) is { } refused)
        {
            return refused;
        }

        if (!await db.Requests.AnyAsync(r => r.TrackingNumber == token && r.MatterCode != null, cancellationToken))
        {
            return Open311Result.Error(f, StatusCodes.Status404NotFound, $"token '{token}' was not found.");
        }

        return Open311Result.Ok(f, "service_requests", new Many("request", [new Fields { { "service_request_id", token }, { "token", token } }]));
    }

    private sealed record Row(
        long Id,
        string TrackingNumber,
        RequestState State,
        RequestType Type,
        string MatterCode,
        string Description,
        string? Address,
        string? StreetCode,
        double? Latitude,
        double? Longitude,
        string? MediaUrl,
        string? CreatedBy,
        DateTime SubmittedAt,
        DateTime UpdatedAt,
        string? Agency,
        DateTime? ExpectedAt,
        string? StatusNotes);

    private static Task<List<Row>> RowsAsync(SubanDb db, IQueryable<ServiceRequest> requests, CancellationToken cancellationToken) =>
        requests.Select(r => new Row(
                r.Id,
                r.TrackingNumber,
                r.State,
                r.Type,
                r.MatterCode!,
                r.Description,
                r.AddressText,
                r.StreetCode,
                r.Latitude,
                r.Longitude,
                r.MediaUrl,
                r.CreatedByUserId,
                r.SubmittedAt,
                r.UpdatedAt,
                db.Units.Where(u => u.Id == r.LeadUnitId).Select(u => u.Name).FirstOrDefault(),
                db.Clocks.Where(c => c.RequestId == r.Id && c.Kind == Core.Deadlines.ClockKind.Handling && c.Status == Core.Deadlines.ClockStatus.Running).Max(c => (DateTime?)c.DueAt),
                db.Events.Where(e => e.RequestId == r.Id && e.IsPublic && e.Note != null).OrderByDescending(e => e.Id).Select(e => e.Note).FirstOrDefault()))
            .ToListAsync(cancellationToken);

    /// <summary>The partner app reading, when it sends its api_key: it sees in full the requests it sent itself.</summary>
    private static async Task<string?> ViewerAsync(SubanDb db, string? apiKey, CancellationToken cancellationToken) =>
        await PartnerApps.FindAsync(db, apiKey, cancellationToken) is { } partner ? $"partner:{partner.Id}" : null;

    /// <remarks>What anyone may read of any request: its matter, status, dates, the unit answering and the street it
    /// is in. The citizen's own words, the exact address and coordinates, photos and the replies (status notes) may
    /// identify the citizen, so only the partner app that sent the request gets them back; everyone else gets
    /// them left out (citizens see their own requests in full through Suban's own API).</remarks>
    private static async Task<Many> ViewAsync(SubanDb db, CatalogueStore catalogue, IntakeOptions intake, List<Row> rows, bool extensions, string? viewer, CancellationToken cancellationToken)
    {
        var zone = intake.CityTimeZone();
        var snapshot = (await catalogue.CurrentAsync(cancellationToken))?.Snapshot;
        var ids = rows.Select(r => r.Id).ToList();
        var timelines = extensions
            ? (await db.Events.AsNoTracking()
                .Where(e => ids.Contains(e.RequestId) && e.IsPublic)
                .OrderBy(e => e.Id)
                .Select(e => new { e.RequestId, e.At, e.Action, e.ToState, e.Note })
                .ToListAsync(cancellationToken)).ToLookup(e => e.RequestId)
            : null;

        return new Many("request", rows.Select(r =>
        {
            var matter = snapshot?[r.MatterCode];
            var own = viewer is not null && r.CreatedBy == viewer;
            var fields = new Fields
            {
                { "service_request_id", r.TrackingNumber },
                { "status", IsClosed(r.State) ? "closed" : "open" },
                { "status_notes", own ? r.StatusNotes : null },
                { "service_name", matter?.Name },
                { "service_code", r.MatterCode },
                { "description", !own ? null : r.Description.Length > MaxDescription ? r.Description[..MaxDescription] : r.Description },
                { "agency_responsible", r.Agency },
                { "service_notice", matter is null ? null : Notice(matter, r.Type) },
                { "requested_datetime", W3cDate.Format(r.SubmittedAt, zone) },
                { "updated_datetime", W3cDate.Format(r.UpdatedAt, zone) },
                { "expected_datetime", r.ExpectedAt is { } due ? W3cDate.Format(due, zone) : null },
                { "address", own ? r.Address : null },
                { "address_id", r.StreetCode },
                { "zipcode", null },
                { "lat", own ? r.Latitude : null },
                { "long", own ? r.Longitude : null },
                { "media_url", own ? r.MediaUrl : null },
            };
            if (extensions)
            {
                fields.Add("extended_attributes", new Fields
                {
                    { "detailed_status", Camel(r.State.ToString()) },
                    {
                        "timeline", new Many("event", timelines![r.Id].Select(e => (object?)new Fields
                        {
                            { "datetime", W3cDate.Format(e.At, zone) },
                            { "action", Camel(e.Action.ToString()) },
                            { "status", IsClosed(e.ToState) ? "closed" : "open" },
                            { "detailed_status", Camel(e.ToState.ToString()) },
                            { "note", own ? e.Note : null },
                        }).ToList())
                    },
                });
            }

            return (object?)fields;
        }).ToList());
    }

    private static bool IsClosed(RequestState state) => state is RequestState.Closed or RequestState.Cancelled;

    private static string Camel(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);

    private static string Notice(Matter matter, RequestType type) =>
        $"The responsible unit answers within {matter.Limits.For(type)} working days of dispatch.";

    private static async Task<Matter?> ServiceAsync(CatalogueStore catalogue, string code, CancellationToken cancellationToken) =>
        (await catalogue.CurrentAsync(cancellationToken))?.Snapshot[code.Trim()] is { Retired: false } matter ? matter : null;

    /// <summary>The format first (errors need one), then the jurisdiction from the query string.</summary>
    private static Open311Result? Check(HttpContext http, string format, out Open311Format parsed, bool checkJurisdiction = true)
    {
        if (format.Equals("xml", StringComparison.OrdinalIgnoreCase))
        {
            parsed = Open311Format.Xml;
        }
        else if (format.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            parsed = Open311Format.Json;
        }
        else
        {
            parsed = Open311Format.Xml;
            return Open311Result.Error(parsed, StatusCodes.Status400BadRequest, $"The format '{format}' is not offered; use xml or json.");
        }

        return checkJurisdiction ? JurisdictionRefused(http.Request.Query["jurisdiction_id"].ToString(), parsed) : null;
    }

    /// <summary>One jurisdiction is served, so jurisdiction_id is optional; another one is not found.</summary>
    private static Open311Result? JurisdictionRefused(string? jurisdiction, Open311Format format) =>
        string.IsNullOrWhiteSpace(jurisdiction) || jurisdiction.Trim().Equals(Jurisdiction, StringComparison.OrdinalIgnoreCase)
            ? null
            : Open311Result.Error(format, StatusCodes.Status404NotFound, $"jurisdiction_id '{jurisdiction.Trim()}' was not found; this endpoint serves '{Jurisdiction}'.");

    private static DateTimeOffset? Date(string? value, string name, List<string> errors)
    {
        if (value is null)
        {
            return null;
        }

        var parsed = W3cDate.Parse(value);
        if (parsed is null)
        {
            errors.Add($"{name} must be a W3C date and time with an offset, e.g. 2026-11-01T00:00:00+08:00.");
        }

        return parsed;
    }

    private static int? PositiveInt(string? value, string name, int min, int max, List<string> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < min || parsed > max)
        {
            errors.Add($"{name} must be a whole number from {min} to {max}.");
            return null;
        }

        return parsed;
    }

    private static (double? Value, string? Error) Coordinate(string? value, string name) =>
        value is null ? (null, null)
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed) ? (parsed, null)
        : (null, $"{name} must be a number (WGS-84 degrees).");

    [GeneratedRegex(@"^attribute\[([^\[\]]+)\](\[\])?$")]
    private static partial Regex AttributeKey();

    /// <summary>attribute[code]=value, and attribute[code][]=value repeated for a multivaluelist.</summary>
    private static Dictionary<string, IReadOnlyList<string>> Answers(IFormCollection? form, IQueryCollection query)
    {
        var answers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var pairs = (form ?? (IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>>)[]).Concat(query);
        foreach (var (key, values) in pairs)
        {
            if (AttributeKey().Match(key) is { Success: true } match)
            {
                var list = answers.TryGetValue(match.Groups[1].Value, out var existing) ? existing : answers[match.Groups[1].Value] = [];
                list.AddRange(values.OfType<string>());
            }
        }

        return answers.ToDictionary(a => a.Key, a => (IReadOnlyList<string>)a.Value, StringComparer.Ordinal);
    }

    /// <summary>Intake's field names as the Open311 client knows them.</summary>
    private static string Open311Name(string field) => field switch
    {
        "place" => "location",
        "place.latitude" => "lat",
        "place.longitude" => "long",
        "place.address" => "address_string",
        "contact.phone" => "phone",
        "contact.name" => "first_name/last_name",
        "externalId" => "external_id",
        "title" => "service_name",
        _ => field,
    };
}
