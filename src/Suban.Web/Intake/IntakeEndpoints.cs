using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Core.Intake;
using Suban.Core.Lifecycle;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Intake;

internal static class IntakeEndpoints
{
    public const string AnonymousIntakePolicy = "anonymous-intake";
    private const string IdempotencyHeader = "Idempotency-Key";
    private const int MaxIdempotencyKey = 100;

    public static IEndpointRouteBuilder MapIntake(this IEndpointRouteBuilder routes)
    {
        // Open to everyone: citizens without an account, signed-in citizens, and call-takers on a caller's behalf.
        // Other staff take no requests in. Anonymous callers are rate-limited.
        routes.MapPost("/api/v1/requests", SubmitAsync)
            .WithName("SubmitRequest")
            .WithTags("Intake")
            .WithSummary("Take in a request; answers with its tracking number once it is committed.")
            .Accepts<SubmitRequest>("application/json", "multipart/form-data")
            .Produces<SubmitResponse>(StatusCodes.Status201Created)
            .Produces<SubmitResponse>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .RequireRateLimiting(AnonymousIntakePolicy)
            .DisableAntiforgery();
        return routes;
    }

    private static async Task<IResult> SubmitAsync(
        HttpContext http,
        ActorAccessor actors,
        IOptions<JsonOptions> jsonOptions,
        [AsParameters] IntakeServices services,
        CancellationToken cancellationToken)
    {
        var options = services.Options.Value;
        var actor = await actors.GetAsync(cancellationToken);
        if (actor.IsAuthenticated && !actor.IsIn(Roles.Citizen) && !actor.IsIn(Roles.CallTaker))
        {
            return Problems.Forbidden("Only citizens and call-takers take requests in.");
        }

        // Photos make intake bodies larger than the server's default limit; this endpoint alone allows them.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = (long)options.MaxPhotos * options.MaxPhotoBytes + 1024 * 1024;
        }

        var read = await ReadAsync(http, options, jsonOptions.Value.SerializerOptions, cancellationToken);
        if (read.Problem is not null)
        {
            return read.Problem;
        }

