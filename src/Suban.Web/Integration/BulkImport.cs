using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Core.Lifecycle;
using Suban.Core.Organisation;
using Suban.Web.Catalogue;
using Suban.Web.Data;
using Suban.Web.Intake;

namespace Suban.Web.Integration;

/// <summary>One import of a file, with its progress: written as it goes, so any instance can report it.</summary>
public sealed class ImportJob
{
    public long Id { get; set; }

    public required string FileName { get; set; }

    public required string Format { get; set; }

    public bool DryRun { get; set; }

    /// <summary>
    /// <c>running</c>, <c>done</c>, <c>failed</c> (the file as a whole could not be read) or <c>interrupted</c> (the
    /// app stopped, or its instance was lost, before the end: the rows up to <see cref="Processed"/> are in).
    /// </summary>
    public required string Status { get; set; }

    public int Total { get; set; }

    public int Processed { get; set; }

    /// <summary>Rows imported, or in a dry run, rows that would be.</summary>
    public int Imported { get; set; }

    public int Rejected { get; set; }

    public string? Error { get; set; }

    public string? UserId { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>Written after every batch: a running job whose heartbeat is older than <see cref="StaleAfter"/> has lost its instance.</summary>
    public DateTime? HeartbeatAt { get; set; }

    /// <summary>Far longer than any batch takes (a batch of 1,000 rows is well under a second).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    /// <summary>Marks a job interrupted, saying where it stopped and how to finish it.</summary>
    public void Interrupt(DateTime now, string why)
    {
        Status = "interrupted";
        FinishedAt = now;
        var message = $"{why} Rows 1–{Processed} were processed ({Imported} imported, {Rejected} rejected). Import the same file again to finish: rows whose externalId is already in are skipped; rows without one would be imported twice, so remove rows 1–{Processed} first if the file has no externalId column.";
        Error = message.Length <= 500 ? message : message[..500];
    }

    /// <summary>
    /// A running job whose heartbeat stopped (its instance crashed or was killed) is interrupted, so whoever polls it
    /// is told instead of waiting forever. Any instance may find it; the first to save wins.
    /// </summary>
    public bool InterruptIfStale(DateTime now)
    {
        if (Status != "running" || (HeartbeatAt ?? StartedAt) > now - StaleAfter)
        {
            return false;
        }

        Interrupt(now, $"No progress since {(HeartbeatAt ?? StartedAt):yyyy-MM-dd HH:mm} UTC: the instance running the import stopped.");
        return true;
    }
}

/// <summary>A row the import refused, with the column at fault and why.</summary>
public sealed class ImportRejection
{
    public long Id { get; set; }

    public long JobId { get; set; }

    public int Row { get; set; }

    public required string Field { get; set; }

    public required string Reason { get; set; }
}

public sealed record ImportProgress(int Total, int Processed, int Imported, int Rejected);

/// <summary>
/// Imports historical requests as closed ones, with their timeline (submitted, replied, rated or closed), in
/// batches: each batch is one transaction, and when the database refuses a batch its rows are retried one by one,
/// so a bad row never aborts the import nor leaves part of itself behind. A dry run validates every row and
/// reports what it would reject, writing nothing but the report.
/// </summary>
internal sealed partial class RequestImporter(SubanDb db, CatalogueStore catalogue, Places.PlaceLocator places, IOptions<IntakeOptions> intake, TimeProvider clock, ILogger<RequestImporter> logger)
{
    public const int BatchSize = 1000;

    public async Task<ImportJob> StartAsync(string fileName, string format, bool dryRun, string? userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var job = new ImportJob { FileName = Path.GetFileName(fileName), Format = format, DryRun = dryRun, Status = "running", UserId = userId, StartedAt = now, HeartbeatAt = now };
        db.ImportJobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        return job;
    }

