using System.Collections.Frozen;

namespace Suban.Core.Places;

public sealed record District(string Code, string Name, string ShortName, IReadOnlyList<string> FormerNames);

public sealed record Street(string Code, string Name, string DistrictCode)
{
    /// <summary>"福田街道" → "福田": how people name a street office in speech.</summary>
    public string ShortName => Name.Length > 2 && Name.EndsWith("街道", StringComparison.Ordinal) ? Name[..^2] : Name;
}

public sealed record Place(string Name, string Kind, string StreetCode);

/// <summary>What a name in an address says, strongest first: the order breaks ties between names of equal length.</summary>
internal enum TermKind
{
    OtherCity,
    City,
    DistrictShort,
    StreetShort,

    /// <summary>A short name shared by a district and a street office in it ("福田": 福田区 and 福田街道).</summary>
    Clash,
    Place,
    Street,
    District,
}

/// <summary>
/// One name the gazetteer knows. <see cref="DistrictCodes"/> is set for districts and clashes,
/// <see cref="StreetCodes"/> for streets, places and clashes; several codes mean the name is shared.
/// </summary>
internal sealed record Term(string Text, TermKind Kind, string[] DistrictCodes, string[] StreetCodes)
{
    /// <summary>"龙华新区", "大鹏新区": a new area carved out of an older district, so more specific than the district beside it.</summary>
    public bool IsNewArea => Kind == TermKind.District && Text.EndsWith("新区", StringComparison.Ordinal);
}

internal readonly record struct TermMatch(int Start, Term Term);

/// <summary>
/// Districts, street offices and places of the city, and every name by which an address may mention them: full
/// names, short names, former district names, places (with "X地铁站" for a station "X站"), Shenzhen itself and other
/// cities. Finding the names in a text costs a dictionary look-up per character and a few ordinal comparisons.
/// </summary>
public sealed class Gazetteer
{
    // Naming one of these (with 市, or the two SARs) puts an address outside the city. A list of the province's
    // cities and the usual far-away ones is enough: a caller to Shenzhen's platform rarely names anywhere else.
    private static readonly string[] OtherCities =
    [
        "广州市", "珠海市", "汕头市", "佛山市", "韶关市", "湛江市", "肇庆市", "江门市", "茂名市", "惠州市", "梅州市",
        "汕尾市", "河源市", "阳江市", "清远市", "东莞市", "中山市", "潮州市", "揭阳市", "云浮市",
        "北京市", "上海市", "天津市", "重庆市", "香港", "澳门",
    ];

    private static readonly string[] CityNames = ["深圳市", "深圳"];

    private readonly FrozenDictionary<char, Term[]> termsByFirstChar;

    public Gazetteer(IEnumerable<District> districts, IEnumerable<Street> streets, IEnumerable<Place> places)
    {
        ArgumentNullException.ThrowIfNull(districts);
        ArgumentNullException.ThrowIfNull(streets);
        ArgumentNullException.ThrowIfNull(places);

        Districts = Index(districts, d => d.Code, "district");
        Streets = Index(streets, s => s.Code, "street");
        Places = places.ToList();
        foreach (var street in Streets.Values.Where(s => !Districts.ContainsKey(s.DistrictCode)))
        {
            throw new ArgumentException($"Street {street.Code} {street.Name} lies in unknown district {street.DistrictCode}.", nameof(streets));
        }

        foreach (var place in Places.Where(p => !Streets.ContainsKey(p.StreetCode)))
        {
            throw new ArgumentException($"Place {place.Name} lies in unknown street {place.StreetCode}.", nameof(places));
        }

        termsByFirstChar = BuildTerms()
            .GroupBy(t => t.Text[0])
            .ToFrozenDictionary(g => g.Key, g => g.OrderByDescending(t => t.Text.Length).ToArray());
    }

    public IReadOnlyDictionary<string, District> Districts { get; }

    public IReadOnlyDictionary<string, Street> Streets { get; }

    public IReadOnlyList<Place> Places { get; }

