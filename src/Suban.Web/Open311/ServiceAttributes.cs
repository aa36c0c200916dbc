using System.Globalization;
using Suban.Core.Catalogue;

namespace Suban.Web.Open311;

public sealed record AttributeValue(string Key, string Name);

/// <param name="Label">How an answer is introduced in the request's description, which is what the unit reads.</param>
public sealed record ServiceAttribute(
    string Code,
    string Datatype,
    bool Variable,
    bool Required,
    int Order,
    string Description,
    string? DatatypeDescription,
    string Label,
    IReadOnlyList<AttributeValue> Values);

/// <summary>
/// The questions a service definition asks. The responsibility list has no per-matter questions yet (no field, no
/// editor for them), so every matter asks the same small optional set, chosen so that each GeoReport datatype is
/// used once: the request type (singlevaluelist, which sets the request's type), when it was first noticed
/// (datetime), how many people it affects (number), when it happens (multivaluelist) and how to reach the spot
/// (text). Territorial matters (属地) also ask for the building (string), since the street that leads needs it to
/// find the place; a matter with an instant answer shows it as information only (variable = false). None is
/// required, so a client that skips the definition can still post. Answers go into the description, under their
/// labels. When the list grows questions of its own, they belong in the catalogue as data, not here.
/// </summary>
internal static class ServiceAttributes
{
    public const string RequestTypeCode = "request_type";
    private const int MaxString = 200;
    private const int MaxText = 2000;

    private static readonly ServiceAttribute RequestType = new(
        RequestTypeCode, "singlevaluelist", true, false, 1, "诉求类型 Type of request", "Choose one; complaint when left out.", "诉求类型",
        [new("complaint", "投诉 Complaint"), new("consultation", "咨询 Consultation"), new("suggestion", "建议 Suggestion"), new("help", "求助 Help")]);

    private static readonly ServiceAttribute Building = new(
        "building", "string", true, false, 2, "楼栋、门牌或附近地标 Building, door number or landmark", "One line of text.", "楼栋门牌", []);

    private static readonly ServiceAttribute ObservedAt = new(
        "observed_at", "datetime", true, false, 3, "首次发现时间 When it was first noticed", "ISO 8601 with an offset, e.g. 2026-11-20T22:30:00+08:00.", "首次发现", []);

    private static readonly ServiceAttribute PeopleAffected = new(
        "people_affected", "number", true, false, 4, "受影响人数（约） About how many people it affects", "A number.", "受影响人数", []);

    private static readonly ServiceAttribute TimesOfDay = new(
        "times_of_day", "multivaluelist", true, false, 5, "通常在什么时段发生 When it usually happens", "Choose any.", "发生时段",
        [new("morning", "早上 Morning"), new("daytime", "白天 Daytime"), new("evening", "傍晚 Evening"), new("night", "夜间 Night"), new("weekend", "周末 Weekends")]);

    private static readonly ServiceAttribute AccessNotes = new(
        "access_notes", "text", true, false, 6, "现场情况及如何到达 The scene and how to reach it", "Free text; line breaks allowed.", "现场说明", []);

    public static IReadOnlyList<ServiceAttribute> For(Matter matter)
    {
        var attributes = new List<ServiceAttribute> { RequestType };
        if (matter.Territorial)
        {
            attributes.Add(Building);
        }

        attributes.AddRange([ObservedAt, PeopleAffected, TimesOfDay, AccessNotes]);
        if (matter.InstantAnswer is { Length: > 0 } answer)
        {
            attributes.Add(new ServiceAttribute("instant_answer", "text", false, false, 0, answer, null, "", []));
        }

        // Orders are consecutive from 1 whether or not the building is asked.
        return attributes.Select((a, i) => a with { Order = i + 1 }).ToList();
    }

    /// <summary>The request type the answers ask for; complaint when not given.</summary>
    public static Core.Lifecycle.RequestType TypeOf(IReadOnlyDictionary<string, IReadOnlyList<string>> answers) =>
        answers.TryGetValue(RequestTypeCode, out var values) && values.Count == 1 && Enum.TryParse<Core.Lifecycle.RequestType>(values[0], ignoreCase: true, out var type)
            ? type
            : Core.Lifecycle.RequestType.Complaint;

    /// <summary>
    /// Checks the answers against the definition. Returns the errors (attribute code → message) and the lines that
    /// carry the answers into the description.
    /// </summary>
    public static (List<(string Code, string Message)> Errors, List<string> Lines) Check(IReadOnlyList<ServiceAttribute> definition, IReadOnlyDictionary<string, IReadOnlyList<string>> answers)
    {
        var errors = new List<(string, string)>();
        var lines = new List<string>();
        var byCode = definition.ToDictionary(a => a.Code);
        foreach (var (code, raw) in answers)
        {
            var values = raw.Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
            if (!byCode.TryGetValue(code, out var attribute))
            {
                errors.Add((code, $"attribute[{code}] is not asked by this service; see its service definition."));
                continue;
            }

            if (!attribute.Variable || values.Count == 0)
            {
                continue;
            }

            if (attribute.Datatype != "multivaluelist" && values.Count > 1)
            {
                errors.Add((code, $"attribute[{code}] takes one value."));
                continue;
            }

            var value = values[0];
            string? error = attribute.Datatype switch
            {
                "string" when value.Contains('\n') || value.Length > MaxString => $"attribute[{code}] is one line of at most {MaxString} characters.",
                "text" when value.Length > MaxText => $"attribute[{code}] may be at most {MaxText} characters.",
                "number" when !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || !double.IsFinite(n) => $"attribute[{code}] must be a number.",
                "datetime" when W3cDate.Parse(value) is null => $"attribute[{code}] must be an ISO 8601 date and time, e.g. 2026-11-20T22:30:00+08:00.",
                "singlevaluelist" or "multivaluelist" when values.FirstOrDefault(v => attribute.Values.All(o => o.Key != v)) is { } bad
                    => $"attribute[{code}]: '{bad}' is not one of {string.Join(", ", attribute.Values.Select(o => o.Key))}.",
                _ => null,
            };
            if (error is not null)
            {
                errors.Add((code, error));
            }
            else if (code != RequestTypeCode)
            {
                var shown = attribute.Values.Count > 0
                    ? string.Join("、", values.Select(v => attribute.Values.First(o => o.Key == v).Name.Split(' ')[0]))
                    : value;
                lines.Add($"{attribute.Label}：{shown}");
            }
        }

        return (errors, lines);
    }
}

/// <summary>The W3C profile of ISO 8601 the specification asks for; a time without an offset is taken as UTC.</summary>
internal static partial class W3cDate
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$")]
    private static partial System.Text.RegularExpressions.Regex Shape();

    public static DateTimeOffset? Parse(string? value)
    {
        if (value is null || !Shape().IsMatch(value.Trim()))
        {
            return null;
        }

        return DateTimeOffset.TryParse(value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
    }

    public static string Format(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
