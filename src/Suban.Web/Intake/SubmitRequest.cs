using Suban.Core.Lifecycle;

namespace Suban.Web.Intake;

public sealed record PlaceInput(string? Address, double? Latitude, double? Longitude);

public sealed record ContactInput(string? Name, string? Phone, bool Anonymous = false);

/// <summary>What a citizen or a call-taker sends. Nullable so that a missing field can be named.</summary>
public sealed record SubmitRequest(
    RequestType? Type,
    string? Title,
    string? Description,
    PlaceInput? Place,
    ContactInput? Contact,
    Channel? Channel,
    Urgency? Urgency,
    string? ExternalId,
    string? MatterCode = null);

public sealed record SubmitResponse(string TrackingNumber, RequestState State, DateTimeOffset SubmittedAt);

public sealed record PhotoUpload(int Position, string ContentType, byte[] Content);

/// <summary>Who takes a request in: the role and unit its submit event records, and who created it.</summary>
/// <param name="CreatedBy">A user id, or another channel's own identity (e.g. <c>partner:3</c>); the user by default.</param>
internal sealed record Submitter(Role Role, int? UnitId, string? UserId, string? CitizenUserId, string? CreatedBy = null)
{
    public string? CreatedBy { get; init; } = CreatedBy ?? UserId;
}

internal enum IntakeOutcome
{
    Created,

    /// <summary>The same key (or channel and external id) with the same payload: the earlier request.</summary>
    Replayed,

    /// <summary>The same key with a different payload.</summary>
    KeyReused,

    UnknownMatter,
}

internal sealed record IntakeResult(IntakeOutcome Outcome, SubmitResponse? Response);

/// <summary>What intake needs from the container, bound with [AsParameters] by every channel's endpoint.</summary>
internal sealed record IntakeServices(
    Data.SubanDb Db,
    Microsoft.Extensions.Options.IOptions<IntakeOptions> Options,
    TimeProvider Clock,
    Catalogue.CatalogueStore Catalogue,
    Places.PlaceLocator Places,
    Routing.RoutingService Routing,
    Duplicates.DuplicateIndex Duplicates,
    Deadlines.ClockKeeper Clocks,
    ILogger<SubmitRequest> Logger);

internal static class SubmitValidation
{
    public const int MaxTitle = 200;
    public const int MaxDescription = 10_000;
    public const int MaxAddress = 500;
    public const int MaxName = 100;
    public const int MaxExternalId = 100;

    /// <param name="phoneRequired">Partner channels (Open311) may relay a report without a phone number.</param>
    public static Dictionary<string, string[]> Validate(SubmitRequest input, IntakeOptions options, bool staffChannelsAllowed, bool phoneRequired = true)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = [message];

        if (input.Type is null)
        {
            Add("type", "Choose a type: consultation, complaint, suggestion or help.");
        }

        Text(input.Title, "title", MaxTitle, required: true, Add);
        Text(input.Description, "description", MaxDescription, required: true, Add);

        var place = input.Place;
        var hasAddress = !string.IsNullOrWhiteSpace(place?.Address);
        var hasPoint = place?.Latitude is not null || place?.Longitude is not null;
        if (!hasAddress && !hasPoint)
        {
            Add("place", "Give an address, a location (latitude and longitude), or both.");
        }

        Text(place?.Address, "place.address", MaxAddress, required: false, Add);
        if (hasPoint)
        {
            if (place!.Latitude is not { } lat || place.Longitude is not { } lon)
            {
                Add(place.Latitude is null ? "place.latitude" : "place.longitude", "Latitude and longitude go together.");
            }
            else if (double.IsNaN(lat) || lat < options.MinLatitude || lat > options.MaxLatitude)
            {
                Add("place.latitude", "The location is outside the service area.");
            }
            else if (double.IsNaN(lon) || lon < options.MinLongitude || lon > options.MaxLongitude)
            {
                Add("place.longitude", "The location is outside the service area.");
            }
        }

        if (input.Contact is null || string.IsNullOrWhiteSpace(input.Contact.Phone))
        {
            if (phoneRequired)
            {
                Add("contact.phone", "A phone number is required, so the city can call back and you can look the request up.");
            }
        }
        else if (!IsPhone(input.Contact.Phone))
        {
            Add("contact.phone", "Not a phone number: 7 to 15 digits, optionally with a leading + and dashes or spaces.");
        }

        Text(input.Contact?.Name, "contact.name", MaxName, required: false, Add);

        if (input.Channel is null)
        {
            Add("channel", "Say which channel the request came through.");
        }
        else if (input.Channel == Channel.DataDriven)
        {
            Add("channel", "Data-driven events are the platform's own requests, created from a hotspot (/api/v1/hotspots/events).");
        }
        else if (!staffChannelsAllowed && !Channels.IsSelfService(input.Channel.Value))
        {
            Add("channel", "Citizens submit through web, mobile or wechat; other channels are staffed.");
        }

        Text(input.ExternalId, "externalId", MaxExternalId, required: false, Add);
        return errors;
    }

    public static bool IsPhone(string value)
    {
        var digits = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (!(c == '+' && i == 0) && c != '-' && c != ' ')
            {
                return false;
            }
        }

        return digits is >= 7 and <= 15;
    }

    /// <summary>The last four digits, which a citizen gives with the tracking number to look a request up.</summary>
    public static string LastFourDigits(string phone)
    {
        var digits = phone.Where(char.IsAsciiDigit).ToArray();
        return new string(digits[^Math.Min(4, digits.Length)..]);
    }

    private static void Text(string? value, string field, int max, bool required, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                add(field, $"'{field}' is required.");
            }
        }
        else if (value.Length > max)
        {
            add(field, $"'{field}' may be at most {max} characters; it has {value.Length}.");
        }
    }
}
