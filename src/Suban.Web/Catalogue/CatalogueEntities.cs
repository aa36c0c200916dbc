using System.Text.Json;
using Suban.Core.Catalogue;

namespace Suban.Web.Catalogue;

/// <summary>A version of the responsibility list: a full snapshot, in force from <see cref="EffectiveAt"/>.</summary>
public sealed class CatalogueVersion
{
    public int Id { get; set; }

    public int Number { get; set; }

    public DateTime EffectiveAt { get; set; }

    public DateTime CreatedAt { get; set; }

    public string? CreatedByUserId { get; set; }

    public string? Note { get; set; }
}

/// <summary>A matter as stored in one version; lists are JSON text so both providers store them alike.</summary>
public sealed class CatalogueEntry
{
    public long Id { get; set; }

    public int VersionId { get; set; }

    public required string Code { get; set; }

    public required string Category { get; set; }

    public required string SubCategory { get; set; }

    public required string Name { get; set; }

    public string? CityUnit { get; set; }

    public string? DistrictUnit { get; set; }

    public bool StreetUnit { get; set; }

    public Level LeadLevel { get; set; }

    public bool Territorial { get; set; }

    public required string CoHandling { get; set; }

    public int LimitConsultation { get; set; }

    public int LimitComplaint { get; set; }

    public int LimitSuggestion { get; set; }

    public int LimitHelp { get; set; }

    public string? InstantAnswer { get; set; }

    public required string Keywords { get; set; }

    public required string Examples { get; set; }

    public bool Retired { get; set; }

    public string? MergedInto { get; set; }

    public Matter ToMatter() => new(
        Code, Category, SubCategory, Name, CityUnit, DistrictUnit, StreetUnit, LeadLevel, Territorial,
        List(CoHandling), new TimeLimits(LimitConsultation, LimitComplaint, LimitSuggestion, LimitHelp),
        InstantAnswer, List(Keywords), List(Examples), Retired, MergedInto);

    public static CatalogueEntry From(Matter m, int versionId) => new()
    {
        VersionId = versionId,
        Code = m.Code,
        Category = m.Category,
        SubCategory = m.SubCategory,
        Name = m.Name,
        CityUnit = m.CityUnit,
        DistrictUnit = m.DistrictUnit,
        StreetUnit = m.StreetUnit,
        LeadLevel = m.LeadLevel,
        Territorial = m.Territorial,
        CoHandling = JsonSerializer.Serialize(m.CoHandling),
        LimitConsultation = m.Limits.Consultation,
        LimitComplaint = m.Limits.Complaint,
        LimitSuggestion = m.Limits.Suggestion,
        LimitHelp = m.Limits.Help,
        InstantAnswer = m.InstantAnswer,
        Keywords = JsonSerializer.Serialize(m.Keywords),
        Examples = JsonSerializer.Serialize(m.Examples),
        Retired = m.Retired,
        MergedInto = m.MergedInto,
    };

    private static List<string> List(string json) => JsonSerializer.Deserialize<List<string>>(json) ?? [];
}

/// <summary>Who changed what, when: the list's editors, imports, boundary uploads.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    public string? UserId { get; set; }

    public required string Action { get; set; }

    public required string Subject { get; set; }

    public string? Detail { get; set; }
}
