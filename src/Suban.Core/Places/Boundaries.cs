using System.Text.Json;

namespace Suban.Core.Places;

/// <summary>Reads district or street boundaries from a GeoJSON FeatureCollection (RFC 7946) of Polygons and MultiPolygons.</summary>
public static class Boundaries
{
    /// <summary>
    /// Parses <paramref name="geoJson"/>; each feature's <paramref name="codeProperty"/> (a string or a number) names
    /// it. Throws <see cref="FormatException"/> naming the feature and what is wrong with it.
    /// </summary>
    public static BoundarySet Parse(string geoJson, string codeProperty)
    {
        ArgumentNullException.ThrowIfNull(geoJson);
        ArgumentException.ThrowIfNullOrEmpty(codeProperty);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(geoJson);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Boundary GeoJSON is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || TypeOf(root) != "FeatureCollection")
            {
                throw new FormatException("Boundary GeoJSON must be a FeatureCollection.");
            }

            if (!root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("Boundary GeoJSON FeatureCollection has no \"features\" array.");
            }

            var boundaries = new List<Boundary>();
            var index = 0;
            foreach (var feature in features.EnumerateArray())
            {
                boundaries.Add(ReadFeature(feature, index++, codeProperty));
            }

            return new BoundarySet(boundaries);
        }
    }

    private static Boundary ReadFeature(JsonElement feature, int index, string codeProperty)
    {
        if (feature.ValueKind != JsonValueKind.Object || TypeOf(feature) != "Feature")
        {
            throw new FormatException($"Feature {index} is not a GeoJSON Feature.");
        }

        if (!feature.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object
            || !properties.TryGetProperty(codeProperty, out var codeValue))
        {
            throw new FormatException($"Feature {index} has no property \"{codeProperty}\".");
        }

        var code = codeValue.ValueKind switch
        {
            JsonValueKind.String => codeValue.GetString()!,
            JsonValueKind.Number => codeValue.GetRawText(),
            _ => throw new FormatException($"Feature {index}: property \"{codeProperty}\" must be a string or a number, not {codeValue.ValueKind}."),
        };

        var where = $"Feature {index} ({code})";
        if (!feature.TryGetProperty("geometry", out var geometry) || geometry.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{where} has no geometry.");
        }

        if (!geometry.TryGetProperty("coordinates", out var coordinates) || coordinates.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{where}: geometry has no \"coordinates\" array.");
        }

        Polygon[] polygons = TypeOf(geometry) switch
        {
            "Polygon" => [ReadPolygon(coordinates, where)],
            "MultiPolygon" => coordinates.EnumerateArray().Select((p, i) => ReadPolygon(p, $"{where} polygon {i}")).ToArray(),
            var other => throw new FormatException($"{where}: geometry type {other ?? "(none)"} is not Polygon or MultiPolygon."),
        };

        if (polygons.Length == 0)
        {
            throw new FormatException($"{where}: MultiPolygon has no polygons.");
        }

        return new Boundary(code, polygons, Box.Around(polygons.Select(p => p.Outer.Box)));
    }

    private static Polygon ReadPolygon(JsonElement rings, string where)
    {
        if (rings.ValueKind != JsonValueKind.Array || rings.GetArrayLength() == 0)
        {
            throw new FormatException($"{where}: a polygon must be a non-empty array of linear rings.");
        }

        var read = rings.EnumerateArray().Select((r, i) => ReadRing(r, $"{where} ring {i}")).ToArray();
        return new Polygon(read[0], read[1..]);
    }

    private static Ring ReadRing(JsonElement positions, string where)
    {
        if (positions.ValueKind != JsonValueKind.Array || positions.GetArrayLength() < 4)
        {
            throw new FormatException($"{where}: a linear ring needs at least four positions.");
        }

        var count = positions.GetArrayLength();
        var xs = new double[count];
        var ys = new double[count];
        var i = 0;
        foreach (var position in positions.EnumerateArray())
        {
            if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2
                || position[0].ValueKind != JsonValueKind.Number || position[1].ValueKind != JsonValueKind.Number
                || !double.IsFinite(xs[i] = position[0].GetDouble()) || !double.IsFinite(ys[i] = position[1].GetDouble()))
            {
                throw new FormatException($"{where} position {i} is not [longitude, latitude].");
            }

            i++;
        }

        if (xs[0] != xs[^1] || ys[0] != ys[^1])
        {
            throw new FormatException($"{where}: a linear ring must end at the position it starts from.");
        }

        // The closing position repeats the first; ray casting closes the ring by itself.
        return new Ring(xs[..^1], ys[..^1]);
    }

    private static string? TypeOf(JsonElement element) =>
        element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
}

/// <summary>Boundaries to look points up in; where features overlap, the first in the file wins.</summary>
public sealed class BoundarySet
{
    private readonly Boundary[] boundaries;

    internal BoundarySet(IEnumerable<Boundary> boundaries)
    {
        this.boundaries = boundaries.ToArray();
    }

    public IReadOnlyList<string> Codes => boundaries.Select(b => b.Code).ToList();

    /// <summary>The code of the feature containing the point (WGS 84 longitude and latitude), or null if none does.</summary>
    public string? Locate(double longitude, double latitude)
    {
        foreach (var boundary in boundaries)
        {
            if (boundary.Box.Contains(longitude, latitude) && boundary.Contains(longitude, latitude))
            {
                return boundary.Code;
            }
        }

        return null;
    }
}

internal readonly record struct Box(double MinX, double MinY, double MaxX, double MaxY)
{
    // Comparisons with NaN are false, so a NaN point is in no box.
    public bool Contains(double x, double y) => x >= MinX && x <= MaxX && y >= MinY && y <= MaxY;

    public static Box Around(IEnumerable<Box> boxes) => boxes.Aggregate((a, b) =>
        new Box(Math.Min(a.MinX, b.MinX), Math.Min(a.MinY, b.MinY), Math.Max(a.MaxX, b.MaxX), Math.Max(a.MaxY, b.MaxY)));
}

internal sealed class Boundary(string code, Polygon[] polygons, Box box)
{
    public string Code { get; } = code;

    public Box Box { get; } = box;

    public bool Contains(double x, double y) => polygons.Any(p => p.Contains(x, y));
}

internal sealed class Polygon(Ring outer, Ring[] holes)
{
    public Ring Outer { get; } = outer;

    public bool Contains(double x, double y) => Outer.Box.Contains(x, y) && Outer.Contains(x, y) && !holes.Any(h => h.Box.Contains(x, y) && h.Contains(x, y));
}

internal sealed class Ring
{
    private readonly double[] xs;
    private readonly double[] ys;

    public Ring(double[] xs, double[] ys)
    {
        this.xs = xs;
        this.ys = ys;
        Box = new Box(xs.Min(), ys.Min(), xs.Max(), ys.Max());
    }

    public Box Box { get; }

    /// <summary>Even-odd ray casting towards +x: each edge the ray crosses flips inside and outside.</summary>
    public bool Contains(double x, double y)
    {
        var inside = false;
        for (int i = 0, j = xs.Length - 1; i < xs.Length; j = i++)
        {
            if ((ys[i] > y) != (ys[j] > y) && x < ((xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i])) + xs[i])
            {
                inside = !inside;
            }
        }

        return inside;
    }
}
