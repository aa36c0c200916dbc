using System.Globalization;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Suban.Web.Infrastructure;

namespace Suban.Web.Integration;

/// <summary>One row of an import file: its number as a person finds it in the file, and its fields by column.</summary>
public sealed record ImportRow(int Number, IReadOnlyDictionary<string, string> Fields)
{
    public string? this[string column] => Fields.TryGetValue(column, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}

/// <summary>
/// Reads CSV (UTF-8, header row), xlsx (first sheet, header row) and JSON Lines (one object per line) into rows
/// keyed by Suban's column names; Chinese headers used by 12345 systems are accepted for the same columns.
/// </summary>
public static class ImportFormats
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "externalId", "type", "title", "description", "submittedAt", "urgency", "address", "latitude", "longitude",
        "districtCode", "streetCode", "contactName", "contactPhone", "matterCode", "unitCode", "reply", "repliedAt", "closedAt", "rating",
    ];

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["来源编号"] = "externalId", ["原工单编号"] = "externalId", ["类型"] = "type", ["诉求类型"] = "type", ["标题"] = "title",
        ["内容"] = "description", ["诉求内容"] = "description", ["受理时间"] = "submittedAt", ["提交时间"] = "submittedAt",
        ["紧急程度"] = "urgency", ["地址"] = "address", ["纬度"] = "latitude", ["经度"] = "longitude", ["区编码"] = "districtCode",
        ["街道编码"] = "streetCode", ["联系人"] = "contactName", ["联系电话"] = "contactPhone", ["事项编码"] = "matterCode",
        ["承办单位编码"] = "unitCode", ["答复内容"] = "reply", ["答复时间"] = "repliedAt", ["办结时间"] = "closedAt", ["评价"] = "rating",
    };

    /// <summary>The format a file name stands for: csv, xlsx or jsonl; null for anything else.</summary>
    public static string? FormatOf(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".csv" => "csv",
        ".xlsx" => "xlsx",
        ".jsonl" or ".ndjson" => "jsonl",
        _ => null,
    };

    public static string? Column(string header)
    {
        var name = header.Trim().TrimStart('\uFEFF');
        return Aliases.TryGetValue(name, out var alias) ? alias : Columns.FirstOrDefault(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Every row, or a <see cref="FormatException"/> saying why the file as a whole cannot be read.</summary>
    public static List<ImportRow> Read(string path, string format) => format switch
    {
        "csv" => ReadCsv(path),
        "xlsx" => ReadXlsx(path),
        "jsonl" => ReadJsonLines(path),
        _ => throw new FormatException($"Unknown format '{format}': use csv, xlsx or jsonl."),
    };

    private static List<ImportRow> ReadCsv(string path)
    {
        var rows = new List<ImportRow>();
        string?[]? header = null;
        var number = 0;
        foreach (var fields in Csv.Rows(File.ReadAllText(path, Encoding.UTF8)))
        {
            number++;
            if (header is null)
            {
                header = fields.Select(Column).ToArray();
                RequireDescription(header);
                continue;
            }

            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            rows.Add(new ImportRow(number, Map(header, fields)));
        }

        return rows;
    }

    private static List<ImportRow> ReadJsonLines(string path)
    {
        var rows = new List<ImportRow>();
        var number = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                using var document = JsonDocument.Parse(line);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    fields["_error"] = "The line is not a JSON object.";
                }
                else
                {
                    foreach (var property in document.RootElement.EnumerateObject())
                    {
                        if (Column(property.Name) is { } column)
                        {
                            fields[column] = property.Value.ValueKind switch
                            {
                                JsonValueKind.String => property.Value.GetString()!,
                                JsonValueKind.Null => "",
                                JsonValueKind.Number => property.Value.GetRawText(),
                                _ => property.Value.GetRawText(),
                            };
                        }
                    }
                }
            }
            catch (JsonException e)
            {
                fields["_error"] = $"The line is not valid JSON: {e.Message}";
            }

            rows.Add(new ImportRow(number, fields));
        }

        return rows;
    }

    private static List<ImportRow> ReadXlsx(string path)
    {
        using var document = SpreadsheetDocument.Open(path, false);
        var workbook = document.WorkbookPart ?? throw new FormatException("The workbook has no sheets.");
        var sheet = workbook.Workbook.Sheets?.Elements<Sheet>().FirstOrDefault() ?? throw new FormatException("The workbook has no sheets.");
        var part = (WorksheetPart)workbook.GetPartById(sheet.Id!);
        var shared = workbook.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(i => i.InnerText).ToArray() ?? [];
        var rows = new List<ImportRow>();
        string?[]? header = null;
        using var reader = OpenXmlReader.Create(part);
        while (reader.Read())
        {
            if (reader.ElementType != typeof(Row) || !reader.IsStartElement)
            {
                continue;
            }

            var row = (Row)reader.LoadCurrentElement()!;
            var number = (int)(row.RowIndex?.Value ?? (uint)(rows.Count + 2));
            var cells = new List<string>();
            foreach (var cell in row.Elements<Cell>())
            {
                var index = ColumnIndex(cell.CellReference?.Value) ?? cells.Count;
                while (cells.Count < index)
                {
                    cells.Add("");
                }

                cells.Add(CellText(cell, shared));
            }

            if (header is null)
            {
                header = cells.Select(Column).ToArray();
                RequireDescription(header);
                continue;
            }

            if (cells.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            rows.Add(new ImportRow(number, Map(header, cells)));
        }

        return rows;
    }

    private static string CellText(Cell cell, string[] shared)
    {
        var value = cell.CellValue?.Text ?? cell.InlineString?.InnerText ?? "";
        if (cell.DataType?.Value == CellValues.SharedString && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var i))
        {
            return i < shared.Length ? shared[i] : "";
        }

        return value;
    }

    private static int? ColumnIndex(string? reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            return null;
        }

        var index = 0;
        foreach (var c in reference)
        {
            if (!char.IsAsciiLetterUpper(c))
            {
                break;
            }

            index = (index * 26) + (c - 'A' + 1);
        }

        return index - 1;
    }

    private static void RequireDescription(string?[] header)
    {
        if (!header.Contains("description"))
        {
            throw new FormatException("The header row has no 'description' (诉求内容) column; the first row must name the columns.");
        }
    }

    private static Dictionary<string, string> Map(string?[] header, IReadOnlyList<string> fields)
    {
        var row = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            if (header[i] is { } column)
            {
                row[column] = i < fields.Count ? fields[i] : "";
            }
        }

        return row;
    }
}