    public async Task RunAsync(long jobId, string path, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        var job = await db.ImportJobs.SingleAsync(j => j.Id == jobId, cancellationToken);
        List<ImportRow> rows;
        try
        {
            rows = ImportFormats.Read(path, job.Format);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            job.Status = "failed";
            job.Error = Truncate(e.Message, 500);
            job.FinishedAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        job.Total = rows.Count;
        job.HeartbeatAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        progress?.Report(new ImportProgress(job.Total, 0, 0, 0));

        var context = await ContextAsync(cancellationToken);
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var batch in rows.Chunk(BatchSize))
            {
                var rejections = new List<ImportRejection>();
                var accepted = new List<(ImportRow Row, Candidate Candidate)>();
                foreach (var row in batch)
                {
                    var candidate = Validate(row, context, out var field, out var reason);
                    if (candidate is null)
                    {
                        rejections.Add(new ImportRejection { JobId = jobId, Row = row.Number, Field = field!, Reason = Truncate(reason!, 300) });
                    }
                    else
                    {
                        accepted.Add((row, candidate));
                    }
                }

                var imported = accepted.Count;
                if (!job.DryRun && accepted.Count > 0)
                {
                    imported = await SaveBatchAsync(accepted, rejections, jobId, cancellationToken);
                }

                db.ChangeTracker.Clear();
                db.ImportRejections.AddRange(rejections);
                var current = await db.ImportJobs.SingleAsync(j => j.Id == jobId, cancellationToken);
                current.Processed += batch.Length;
                current.Imported += imported;
                current.Rejected += rejections.Count;
                current.HeartbeatAt = clock.GetUtcNow().UtcDateTime;
                db.ChangeTracker.DetectChanges();
                await db.SaveChangesAsync(cancellationToken);
                db.ChangeTracker.Clear();
                job = current;
                progress?.Report(new ImportProgress(current.Total, current.Processed, current.Imported, current.Rejected));
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }

        var done = await db.ImportJobs.SingleAsync(j => j.Id == jobId, cancellationToken);
        done.Status = "done";
        done.FinishedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Import {JobId}: {Imported} of {Total} rows {Verb}, {Rejected} rejected", jobId, done.Imported, done.Total, done.DryRun ? "would be imported" : "imported", done.Rejected);
    }

    /// <summary>Saves the batch in one transaction; if the database refuses it, row by row. Returns how many were saved.</summary>
    private async Task<int> SaveBatchAsync(List<(ImportRow Row, Candidate Candidate)> accepted, List<ImportRejection> rejections, long jobId, CancellationToken cancellationToken)
    {
        if (await TrySaveAsync(accepted.Select(a => a.Candidate).ToList(), cancellationToken) is null)
        {
            return accepted.Count;
        }

        var saved = 0;
        foreach (var (row, candidate) in accepted)
        {
            if (await TrySaveAsync([candidate], cancellationToken) is { } error)
            {
                rejections.Add(new ImportRejection { JobId = jobId, Row = row.Number, Field = "row", Reason = Truncate($"The database refused the row: {error}", 300) });
            }
            else
            {
                saved++;
            }
        }

        return saved;
    }