    /// <summary>
    /// The names in <paramref name="text"/>, in text order, none overlapping: the longest are taken first, so "福田街道"
    /// is the street before "福田" can be anything, and "梅林一村" the place before "梅林" can be a street.
    /// </summary>
    internal List<TermMatch> Find(string text)
    {
        Span<char> buffer = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
        var normalised = buffer[..Normalise(text, buffer)];

        var found = new List<TermMatch>();
        for (var i = 0; i < normalised.Length; i++)
        {
            if (!termsByFirstChar.TryGetValue(normalised[i], out var terms))
            {
                continue;
            }

            var rest = normalised[i..];
            foreach (var term in terms)
            {
                if (rest.StartsWith(term.Text, StringComparison.Ordinal))
                {
                    found.Add(new TermMatch(i, term));
                }
            }
        }

        if (found.Count <= 1)
        {
            return found;
        }

        found.Sort(static (a, b) =>
            b.Term.Text.Length != a.Term.Text.Length ? b.Term.Text.Length - a.Term.Text.Length
            : b.Term.Kind != a.Term.Kind ? b.Term.Kind - a.Term.Kind
            : a.Start - b.Start);

        Span<bool> taken = normalised.Length <= 256 ? stackalloc bool[normalised.Length] : new bool[normalised.Length];
        var chosen = new List<TermMatch>(found.Count);
        foreach (var match in found)
        {
            var span = taken.Slice(match.Start, match.Term.Text.Length);
            if (!span.Contains(true))
            {
                span.Fill(true);
                chosen.Add(match);
            }
        }

        chosen.Sort(static (a, b) => a.Start - b.Start);
        return chosen;
    }

    /// <summary>Drops white space and folds full-width letters and digits ("１２号") to ASCII; returns the length written.</summary>
    private static int Normalise(ReadOnlySpan<char> text, Span<char> into)
    {
        var length = 0;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            into[length++] = c is >= '\uFF01' and <= '\uFF5E' ? (char)(c - 0xFEE0) : c;
        }

        return length;
    }

    private static string Normalise(string name)
    {
        var buffer = new char[name.Length];
        return new string(buffer, 0, Normalise(name, buffer));
    }

    private IEnumerable<Term> BuildTerms()
    {
        var names = new Dictionary<string, NameUses>(StringComparer.Ordinal);
        NameUses Uses(string name)
        {
            var key = Normalise(name);
            return names.TryGetValue(key, out var uses) ? uses : names[key] = new NameUses();
        }

        foreach (var district in Districts.Values)
        {
            Uses(district.Name).Districts.Add(district.Code);
            Uses(district.ShortName).DistrictShorts.Add(district.Code);
            foreach (var former in district.FormerNames)
            {
                Uses(former).Districts.Add(district.Code);
            }
        }

        foreach (var street in Streets.Values)
        {
            Uses(street.Name).Streets.Add(street.Code);
            Uses(street.ShortName).StreetShorts.Add(street.Code);
        }

        foreach (var place in Places)
        {
            Uses(place.Name).Places.Add(place.StreetCode);
            if (place.Name.Length > 1 && place.Name.EndsWith('站') && !place.Name.EndsWith("地铁站", StringComparison.Ordinal))
            {
                Uses(place.Name[..^1] + "地铁站").Places.Add(place.StreetCode);
            }
        }

        foreach (var city in CityNames)
        {
            Uses(city).City = true;
        }

        foreach (var city in OtherCities)
        {
            Uses(city).OtherCity = true;
        }

        foreach (var (text, uses) in names)
        {
            if (text.Length > 0)
            {
                yield return uses.ToTerm(text);
            }
        }
    }

    private static Dictionary<string, T> Index<T>(IEnumerable<T> items, Func<T, string> key, string what)
    {
        var index = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!index.TryAdd(key(item), item))
            {
                throw new ArgumentException($"The {what} code {key(item)} appears twice.");
            }
        }

        return index;
    }

    /// <summary>Everything one name stands for, before it is settled into a single <see cref="Term"/>.</summary>
    private sealed class NameUses
    {
        public SortedSet<string> Districts { get; } = new(StringComparer.Ordinal);
        public SortedSet<string> DistrictShorts { get; } = new(StringComparer.Ordinal);
        public SortedSet<string> Streets { get; } = new(StringComparer.Ordinal);
        public SortedSet<string> StreetShorts { get; } = new(StringComparer.Ordinal);
        public SortedSet<string> Places { get; } = new(StringComparer.Ordinal);
        public bool City { get; set; }
        public bool OtherCity { get; set; }

        /// <summary>A full name beats a place, which beats a short name: the more deliberate naming wins.</summary>
        public Term ToTerm(string text)
        {
            if (Districts.Count > 0)
            {
                return new Term(text, TermKind.District, [.. Districts], []);
            }

            if (Streets.Count > 0)
            {
                return new Term(text, TermKind.Street, [], [.. Streets]);
            }

            if (Places.Count > 0)
            {
                return new Term(text, TermKind.Place, [], [.. Places]);
            }

            if (StreetShorts.Count > 0 && DistrictShorts.Count > 0)
            {
                return new Term(text, TermKind.Clash, [.. DistrictShorts], [.. StreetShorts]);
            }

            if (StreetShorts.Count > 0)
            {
                return new Term(text, TermKind.StreetShort, [], [.. StreetShorts]);
            }

            if (DistrictShorts.Count > 0)
            {
                return new Term(text, TermKind.DistrictShort, [.. DistrictShorts], []);
            }

            return new Term(text, City ? TermKind.City : TermKind.OtherCity, [], []);
        }
    }
}
