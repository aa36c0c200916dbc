namespace Suban.Core.Catalogue;

/// <summary>The organisation as the rules need it: unit codes that exist, and their names.</summary>
/// <param name="CityCode">The city's code: the city platform is <c>CityCode</c>, its departments <c>CityCode-XX</c>.</param>
/// <param name="Names">Every unit's name by code; district bureaus are <c>{district}-XX</c>, street offices their street code.</param>
/// <param name="StreetDistrict">The district of every street code.</param>
public sealed record OrganisationMap(string CityCode, IReadOnlyDictionary<string, string> Names, IReadOnlyDictionary<string, string> StreetDistrict);

/// <param name="PlatformUnitCode">The platform that dispatches: the city's, or the district's.</param>
/// <param name="LeadUnitCode">The lead unit, when the rules and the place name one; otherwise a dispatcher decides.</param>
public sealed record UnitDecision(
    Level PlatformLevel,
    string PlatformUnitCode,
    string? LeadUnitCode,
    IReadOnlyList<string> CoUnitCodes,
    IReadOnlyList<string> Reasons)
{
    public bool NeedsDispatcher => LeadUnitCode is null;
}

/// <summary>
/// From a matter and a resolved place to concrete units, by the matter's rules: the level that leads, the territorial
/// principle (the district or street where it happens), and the co-handling units at the lead's level.
/// </summary>
public static class Responsibility
{
    public static UnitDecision Decide(Matter matter, string? districtCode, string? streetCode, OrganisationMap organisation)
    {
        var reasons = new List<string>();
        string Name(string code) => organisation.Names.TryGetValue(code, out var name) ? name : code;
        string? Existing(string code) => organisation.Names.ContainsKey(code) ? code : null;

        if (streetCode is not null && organisation.StreetDistrict.TryGetValue(streetCode, out var streetDistrict))
        {
            districtCode = streetDistrict;
        }
        else
        {
            streetCode = null;
        }

        if (districtCode is not null && !organisation.Names.ContainsKey(districtCode))
        {
            districtCode = null;
        }

        var city = organisation.CityCode;
        string? lead = null;
        var platformLevel = Level.City;
        var platform = city;

        switch (matter.LeadLevel)
        {
            case Level.City:
                lead = matter.CityUnit is null ? null : Existing($"{city}-{matter.CityUnit}");
                reasons.Add(lead is null
                    ? $"事项「{matter.Name}」由市级牵头，但未指定市级部门，由市平台分拨"
                    : $"事项「{matter.Name}」由市级牵头：{Name(lead)}");
                break;

            case Level.District when districtCode is null:
                reasons.Add($"事项「{matter.Name}」由区级属地牵头，但诉求地点未能确定到区，由市平台人工分拨");
                break;

            case Level.District:
                platformLevel = Level.District;
                platform = districtCode;
                lead = matter.DistrictUnit is null ? null : Existing($"{districtCode}-{matter.DistrictUnit}");
                reasons.Add(lead is null
                    ? $"事项「{matter.Name}」按属地原则由{Name(districtCode)}负责，由区平台确定承办单位"
                    : $"事项「{matter.Name}」按属地原则由{Name(districtCode)}的{Name(lead)}牵头");
                break;

            case Level.Street when streetCode is not null:
                platformLevel = Level.District;
                platform = districtCode!;
                lead = streetCode;
                reasons.Add($"事项「{matter.Name}」按属地原则由{Name(streetCode)}牵头，{Name(platform)}平台派发");
                break;

            case Level.Street when districtCode is not null:
                platformLevel = Level.District;
                platform = districtCode;
                reasons.Add($"事项「{matter.Name}」由街道属地牵头，地点只确定到{Name(districtCode)}，由区平台派至街道");
                break;

            default:
                reasons.Add($"事项「{matter.Name}」由街道属地牵头，但诉求地点未能确定，由市平台人工分拨");
                break;
        }

        var co = new List<string>();
        foreach (var entry in matter.CoHandling)
        {
            string? unit;
            if (entry == Matter.StreetOffice)
            {
                unit = streetCode;
                if (unit is null)
                {
                    reasons.Add("协办街道未能确定（地点未到街道）");
                    continue;
                }
            }
            else
            {
                unit = matter.LeadLevel != Level.City && districtCode is not null
                    ? Existing($"{districtCode}-{entry}") ?? Existing($"{city}-{entry}")
                    : Existing($"{city}-{entry}");
                if (unit is null)
                {
                    reasons.Add($"协办部门 {entry} 在本市组织架构中不存在，已略过");
                    continue;
                }
            }

            if (unit != lead && !co.Contains(unit))
            {
                co.Add(unit);
            }
        }

        if (co.Count > 0)
        {
            reasons.Add($"协办：{string.Join("、", co.Select(Name))}");
        }

        return new UnitDecision(platformLevel, platform, lead, co, reasons);
    }
}