    private async Task<string?> TrySaveAsync(List<Candidate> candidates, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var options = intake.Value;
            foreach (var day in candidates.GroupBy(c => c.LocalDay))
            {
                var first = await TrackingNumbers.ReserveAsync(db, day.Key, day.Count(), cancellationToken);
                var sequence = first;
                foreach (var candidate in day)
                {
                    candidate.Request.TrackingNumber = Core.Intake.TrackingNumber.Format(options.TrackingPrefix, day.Key, sequence++);
                }
            }

            // Written with multi-row INSERTs (see BulkInsert), not tracked entities: a batch is three statements or so.
            var ids = await BulkInsert.InsertAsync(db, candidates.Select(c => c.Request).ToList(), "tracking_number", cancellationToken);
            foreach (var candidate in candidates)
            {
                var id = ids[candidate.Request.TrackingNumber];
                foreach (var e in candidate.Events)
                {
                    e.RequestId = id;
                }

                if (candidate.Lead is { } lead)
                {
                    lead.RequestId = id;
                }
            }

            await BulkInsert.InsertAsync(db, candidates.SelectMany(c => c.Events).ToList(), null, cancellationToken);
            await BulkInsert.InsertAsync(db, candidates.Where(c => c.Lead is not null).Select(c => c.Lead!).ToList(), null, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or DbUpdateException or KeyNotFoundException)
        {
            await transaction.RollbackAsync(cancellationToken);
            return (e.InnerException ?? e).Message;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private sealed record ImportContext(
        Dictionary<string, Unit> Units,
        int CityPlatformId,
        Dictionary<string, int> DistrictPlatforms,
        Core.Catalogue.CatalogueSnapshot? Catalogue,
        int? CatalogueVersion,
        HashSet<string> SeenExternalIds,
        TimeZoneInfo Zone,
        DateTime Now);

    private sealed class Candidate
    {
        public required ServiceRequest Request { get; init; }

        public required List<RequestEvent> Events { get; init; }

        public RequestAssignment? Lead { get; init; }

        public DateOnly LocalDay { get; init; }
    }

    private async Task<ImportContext> ContextAsync(CancellationToken cancellationToken)
    {
        var units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Code, cancellationToken);
        var city = units.Values.First(u => u.ParentId is null);
        var districts = units.Values.Where(u => u.Kind == UnitKind.DistrictPlatform && u.DistrictCode is not null).ToDictionary(u => u.DistrictCode!, u => u.Id);
        var current = await catalogue.CurrentAsync(cancellationToken);
        var seen = (await db.Requests.AsNoTracking().Where(r => r.Channel == Channel.BulkImport && r.ExternalId != null).Select(r => r.ExternalId!).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        return new ImportContext(units, city.Id, districts, current?.Snapshot, current?.Number, seen, intake.Value.CityTimeZone(), clock.GetUtcNow().UtcDateTime);
    }

    private Candidate? Validate(ImportRow row, ImportContext context, out string? field, out string? reason)
    {
        Candidate? Reject(string f, string r, out string? fieldOut, out string? reasonOut)
        {
            fieldOut = f;
            reasonOut = r;
            return null;
        }

        field = null;
        reason = null;
        if (row.Fields.TryGetValue("_error", out var error))
        {
            return Reject("row", error, out field, out reason);
        }

        var description = row["description"];
        if (description is null)
        {
            return Reject("description", "The request's text is required.", out field, out reason);
        }

        if (description.Length > SubmitValidation.MaxDescription)
        {
            return Reject("description", $"At most {SubmitValidation.MaxDescription} characters.", out field, out reason);
        }

        var title = row["title"] ?? (description.Length <= 30 ? description : description[..30]);
        if (title.Length > SubmitValidation.MaxTitle)
        {
            return Reject("title", $"At most {SubmitValidation.MaxTitle} characters.", out field, out reason);
        }

        if (ParseType(row["type"]) is not { } type)
        {
            return Reject("type", row["type"] is null ? "The type is required: consultation, complaint, suggestion or help (咨询/投诉/建议/求助)." : $"Unknown type '{row["type"]}': consultation, complaint, suggestion or help (咨询/投诉/建议/求助).", out field, out reason);
        }

        if (row["submittedAt"] is not { } submittedText)
        {
            return Reject("submittedAt", "When the request was made is required.", out field, out reason);
        }

        if (ParseTime(submittedText, context.Zone) is not { } submittedAt)
        {
            return Reject("submittedAt", $"'{submittedText}' is not a date and time (e.g. 2025-03-01 09:30 or 2025-03-01T01:30:00Z).", out field, out reason);
        }

        if (submittedAt > context.Now || submittedAt.Year < 1990)
        {
            return Reject("submittedAt", "A historical request is made between 1990 and now.", out field, out reason);
        }

        var urgency = Urgency.Normal;
        if (row["urgency"] is { } urgencyText && !TryUrgency(urgencyText, out urgency))
        {
            return Reject("urgency", $"Unknown urgency '{urgencyText}': urgent, fast or normal (特急/加急/一般).", out field, out reason);
        }

        var externalId = row["externalId"];
        if (externalId is { Length: > SubmitValidation.MaxExternalId })
        {
            return Reject("externalId", $"At most {SubmitValidation.MaxExternalId} characters.", out field, out reason);
        }

        if (externalId is not null && !context.SeenExternalIds.Add(externalId))
        {
            return Reject("externalId", $"The request '{externalId}' is imported already (or appears twice in the file).", out field, out reason);
        }

        var address = row["address"];
        if (address is { Length: > SubmitValidation.MaxAddress })
        {
            return Reject("address", $"At most {SubmitValidation.MaxAddress} characters.", out field, out reason);
        }

        double? latitude = null, longitude = null;
        if (row["latitude"] is not null || row["longitude"] is not null)
        {
            if (!double.TryParse(row["latitude"], NumberStyles.Float, CultureInfo.InvariantCulture, out var lat) || lat is < -90 or > 90)
            {
                return Reject("latitude", "Latitude and longitude come together, in degrees (e.g. 22.5431 and 114.0579).", out field, out reason);
            }

            if (!double.TryParse(row["longitude"], NumberStyles.Float, CultureInfo.InvariantCulture, out var lon) || lon is < -180 or > 180)
            {
                return Reject("longitude", "Latitude and longitude come together, in degrees (e.g. 22.5431 and 114.0579).", out field, out reason);
            }

            (latitude, longitude) = (lat, lon);
        }

        string? districtCode = null, streetCode = null;
        if (row["streetCode"] is { } streetText)
        {
            if (!context.Units.TryGetValue(streetText, out var street) || street.Kind != UnitKind.StreetOffice)
            {
                return Reject("streetCode", $"No street has the code '{streetText}'.", out field, out reason);
            }

            (districtCode, streetCode) = (street.DistrictCode, street.Code);
        }
        else if (row["districtCode"] is { } districtText)
        {
            if (!context.DistrictPlatforms.ContainsKey(districtText))
            {
                return Reject("districtCode", $"No district has the code '{districtText}'.", out field, out reason);
            }

            districtCode = districtText;
        }
        else if (address is not null)
        {
            var place = places.Resolver.Resolve(address);
            (districtCode, streetCode) = (place.DistrictCode, place.StreetCode);
        }

        var phone = row["contactPhone"];
        if (phone is not null && !SubmitValidation.IsPhone(phone))
        {
            return Reject("contactPhone", "A phone number has 7 to 15 digits.", out field, out reason);
        }

        var contactName = row["contactName"];
        if (contactName is { Length: > SubmitValidation.MaxName })
        {
            return Reject("contactName", $"At most {SubmitValidation.MaxName} characters.", out field, out reason);
        }

        var matterCode = row["matterCode"];
        if (matterCode is not null && context.Catalogue?[matterCode] is null)
        {
            return Reject("matterCode", $"The responsibility list has no matter '{matterCode}'.", out field, out reason);
        }

        Unit? lead = null;
        if (row["unitCode"] is { } unitCode && !context.Units.TryGetValue(unitCode, out lead))
        {
            return Reject("unitCode", $"No unit has the code '{unitCode}'.", out field, out reason);
        }

        var reply = row["reply"];
        DateTime? repliedAt = null;
        if (row["repliedAt"] is { } repliedText)
        {
            if (ParseTime(repliedText, context.Zone) is not { } at || at < submittedAt || at > context.Now)
            {
                return Reject("repliedAt", "When it was replied: a date and time between the submission and now.", out field, out reason);
            }

            repliedAt = at;
        }

        DateTime? closedAt = null;
        if (row["closedAt"] is { } closedText)
        {
            if (ParseTime(closedText, context.Zone) is not { } at || at < (repliedAt ?? submittedAt) || at > context.Now)
            {
                return Reject("closedAt", "When it was closed: a date and time between the reply (or the submission) and now.", out field, out reason);
            }

            closedAt = at;
        }

        Rating? rating = null;
        if (row["rating"] is { } ratingText)
        {
            if (ParseRating(ratingText) is not { } parsed)
            {
                return Reject("rating", $"Unknown rating '{ratingText}': satisfied, basicallySatisfied or dissatisfied (满意/基本满意/不满意).", out field, out reason);
            }

            rating = parsed;
        }

        repliedAt ??= reply is null ? null : closedAt ?? submittedAt;
        var closed = closedAt ?? repliedAt ?? submittedAt;
        var request = new ServiceRequest
        {
            TrackingNumber = "",
            Type = type,
            Title = title,
            Description = description,
            AddressText = address,
            Latitude = latitude,
            Longitude = longitude,
            ContactName = contactName,
            ContactPhone = phone is null ? "" : new string(phone.Where(char.IsAsciiDigit).ToArray()),
            Channel = Channel.BulkImport,
            ExternalId = externalId,
            Urgency = urgency,
            State = RequestState.Closed,
            PlatformUnitId = districtCode is not null && context.DistrictPlatforms.TryGetValue(districtCode, out var platform) ? platform : context.CityPlatformId,
            LeadUnitId = lead?.Id,
            SubmittedAt = submittedAt,
            UpdatedAt = closed,
            RepliedAt = repliedAt,
            ClosedAt = closed,
            Rating = rating,
            MatterCode = matterCode,
            MatterConfirmed = matterCode is not null,
            CatalogueVersion = matterCode is null ? null : context.CatalogueVersion,
            DistrictCode = districtCode,
            StreetCode = streetCode,
        };
        var note = externalId is null ? "历史工单导入" : $"历史工单导入（原编号 {externalId}）";
        var events = new List<RequestEvent>
        {
            new() { At = submittedAt, Action = RequestAction.Submit, FromState = null, ToState = RequestState.Submitted, ActorRole = Role.System, Note = note, IsPublic = true },
        };
        var state = RequestState.Submitted;
        if (reply is not null)
        {
            events.Add(new RequestEvent { At = repliedAt!.Value, Action = RequestAction.Reply, FromState = state, ToState = RequestState.Replied, ActorRole = Role.System, ActorUnitId = lead?.Id, Note = reply, IsPublic = true });
            state = RequestState.Replied;
        }

        var closing = rating switch
        {
            Rating.Satisfied => RequestAction.RateSatisfied,
            Rating.BasicallySatisfied => RequestAction.RateBasicallySatisfied,
            Rating.Dissatisfied => RequestAction.RateDissatisfied,
            _ => RequestAction.AutoClose,
        };
        events.Add(new RequestEvent { At = closed, Action = closing, FromState = state, ToState = RequestState.Closed, ActorRole = Role.System, IsPublic = true });
        var local = TimeZoneInfo.ConvertTimeFromUtc(submittedAt, context.Zone);
        return new Candidate
        {
            Request = request,
            Events = events,
            Lead = lead is null ? null : new RequestAssignment { UnitId = lead.Id, IsLead = true, IsActive = true, AssignedAt = submittedAt, AcceptedAt = submittedAt },
            LocalDay = DateOnly.FromDateTime(local),
        };
    }

    public static RequestType? ParseType(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "consultation" or "咨询" => RequestType.Consultation,
        "complaint" or "投诉" => RequestType.Complaint,
        "suggestion" or "建议" => RequestType.Suggestion,
        "help" or "求助" => RequestType.Help,
        _ => null,
    };

    private static bool TryUrgency(string text, out Urgency urgency)
    {
        Urgency? parsed = text.Trim().ToLowerInvariant() switch
        {
            "urgent" or "特急" => Urgency.Urgent,
            "fast" or "加急" => Urgency.Fast,
            "normal" or "一般" or "普通" => Urgency.Normal,
            _ => null,
        };
        urgency = parsed ?? Urgency.Normal;
        return parsed is not null;
    }

    public static Rating? ParseRating(string text) => text.Trim().ToLowerInvariant() switch
    {
        "satisfied" or "满意" => Rating.Satisfied,
        "basicallysatisfied" or "basically_satisfied" or "基本满意" => Rating.BasicallySatisfied,
        "dissatisfied" or "不满意" => Rating.Dissatisfied,
        _ => null,
    };

    [GeneratedRegex(@"(Z|[+-]\d{2}:?\d{2})$", RegexOptions.IgnoreCase)]
    private static partial Regex Offset();

    /// <summary>
    /// A time as UTC: with an offset or Z as given; without one, as the city's local time; a bare number as an
    /// Excel serial date in the city's local time.
    /// </summary>
    public static DateTime? ParseTime(string text, TimeZoneInfo zone)
    {
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var serial))
        {
            return serial is > 20000 and < 80000 ? TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(DateTime.FromOADate(serial), DateTimeKind.Unspecified), zone) : null;
        }

        if (Offset().IsMatch(text))
        {
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset) ? withOffset.UtcDateTime : null;
        }

        string[] formats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm", "yyyy/M/d H:mm:ss", "yyyy/M/d H:mm", "yyyy/M/d", "yyyy-M-d H:mm:ss", "yyyy-M-d H:mm"];
        return DateTime.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone)
            : null;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
