using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace Suban.Web.Open311;

internal enum Open311Format
{
    Xml,
    Json,
}

/// <summary>An element with named children, in order: an XML element, a JSON object.</summary>
internal sealed class Fields : List<KeyValuePair<string, object?>>
{
    public void Add(string name, object? value) => Add(new KeyValuePair<string, object?>(name, value));
}

/// <summary>A repeated element: in XML each item is wrapped in <see cref="ItemName"/>, in JSON it is an array.</summary>
internal sealed record Many(string ItemName, IReadOnlyList<object?> Items);

/// <summary>
/// One body written as XML or JSON by the specification's mapping (the Spark convention): a list root is an array
/// in JSON and a wrapper element in XML. Values are strings, booleans, numbers, <see cref="Fields"/>,
/// <see cref="Many"/> or null (an empty element in XML).
/// </summary>
internal sealed class Open311Result(Open311Format format, int status, string rootName, object body) : IResult
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Open311Result Ok(Open311Format format, string rootName, object body, int status = StatusCodes.Status200OK) => new(format, status, rootName, body);

    /// <summary>The specification's error list; the code in the body is the HTTP status.</summary>
    public static Open311Result Errors(Open311Format format, int status, IEnumerable<string> descriptions) =>
        new(format, status, "errors", new Many("error", descriptions.Select(d => (object?)new Fields { { "code", status }, { "description", d } }).ToList()));

    public static Open311Result Error(Open311Format format, int status, string description) => Errors(format, status, [description]);

    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = status;
        using var buffer = new MemoryStream();
        if (format == Open311Format.Xml)
        {
            http.Response.ContentType = "text/xml; charset=utf-8";
            using (var xml = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
            {
                xml.WriteStartDocument();
                WriteXml(xml, rootName, body);
                xml.WriteEndDocument();
            }
        }
        else
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            using var json = new Utf8JsonWriter(buffer, JsonOptions);
            WriteJson(json, body);
        }

        http.Response.ContentLength = buffer.Length;
        await http.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), http.RequestAborted);
    }

    private static void WriteXml(XmlWriter xml, string name, object? value)
    {
        xml.WriteStartElement(name);
        switch (value)
        {
            case Fields fields:
                foreach (var (child, childValue) in fields)
                {
                    WriteXml(xml, child, childValue);
                }

                break;
            case Many many:
                foreach (var item in many.Items)
                {
                    WriteXml(xml, many.ItemName, item);
                }

                break;
            case null:
                break;
            default:
                xml.WriteString(XmlSafe(Scalar(value)));
                break;
        }

        xml.WriteEndElement();
    }

    private static void WriteJson(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case Fields fields:
                json.WriteStartObject();
                foreach (var (name, child) in fields)
                {
                    json.WritePropertyName(name);
                    WriteJson(json, child);
                }

                json.WriteEndObject();
                break;
            case Many many:
                json.WriteStartArray();
                foreach (var item in many.Items)
                {
                    WriteJson(json, item);
                }

                json.WriteEndArray();
                break;
            case null:
                json.WriteNullValue();
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case int i:
                json.WriteNumberValue(i);
                break;
            case double d:
                json.WriteNumberValue(d);
                break;
            default:
                json.WriteStringValue(Scalar(value));
                break;
        }
    }

    private static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Control characters a citizen pasted are legal in JSON but not in XML 1.0; they are dropped there.</summary>
    private static string XmlSafe(string text)
    {
        foreach (var c in text)
        {
            if (!XmlConvert.IsXmlChar(c) && !char.IsSurrogate(c))
            {
                return new string(text.Where(ch => XmlConvert.IsXmlChar(ch) || char.IsSurrogate(ch)).ToArray());
            }
        }

        return text;
    }
}
