namespace Suban.Core.Places;

public enum PlaceConfidence
{
    None,
    Ambiguous,
    District,
    Street,
}

/// <summary>
/// Where an address lies. <see cref="Candidates"/> holds the street (or district) codes it could mean when
/// <see cref="Confidence"/> is <see cref="PlaceConfidence.Ambiguous"/>, and is empty otherwise; an ambiguous answer
/// still carries <see cref="DistrictCode"/> when every candidate lies in one district.
/// </summary>
public sealed record PlaceResolution(
    string? DistrictCode,
    string? StreetCode,
    PlaceConfidence Confidence,
    IReadOnlyList<string> Candidates,
    string Reason);

/// <summary>
/// Reads the district and street office out of a free-text address by the names it contains. The evidence, strongest
/// first: a full street name, a place, a short street name; a named district decides between candidates and vetoes
/// a short street name elsewhere, but does not overrule a full street name or a place, because district borders
/// were redrawn (2011–2018) and old addresses still name the old district.
/// </summary>
public sealed class AddressResolver(Gazetteer gazetteer)
{
    public Gazetteer Gazetteer => gazetteer;

    public PlaceResolution Resolve(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return Nothing("no address");
        }

        var shenzhen = false;
        string? otherCity = null;
        List<Term> districts = [], clashes = [], streets = [], places = [], shortStreets = [];
        foreach (var match in gazetteer.Find(address))
        {
            var term = match.Term;
            switch (term.Kind)
            {
                case TermKind.City:
                    shenzhen = true;
                    break;
                case TermKind.OtherCity:
                    otherCity ??= term.Text;
                    break;
                case TermKind.District or TermKind.DistrictShort:
                    districts.Add(term);
                    break;
                case TermKind.Clash:
                    clashes.Add(term);
                    break;
                case TermKind.Street:
                    streets.Add(term);
                    break;
                case TermKind.Place:
                    places.Add(term);
                    break;
                default:
                    shortStreets.Add(term);
                    break;
            }
        }

        if (otherCity is not null && !shenzhen)
        {
            return Nothing($"names another city ({otherCity})");
        }

        var streetNamed = streets.Count + places.Count + shortStreets.Count > 0;
        if (!streetNamed && districts.Count + clashes.Count == 0)
        {
            return Nothing(shenzhen ? "names only the city" : "names nothing known");
        }

        if (!streetNamed && clashes.Count > 0)
        {
            return Clash(clashes, districts);
        }

        // Beside another street name, a shared name such as "福田" in "福田园岭" qualifies it: it is the district.
        var named = NamedDistricts([.. districts, .. clashes]);
        if (streets.Count > 0)
        {
            return Trusted(streets, "street", named, places, shortStreets);
        }

        if (places.Count > 0)
        {
            return Trusted(places, "place", named, shortStreets);
        }

        if (shortStreets.Count > 0)
        {
            return ShortStreet(shortStreets, named);
        }

