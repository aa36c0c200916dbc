using System.Globalization;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.EntityFrameworkCore;
using Suban.Core.Lifecycle;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Integration;

/// <summary>
/// A filtered list as a file in the import's own columns (plus the tracking number and state), so an export can
/// be imported elsewhere. Contacts go only to administrators; everyone else gets the columns empty.
/// </summary>
internal static class RequestExport
{
    public static readonly IReadOnlyList<string> Columns = ["trackingNumber", "state", .. ImportFormats.Columns];

    public static async Task<List<string?[]>> RowsAsync(IQueryable<ServiceRequest> query, SubanDb db, Actor actor, CancellationToken cancellationToken)
    {
        var contacts = actor.IsIn(Roles.Administrator);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var rows = await query
            .OrderBy(r => r.SubmittedAt).ThenBy(r => r.Id)
            .Select(r => new
            {
                r.TrackingNumber,
                r.State,
                r.ExternalId,
                r.Type,
                r.Title,
                r.Description,
                r.SubmittedAt,
                r.Urgency,
                r.AddressText,
                r.Latitude,
                r.Longitude,
                r.DistrictCode,
                r.StreetCode,
                r.ContactName,
                r.ContactPhone,
                r.MatterCode,
                UnitCode = db.Units.Where(u => u.Id == r.LeadUnitId).Select(u => u.Code).FirstOrDefault(),
                Reply = db.Events.Where(e => e.RequestId == r.Id && e.Action == RequestAction.Reply).OrderByDescending(e => e.Id).Select(e => e.Note).FirstOrDefault(),
                r.RepliedAt,
                r.ClosedAt,
                r.Rating,
            })
            .ToListAsync(cancellationToken);

        string? Time(DateTime? utc) => utc is { } t
            ? new DateTimeOffset(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(t, DateTimeKind.Utc), zone), zone.GetUtcOffset(t)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)
            : null;
        string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

        return rows.Select(r => new string?[]
        {
            r.TrackingNumber, Camel(r.State.ToString()), r.ExternalId ?? r.TrackingNumber, Camel(r.Type.ToString()), r.Title, r.Description, Time(r.SubmittedAt),
            Camel(r.Urgency.ToString()), r.AddressText, r.Latitude?.ToString("R", CultureInfo.InvariantCulture), r.Longitude?.ToString("R", CultureInfo.InvariantCulture),
            r.DistrictCode, r.StreetCode, contacts ? r.ContactName : null, contacts && r.ContactPhone.Length > 0 ? r.ContactPhone : null, r.MatterCode, r.UnitCode,
            r.Reply, Time(r.RepliedAt), Time(r.ClosedAt), r.Rating is { } rating ? Camel(rating.ToString()) : null,
        }).ToList();
    }

    public static byte[] Csv(List<string?[]> rows)
    {
        var text = new StringBuilder();
        text.Append('\uFEFF').AppendJoin(',', Columns).Append("\r\n");
        foreach (var row in rows)
        {
            text.AppendJoin(',', row.Select(v => Infrastructure.Csv.Quote(v ?? ""))).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static byte[] JsonLines(List<string?[]> rows)
    {
        using var stream = new MemoryStream();
        foreach (var row in rows)
        {
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                writer.WriteStartObject();
                for (var i = 0; i < Columns.Count; i++)
                {
                    if (row[i] is { } value)
                    {
                        writer.WriteString(Columns[i], value);
                    }
                }

                writer.WriteEndObject();
            }

            stream.WriteByte((byte)'\n');
        }

        return stream.ToArray();
    }

    public static byte[] Xlsx(List<string?[]> rows)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var sheetPart = workbook.AddNewPart<WorksheetPart>();
            using (var writer = OpenXmlWriter.Create(sheetPart))
            {
                writer.WriteStartElement(new Worksheet());
                writer.WriteStartElement(new SheetData());
                WriteRow(writer, Columns!);
                foreach (var row in rows)
                {
                    WriteRow(writer, row);
                }

                writer.WriteEndElement();
                writer.WriteEndElement();
            }

            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = "requests" }));
            workbook.Workbook.Save();
        }

        return stream.ToArray();
    }

    private static void WriteRow(OpenXmlWriter writer, IReadOnlyList<string?> values)
    {
        writer.WriteStartElement(new Row());
        foreach (var value in values)
        {
            // Inline strings throughout: dates and codes stay exactly as written (no Excel number guessing).
            writer.WriteElement(new Cell(new InlineString(new Text(value ?? "") { Space = SpaceProcessingModeValues.Preserve })) { DataType = CellValues.InlineString });
        }

        writer.WriteEndElement();
    }
}
