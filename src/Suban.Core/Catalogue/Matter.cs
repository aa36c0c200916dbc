using Suban.Core.Lifecycle;

namespace Suban.Core.Catalogue;

public enum Level
{
    City,
    District,
    Street,
}

/// <summary>Handling time limits of a matter, in working days, by request type.</summary>
public sealed record TimeLimits(int Consultation, int Complaint, int Suggestion, int Help)
{
    public int For(RequestType type) => type switch
    {
        RequestType.Consultation => Consultation,
        RequestType.Complaint => Complaint,
        RequestType.Suggestion => Suggestion,
        _ => Help,
    };
}

/// <summary>
/// A leaf of the responsibility list (事项): who is responsible at each level, who leads, who co-handles, how long
/// they have, and how citizens word it.
/// </summary>
/// <param name="CityUnit">Department code responsible at city level, if any (e.g. <c>ZJ</c>).</param>
/// <param name="DistrictUnit">Department code whose district counterpart is responsible at district level, if any.</param>
/// <param name="StreetUnit">Whether the street office is responsible at street level.</param>
/// <param name="CoHandling">Department codes, or <c>street</c>, that handle their part in parallel.</param>
public sealed record Matter(
    string Code,
    string Category,
    string SubCategory,
    string Name,
    string? CityUnit,
    string? DistrictUnit,
    bool StreetUnit,
    Level LeadLevel,
    bool Territorial,
    IReadOnlyList<string> CoHandling,
    TimeLimits Limits,
    string? InstantAnswer,
    IReadOnlyList<string> Keywords,
    IReadOnlyList<string> Examples,
    bool Retired = false,
    string? MergedInto = null)
{
    public const string StreetOffice = "street";

    /// <summary>Field-by-field equality (records compare lists by reference).</summary>
    public bool SameAs(Matter other) =>
        this with { CoHandling = [], Keywords = [], Examples = [] } == other with { CoHandling = [], Keywords = [], Examples = [] }
        && CoHandling.SequenceEqual(other.CoHandling)
        && Keywords.SequenceEqual(other.Keywords)
        && Examples.SequenceEqual(other.Examples);

    public static bool IsWellFormedCode(string? code) =>
        code is { Length: 9 } && char.IsAsciiDigit(code[0]) && char.IsAsciiDigit(code[1]) && code[2] == '.'
        && char.IsAsciiDigit(code[3]) && char.IsAsciiDigit(code[4]) && code[5] == '.'
        && char.IsAsciiDigit(code[6]) && char.IsAsciiDigit(code[7]) && char.IsAsciiDigit(code[8]);
}

public enum ChangeKind
{
    Added,
    Removed,
    Changed,
}

public sealed record MatterChange(string Code, ChangeKind Kind, IReadOnlyList<string> Fields, Matter? Before, Matter? After);

public static class CatalogueDiff
{
    /// <summary>What changed from <paramref name="before"/> to <paramref name="after"/>, by matter code.</summary>
    public static IReadOnlyList<MatterChange> Between(IEnumerable<Matter> before, IEnumerable<Matter> after)
    {
        var old = before.ToDictionary(m => m.Code);
        var @new = after.ToDictionary(m => m.Code);
        var changes = new List<MatterChange>();
        foreach (var code in old.Keys.Union(@new.Keys).Order(StringComparer.Ordinal))
        {
            old.TryGetValue(code, out var a);
            @new.TryGetValue(code, out var b);
            if (a is null)
            {
                changes.Add(new MatterChange(code, ChangeKind.Added, [], null, b));
            }
            else if (b is null)
            {
                changes.Add(new MatterChange(code, ChangeKind.Removed, [], a, null));
            }
            else if (!a.SameAs(b))
            {
                changes.Add(new MatterChange(code, ChangeKind.Changed, ChangedFields(a, b), a, b));
            }
        }

        return changes;
    }

    private static List<string> ChangedFields(Matter a, Matter b)
    {
        var fields = new List<string>();
        void Check(string name, bool same)
        {
            if (!same)
            {
                fields.Add(name);
            }
        }

        Check("category", a.Category == b.Category);
        Check("subCategory", a.SubCategory == b.SubCategory);
        Check("name", a.Name == b.Name);
        Check("cityUnit", a.CityUnit == b.CityUnit);
        Check("districtUnit", a.DistrictUnit == b.DistrictUnit);
        Check("streetUnit", a.StreetUnit == b.StreetUnit);
        Check("leadLevel", a.LeadLevel == b.LeadLevel);
        Check("territorial", a.Territorial == b.Territorial);
        Check("coHandling", a.CoHandling.SequenceEqual(b.CoHandling));
        Check("limits", a.Limits == b.Limits);
        Check("instantAnswer", a.InstantAnswer == b.InstantAnswer);
        Check("keywords", a.Keywords.SequenceEqual(b.Keywords));
        Check("examples", a.Examples.SequenceEqual(b.Examples));
        Check("retired", a.Retired == b.Retired);
        Check("mergedInto", a.MergedInto == b.MergedInto);
        return fields;
    }
}
