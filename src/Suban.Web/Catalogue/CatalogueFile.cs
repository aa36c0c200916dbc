using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Suban.Core.Catalogue;
using Suban.Web.Infrastructure;

namespace Suban.Web.Catalogue;

public sealed record FileRowError(int Row, string Field, string Message);

/// <summary>
/// The whole list as one table, for CSV and Excel alike: one row a matter, lists one item a line within a cell.
/// Reading what was written gives back the same matters, field for field.
/// </summary>
internal static class CatalogueFile
{
    public static readonly string[] Columns =
    [
        "code", "category", "subCategory", "name", "cityUnit", "districtUnit", "streetUnit", "leadLevel", "territorial",
        "coHandling", "limitConsultation", "limitComplaint", "limitSuggestion", "limitHelp", "instantAnswer", "keywords",
        "examples", "retired", "mergedInto",
    ];

    private static string[] Row(Matter m) =>
    [
        m.Code, m.Category, m.SubCategory, m.Name, m.CityUnit ?? "", m.DistrictUnit ?? "", Bool(m.StreetUnit),
        m.LeadLevel.ToString().ToLowerInvariant(), Bool(m.Territorial), string.Join('\n', m.CoHandling),
        Int(m.Limits.Consultation), Int(m.Limits.Complaint), Int(m.Limits.Suggestion), Int(m.Limits.Help),
        m.InstantAnswer ?? "", string.Join('\n', m.Keywords), string.Join('\n', m.Examples), Bool(m.Retired), m.MergedInto ?? "",
    ];

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static byte[] ToCsv(IEnumerable<Matter> matters)
    {
        var text = new StringBuilder();
        void Line(IEnumerable<string> fields) => text.Append(string.Join(',', fields.Select(Csv.Quote))).Append("\r\n");
        Line(Columns);
        foreach (var matter in matters)
        {
            Line(Row(matter));
        }

        // With a byte-order mark, so Excel opens the Chinese as UTF-8.
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    public static (List<Matter> Matters, List<FileRowError> Errors) FromCsv(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return FromRows(Csv.Rows(reader.ReadToEnd()).Select(r => r.ToArray()).ToList());
    }

    public static byte[] ToXlsx(IEnumerable<Matter> matters)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var sheetPart = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            data.Append(XlsxRow(Columns));
            foreach (var matter in matters)
            {
                data.Append(XlsxRow(Row(matter)));
            }

            sheetPart.Worksheet = new Worksheet(data);
            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = "职责清单" }));
            workbook.Workbook.Save();
        }

        return stream.ToArray();
    }

    private static DocumentFormat.OpenXml.Spreadsheet.Row XlsxRow(IEnumerable<string> values)
    {
        var row = new DocumentFormat.OpenXml.Spreadsheet.Row();
        foreach (var value in values)
        {
            // Inline strings: every cell is text, so codes like 01.01.001 stay as written.
            row.Append(new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(value) { Space = SpaceProcessingModeValues.Preserve }) });
        }

        return row;
    }

    public static (List<Matter> Matters, List<FileRowError> Errors) FromXlsx(Stream stream)
    {
        using var document = SpreadsheetDocument.Open(stream, false);
        var workbook = document.WorkbookPart ?? throw new InvalidDataException("The workbook has no sheets.");
        var sheet = workbook.Workbook.Descendants<Sheet>().FirstOrDefault() ?? throw new InvalidDataException("The workbook has no sheets.");
        var part = (WorksheetPart)workbook.GetPartById(sheet.Id!);
        var shared = workbook.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(s => s.InnerText).ToList() ?? [];
        var rows = new List<string[]>();
        foreach (var row in part.Worksheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.Row>())
        {
            var values = new List<string>();
            foreach (var cell in row.Elements<Cell>())
            {
                // Excel may drop empty cells: place each value by its column letter.
                var column = ColumnIndex(cell.CellReference?.Value) ?? values.Count;
                while (values.Count < column)
                {
                    values.Add("");
                }

                values.Add(cell.DataType?.Value == CellValues.SharedString
                    ? shared[int.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture)]
                    : cell.DataType?.Value == CellValues.InlineString ? cell.InlineString?.InnerText ?? "" : cell.CellValue?.Text ?? "");
            }

            rows.Add(values.ToArray());
        }

        return FromRows(rows);
    }

    private static int? ColumnIndex(string? reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            return null;
        }

        var index = 0;
        foreach (var c in reference.TakeWhile(char.IsAsciiLetter))
        {
            index = index * 26 + (char.ToUpperInvariant(c) - 'A' + 1);
        }

        return index - 1;
    }

    private static (List<Matter>, List<FileRowError>) FromRows(List<string[]> rows)
    {
        var errors = new List<FileRowError>();
        var matters = new List<Matter>();
        if (rows.Count == 0 || !rows[0].Take(Columns.Length).SequenceEqual(Columns))
        {
            errors.Add(new FileRowError(1, "header", $"The first row must be: {string.Join(",", Columns)}"));
            return (matters, errors);
        }

        for (var r = 1; r < rows.Count; r++)
        {
            var cells = rows[r];
            if (cells.All(string.IsNullOrEmpty))
            {
                continue;
            }

            string Cell(string column)
            {
                var i = Array.IndexOf(Columns, column);
                return i < cells.Length ? cells[i] : "";
            }

            var rowNumber = r + 1;
            bool? Bool(string column)
            {
                var value = Cell(column);
                if (value is "true" or "false")
                {
                    return value == "true";
                }

                errors.Add(new FileRowError(rowNumber, column, "true or false."));
                return null;
            }

            int? Int(string column)
            {
                if (int.TryParse(Cell(column), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }

                errors.Add(new FileRowError(rowNumber, column, "a whole number of working days."));
                return null;
            }

            IReadOnlyList<string> List(string column) => Cell(column).Length == 0 ? [] : Cell(column).Split('\n');
            string? Optional(string column) => Cell(column).Length == 0 ? null : Cell(column);

            var before = errors.Count;
            var streetUnit = Bool("streetUnit");
            var territorial = Bool("territorial");
            var retired = Bool("retired");
            var limits = (Int("limitConsultation"), Int("limitComplaint"), Int("limitSuggestion"), Int("limitHelp"));
            if (!Enum.TryParse<Level>(Cell("leadLevel"), ignoreCase: true, out var level) || int.TryParse(Cell("leadLevel"), out _))
            {
                errors.Add(new FileRowError(rowNumber, "leadLevel", "city, district or street."));
            }

            if (errors.Count > before)
            {
                continue;
            }

            var matter = new Matter(
                Cell("code"), Cell("category"), Cell("subCategory"), Cell("name"), Optional("cityUnit"), Optional("districtUnit"),
                streetUnit!.Value, level, territorial!.Value, List("coHandling"),
                new TimeLimits(limits.Item1!.Value, limits.Item2!.Value, limits.Item3!.Value, limits.Item4!.Value),
                Optional("instantAnswer"), List("keywords"), List("examples"), retired!.Value, Optional("mergedInto"));
            var invalid = new List<EditError>();
            if (!CatalogueSnapshot.Validate(matter, r, invalid))
            {
                errors.AddRange(invalid.Select(e => new FileRowError(rowNumber, e.Field, e.Message)));
                continue;
            }

            matters.Add(matter);
        }

        foreach (var duplicate in matters.GroupBy(m => m.Code).Where(g => g.Count() > 1))
        {
            errors.Add(new FileRowError(0, "code", $"'{duplicate.Key}' appears {duplicate.Count()} times."));
        }

        return (matters, errors);
    }
}