        return DistrictOnly(named);
    }

    /// <summary>
    /// The districts an address names. "宝安区光明新区" names the new area and the district it was carved out of, in
    /// the official form of 2007–2018: the new area is meant.
    /// </summary>
    private static List<string> NamedDistricts(IEnumerable<Term> terms)
    {
        var all = terms.ToList();
        var codes = all.SelectMany(t => t.DistrictCodes).Distinct().ToList();
        if (codes.Count > 1 && all.Any(t => t.IsNewArea))
        {
            codes = all.Where(t => t.IsNewArea).SelectMany(t => t.DistrictCodes).Distinct().ToList();
        }

        return codes;
    }

    /// <summary>A full street name or a place: trusted even against the named district.</summary>
    private PlaceResolution Trusted(List<Term> terms, string what, List<string> named, params List<Term>[] weaker)
    {
        var candidates = terms.SelectMany(t => t.StreetCodes).Distinct().ToList();
        candidates = Narrow(candidates, c => named.Any(d => Within(c, d)));
        foreach (var evidence in weaker)
        {
            candidates = Narrow(candidates, c => evidence.Any(t => t.StreetCodes.Contains(c)));
        }

        if (candidates.Count > 1)
        {
            return Ambiguous(candidates, $"{what} names lie in {candidates.Count} streets");
        }

        var street = gazetteer.Streets[candidates[0]];
        var name = terms.First(t => t.StreetCodes.Contains(street.Code)).Text;
        var reason = what == "street" ? $"street {street.Name} named" : $"place {name} lies in {street.Name}";
        if (named.Count > 0 && !named.Any(d => Within(street.Code, d)))
        {
            reason += $"; it lies in {DistrictName(street.DistrictCode)}, not the named {string.Join("/", named.Select(DistrictName))}";
        }

        return new PlaceResolution(street.DistrictCode, street.Code, PlaceConfidence.Street, [], reason);
    }

    /// <summary>A short street name ("西乡") is weak: one in another district than the named one is not believed.</summary>
    private PlaceResolution ShortStreet(List<Term> terms, List<string> named)
    {
        var candidates = terms.SelectMany(t => t.StreetCodes).Distinct().ToList();
        if (named.Count > 0)
        {
            var consistent = candidates.Where(c => named.Any(d => Within(c, d))).ToList();
            if (consistent.Count == 0)
            {
                var districtOnly = DistrictOnly(named);
                return districtOnly with { Reason = $"{districtOnly.Reason}; short street name {terms[0].Text} lies in another district" };
            }

            candidates = consistent;
        }

        if (candidates.Count > 1)
        {
            return Ambiguous(candidates, $"short street names point to {candidates.Count} streets");
        }

        var street = gazetteer.Streets[candidates[0]];
        var name = terms.First(t => t.StreetCodes.Contains(street.Code)).Text;
        return new PlaceResolution(street.DistrictCode, street.Code, PlaceConfidence.Street, [], $"short street name {name} names {street.Name}");
    }

    /// <summary>
    /// Only a name shared by a district and its seat street ("福田口岸"): the district if that is all, the street when
    /// the district is named besides ("福田区…福田").
    /// </summary>
    private PlaceResolution Clash(List<Term> clashes, List<Term> districts)
    {
        var named = NamedDistricts(districts);
        var distinct = clashes.DistinctBy(t => t.Text).ToList();
        if (distinct.Count == 1 && named.Count > 0)
        {
            var inNamed = distinct[0].StreetCodes.Where(c => named.Any(d => Within(c, d))).ToList();
            if (inNamed.Count == 1)
            {
                var street = gazetteer.Streets[inNamed[0]];
                return new PlaceResolution(street.DistrictCode, street.Code, PlaceConfidence.Street, [], $"{distinct[0].Text} beside {DistrictName(named[0])} names {street.Name}");
            }
        }

        if (distinct.Count > 1 || named.Count > 0)
        {
            return DistrictOnly(NamedDistricts([.. districts, .. clashes]));
        }

        var clash = distinct[0];
        var districtCodes = clash.StreetCodes.Select(c => gazetteer.Streets[c].DistrictCode).Concat(clash.DistrictCodes).Distinct().ToList();
        var names = clash.DistrictCodes.Select(DistrictName).Concat(clash.StreetCodes.Select(c => gazetteer.Streets[c].Name));
        return new PlaceResolution(
            districtCodes.Count == 1 ? districtCodes[0] : null,
            null,
            PlaceConfidence.Ambiguous,
            [.. clash.DistrictCodes, .. clash.StreetCodes],
            $"{clash.Text} may be {string.Join(" or ", names)}");
    }

    private PlaceResolution DistrictOnly(List<string> named) => named.Count switch
    {
        0 => Nothing("names nothing known"),
        1 => new PlaceResolution(named[0], null, PlaceConfidence.District, [], "district only"),
        2 => new PlaceResolution(null, null, PlaceConfidence.Ambiguous, [.. named.Order(StringComparer.Ordinal)], "names two districts"),
        _ => new PlaceResolution(null, null, PlaceConfidence.Ambiguous, [.. named.Order(StringComparer.Ordinal)], $"names {named.Count} districts"),
    };

    private PlaceResolution Ambiguous(List<string> streetCodes, string reason)
    {
        var districtCodes = streetCodes.Select(c => gazetteer.Streets[c].DistrictCode).Distinct().ToList();
        return new PlaceResolution(
            districtCodes.Count == 1 ? districtCodes[0] : null,
            null,
            PlaceConfidence.Ambiguous,
            [.. streetCodes.Order(StringComparer.Ordinal)],
            reason);
    }

    private static PlaceResolution Nothing(string reason) => new(null, null, PlaceConfidence.None, [], reason);

    /// <summary>
    /// Whether a street lies in a district. A functional district's code extends its statistical parent's
    /// (440307DP in 440307), so "龙岗区葵涌" is consistent: 大鹏新区 is statistically part of 龙岗区.
    /// </summary>
    private bool Within(string streetCode, string districtCode) =>
        gazetteer.Streets[streetCode].DistrictCode.StartsWith(districtCode, StringComparison.Ordinal);

    private string DistrictName(string code) => gazetteer.Districts.TryGetValue(code, out var d) ? d.Name : code;

    /// <summary>Keeps the candidates that pass, unless none would.</summary>
    private static List<string> Narrow(List<string> candidates, Func<string, bool> keep)
    {
        if (candidates.Count <= 1)
        {
            return candidates;
        }

        var kept = candidates.Where(keep).ToList();
        return kept.Count > 0 ? kept : candidates;
    }
}