        var input = read.Input!;
        var isCallTaker = actor.IsIn(Roles.CallTaker);
        var errors = SubmitValidation.Validate(input, options, staffChannelsAllowed: isCallTaker);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, type: ProblemTypes.Validation);
        }

        var headerKey = http.Request.Headers[IdempotencyHeader].ToString();
        if (headerKey.Length > MaxIdempotencyKey)
        {
            return Problems.Field(IdempotencyHeader, $"At most {MaxIdempotencyKey} characters.");
        }

        // Keys are scoped to the caller, so one client's key can never reveal another's request.
        var idempotencyKey = headerKey.Length == 0 ? null : $"{actor.UserId ?? "anonymous"}:{headerKey}";
        var submitter = new Submitter(
            isCallTaker ? Role.CallTaker : Role.Citizen,
            isCallTaker ? actor.Unit?.Id : null,
            actor.UserId,
            actor.IsIn(Roles.Citizen) ? actor.UserId : null);
        var result = await TakeInAsync(services, input, read.Photos, submitter, idempotencyKey, mediaUrl: null, cancellationToken);
        return result.Outcome switch
        {
            IntakeOutcome.UnknownMatter => Problems.Field("matterCode", "No matter in force has this code; browse /api/v1/catalogue, or leave it out."),
            IntakeOutcome.KeyReused => Problems.Conflict("This idempotency key (or channel and external id) was already used for a different request."),
            IntakeOutcome.Replayed => TypedResults.Ok(result.Response),
            _ => TypedResults.Created($"/api/v1/requests/{result.Response!.TrackingNumber}", result.Response),
        };
    }

    /// <summary>
    /// What every channel shares once its own input is valid: the matter, idempotency, the place, the tracking
    /// number, the request with its photos and submit event, the clocks, the duplicate index, then routing.
    /// </summary>
    /// <param name="alongside">Adds what must be committed with the request, and may settle its place; it has its id by then.</param>
    internal static async Task<IntakeResult> TakeInAsync(
        IntakeServices s,
        SubmitRequest input,
        IReadOnlyList<PhotoUpload> photos,
        Submitter submitter,
        string? idempotencyKey,
        string? mediaUrl,
        CancellationToken cancellationToken,
        Action<ServiceRequest>? alongside = null)
    {
        var db = s.Db;
        var options = s.Options.Value;
        int? catalogueVersion = null;
        string? matterCode = null;
        if (!string.IsNullOrWhiteSpace(input.MatterCode))
        {
            // A merged matter's requests go to the matter it was merged into; a retired one is refused.
            var current = await s.Catalogue.CurrentAsync(cancellationToken);
            if (current is not ({ } number, { } snapshot) || snapshot.Current(input.MatterCode.Trim()) is not { } matter)
            {
                return new IntakeResult(IntakeOutcome.UnknownMatter, null);
            }

            catalogueVersion = number;
            matterCode = matter.Code;
        }

        var externalId = string.IsNullOrWhiteSpace(input.ExternalId) ? null : input.ExternalId.Trim();
        var hash = PayloadHash(input, photos, mediaUrl);

        if (await FindExistingAsync(db, idempotencyKey, input.Channel!.Value, externalId, cancellationToken) is { } existing)
        {
            return Replay(existing, hash);
        }

        var cityPlatform = await db.Units.Where(u => u.ParentId == null).Select(u => u.Id).FirstAsync(cancellationToken);

        // An unknown or ambiguous place still gets in: a dispatcher decides.
        var place = await s.Places.LocateAsync(db, input.Place!.Address, input.Place.Latitude, input.Place.Longitude, cancellationToken);
        var now = s.Clock.GetUtcNow();
        var request = new ServiceRequest
        {
            TrackingNumber = "",
            Type = input.Type!.Value,
            Title = input.Title!.Trim(),
            Description = input.Description!.Trim(),
            AddressText = string.IsNullOrWhiteSpace(input.Place!.Address) ? null : input.Place.Address.Trim(),
            Latitude = input.Place.Latitude,
            Longitude = input.Place.Longitude,
            ContactName = string.IsNullOrWhiteSpace(input.Contact!.Name) ? null : input.Contact.Name.Trim(),
            ContactPhone = input.Contact.Phone?.Trim() ?? "",
            IsAnonymous = input.Contact.Anonymous,
            Channel = input.Channel.Value,
            ExternalId = externalId,
            IdempotencyKey = idempotencyKey,
            PayloadHash = hash,
            MediaUrl = mediaUrl,
            Urgency = input.Urgency ?? Urgency.Normal,
            MatterCode = matterCode,
            CatalogueVersion = catalogueVersion,
            DistrictCode = place.DistrictCode,
            StreetCode = place.StreetCode,
            State = RequestLifecycle.Initial,
            CitizenUserId = submitter.CitizenUserId,
            CreatedByUserId = submitter.CreatedBy,
            PlatformUnitId = cityPlatform,
            SubmittedAt = now.UtcDateTime,
            UpdatedAt = now.UtcDateTime,
        };

        // Everything that reads through a connection of its own is read before the transaction takes one (ClockKeeper).
        var calendar = await s.Clocks.CalendarAsync(cancellationToken);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            request.TrackingNumber = await TrackingNumbers.NextAsync(db, options, now, cancellationToken);
            request.Events.Add(new RequestEvent
            {
                At = now.UtcDateTime,
                Action = RequestAction.Submit,
                FromState = null,
                ToState = RequestLifecycle.Initial,
                ActorRole = submitter.Role,
                ActorUnitId = submitter.UnitId,
                ActorUserId = submitter.UserId,
                Note = null,
                IsPublic = true,
            });
            request.Photos.AddRange(photos.Select(p => new RequestPhoto { Position = p.Position, ContentType = p.ContentType, Content = p.Content }));
            db.Requests.Add(request);
            await db.SaveChangesAsync(cancellationToken);
            alongside?.Invoke(request);
            s.Clocks.OnSubmitted(request, now.UtcDateTime, calendar);
            s.Duplicates.Add(request);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException) when (idempotencyKey is not null || externalId is not null)
        {
            // A concurrent retry with the same key won the race; answer as that one did.
            db.ChangeTracker.Clear();
            if (await FindExistingAsync(db, idempotencyKey, input.Channel.Value, externalId, cancellationToken) is { } winner)
            {
                return Replay(winner, hash);
            }

            throw;
        }

        s.Logger.LogInformation("Took in request {TrackingNumber} via {Channel} ({Type}, {PhotoCount} photos)", request.TrackingNumber, request.Channel, request.Type, photos.Count);

        // The request is committed; routing it is the next step, and a failure there leaves it for a dispatcher.
        try
        {
            db.ChangeTracker.Clear();
            await s.Routing.RouteAsync(request.Id, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            s.Logger.LogError(e, "Routing failed for request {TrackingNumber}; it waits for a dispatcher", request.TrackingNumber);
        }

        // Routing may have dispatched it already: answer with the state it is in now.
        var state = await db.Requests.Where(r => r.Id == request.Id).Select(r => r.State).FirstAsync(cancellationToken);
        return new IntakeResult(IntakeOutcome.Created, new SubmitResponse(request.TrackingNumber, state, now));
    }

    private static IntakeResult Replay(ServiceRequest existing, string hash) =>
        existing.PayloadHash == hash
            ? new IntakeResult(IntakeOutcome.Replayed, new SubmitResponse(existing.TrackingNumber, existing.State, new DateTimeOffset(existing.SubmittedAt, TimeSpan.Zero)))
            : new IntakeResult(IntakeOutcome.KeyReused, null);

    private static async Task<ServiceRequest?> FindExistingAsync(SubanDb db, string? idempotencyKey, Channel channel, string? externalId, CancellationToken cancellationToken)
    {
        if (idempotencyKey is not null)
        {
            return await db.Requests.AsNoTracking().FirstOrDefaultAsync(r => r.IdempotencyKey == idempotencyKey, cancellationToken);
        }

        return externalId is null
            ? null
            : await db.Requests.AsNoTracking().FirstOrDefaultAsync(r => r.Channel == channel && r.ExternalId == externalId, cancellationToken);
    }

    private sealed record ReadResult(SubmitRequest? Input, List<PhotoUpload> Photos, IResult? Problem);

    /// <summary>JSON alone, or multipart with the JSON in a part named "request" and images in parts named "photos".</summary>
    private static async Task<ReadResult> ReadAsync(HttpContext http, IntakeOptions options, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var photos = new List<PhotoUpload>();
        var contentType = http.Request.ContentType ?? "";
        try
        {
            if (http.Request.HasJsonContentType())
            {
                var input = await JsonSerializer.DeserializeAsync<SubmitRequest>(http.Request.Body, json, cancellationToken);
                return input is null ? new(null, photos, Problems.Field("body", "The body is empty.")) : new(input, photos, null);
            }

            if (!contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                return new(null, photos, TypedResults.Problem(
                    "Send application/json, or multipart/form-data with a 'request' part and 'photos' files.",
                    statusCode: StatusCodes.Status415UnsupportedMediaType,
                    title: "Unsupported content type",
                    type: ProblemTypes.BadRequest));
            }

            var form = await http.Request.ReadFormAsync(cancellationToken);
            if (form["request"].ToString() is not { Length: > 0 } requestJson)
            {
                return new(null, photos, Problems.Field("request", "The multipart body needs a 'request' part holding the request as JSON."));
            }

            var parsed = JsonSerializer.Deserialize<SubmitRequest>(requestJson, json);
            if (parsed is null)
            {
                return new(null, photos, Problems.Field("request", "The 'request' part is empty."));
            }

            var files = form.Files.GetFiles("photos");
            if (files.Count > options.MaxPhotos)
            {
                return new(null, photos, Problems.Field("photos", $"At most {options.MaxPhotos} photos; {files.Count} were sent."));
            }

            for (var i = 0; i < files.Count; i++)
            {
                var file = files[i];
                if (file.Length > options.MaxPhotoBytes)
                {
                    return new(null, photos, Problems.Field($"photos[{i}]", $"Each photo may be at most {options.MaxPhotoBytes / (1024 * 1024)} MB."));
                }

                using var buffer = new MemoryStream((int)file.Length);
                await file.CopyToAsync(buffer, cancellationToken);
                var bytes = buffer.ToArray();
                if (ImageContent.Sniff(bytes) is not { } imageType)
                {
                    return new(null, photos, Problems.Field($"photos[{i}]", "Not an image (JPEG, PNG, GIF, WebP or HEIC), whatever its name says."));
                }

                photos.Add(new PhotoUpload(i, imageType, bytes));
            }

            return new(parsed, photos, null);
        }
        catch (JsonException e)
        {
            var field = ProblemExceptionHandler.JsonField(e.Path);
            return new(null, photos, Problems.Field(field, field == "body" ? "The body is not valid JSON." : $"The value of '{field}' is not valid."));
        }
        catch (InvalidDataException e)
        {
            return new(null, photos, Problems.Field("body", $"The multipart body could not be read: {e.Message}"));
        }
    }

    private static string PayloadHash(SubmitRequest input, IReadOnlyList<PhotoUpload> photos, string? mediaUrl)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(JsonSerializer.SerializeToUtf8Bytes(input));
        foreach (var photo in photos)
        {
            sha.AppendData(SHA256.HashData(photo.Content));
        }

        // Only channels that send one add it, so hashes stored before it existed still match their retries.
        if (mediaUrl is not null)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(mediaUrl));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
