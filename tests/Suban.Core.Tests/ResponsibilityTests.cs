using Suban.Core.Catalogue;

namespace Suban.Core.Tests;

public sealed class ResponsibilityTests
{
    private static readonly OrganisationMap Shenzhen = new(
        "440300",
        new Dictionary<string, string>
        {
            ["440300"] = "深圳市民意速办平台",
            ["440300-ZJ"] = "深圳市住房和建设局",
            ["440300-JT"] = "深圳市交通运输局",
            ["440300-SJ"] = "深圳市市场监督管理局",
            ["440304"] = "福田区",
            ["440304-ZJ"] = "福田区住房和建设局",
            ["440304-SJ"] = "深圳市市场监督管理局福田监管局",
            ["440304004"] = "福田街道",
            ["440305"] = "南山区",
        },
        new Dictionary<string, string> { ["440304004"] = "440304" });

    private static Matter Matter(Level lead, string? city = "ZJ", string? district = "ZJ", params string[] co) =>
        new("01.01.001", "住房与物业", "物业服务", "物业服务不到位", city, district, true, lead, true, co, new TimeLimits(3, 10, 15, 5), null, ["物业"], ["物业不管事", "保安不在岗", "楼道没人扫"]);

    public static TheoryData<Level, string?, string?, string, string?, string[]> Cases() => new()
    {
        // lead level, district, street → platform, lead, co-handlers
        { Level.Street, "440304", "440304004", "440304", "440304004", ["440304-ZJ"] },
        { Level.Street, null, "440304004", "440304", "440304004", ["440304-ZJ"] },
        { Level.Street, "440304", null, "440304", null, ["440304-ZJ"] },
        { Level.Street, null, null, "440300", null, ["440300-ZJ"] },
        { Level.District, "440304", "440304004", "440304", "440304-ZJ", ["440304004"] },
        { Level.District, "440304", null, "440304", "440304-ZJ", [] },
        { Level.District, null, null, "440300", null, [] },
        { Level.City, "440304", "440304004", "440300", "440300-ZJ", ["440300-SJ", "440304004"] },
        { Level.City, null, null, "440300", "440300-ZJ", ["440300-SJ"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decide_ByLevelAndPlace_UnitsAndPlatform(Level lead, string? district, string? street, string platform, string? leadUnit, string[] co)
    {
        var coHandling = lead switch
        {
            Level.City => new[] { "SJ", Catalogue.Matter.StreetOffice },
            Level.District => [Catalogue.Matter.StreetOffice],
            _ => ["ZJ"],
        };
        var decision = Responsibility.Decide(Matter(lead, co: coHandling), district, street, Shenzhen);

        decision.PlatformUnitCode.ShouldBe(platform);
        decision.LeadUnitCode.ShouldBe(leadUnit);
        decision.CoUnitCodes.ShouldBe(co);
        decision.NeedsDispatcher.ShouldBe(leadUnit is null);
        decision.Reasons.ShouldNotBeEmpty();
    }

    [Fact]
    public void Decide_Territorial_ExplainsInWords()
    {
        var decision = Responsibility.Decide(Matter(Level.Street, co: "ZJ"), "440304", "440304004", Shenzhen);
        decision.Reasons[0].ShouldContain("属地");
        decision.Reasons[0].ShouldContain("福田街道");
        decision.Reasons[^1].ShouldBe("协办：福田区住房和建设局");
    }

    [Fact]
    public void Decide_StreetContradictsDistrict_TheStreetWins()
    {
        Responsibility.Decide(Matter(Level.District), "440305", "440304004", Shenzhen).LeadUnitCode.ShouldBe("440304-ZJ");
    }

    [Fact]
    public void Decide_DistrictWithoutThatBureau_DistrictPlatformDecides()
    {
        var decision = Responsibility.Decide(Matter(Level.District, district: "ZJ"), "440305", null, Shenzhen);
        decision.PlatformUnitCode.ShouldBe("440305");
        decision.LeadUnitCode.ShouldBeNull();
    }

    [Fact]
    public void Decide_UnknownCoHandlingDepartment_SkippedWithAReason()
    {
        var decision = Responsibility.Decide(Matter(Level.City, co: "XX"), null, null, Shenzhen);
        decision.CoUnitCodes.ShouldBeEmpty();
        decision.Reasons.ShouldContain(r => r.Contains("XX"));
    }

    [Fact]
    public void Snapshot_RetiredAndMerged_FollowsTheMergeAndEndsAtRetired()
    {
        var a = Matter(Level.Street);
        var b = a with { Code = "01.01.002", Name = "物业保洁不到位" };
        var c = a with { Code = "01.01.003", Name = "物业保安缺位" };
        var (next, errors) = new CatalogueSnapshot([a, b, c]).Apply([new CatalogueEdit.Merge("01.01.002", "01.01.001"), new CatalogueEdit.Retire("01.01.003")]);

        errors.ShouldBeEmpty();
        next!.Current("01.01.002")!.Code.ShouldBe("01.01.001");
        next.Current("01.01.003").ShouldBeNull();
        next["01.01.003"]!.Retired.ShouldBeTrue();
        next.Active.Count().ShouldBe(1);
    }

    [Fact]
    public void Snapshot_BadEdits_NamedAndNothingApplied()
    {
        var a = Matter(Level.Street);
        var (next, errors) = new CatalogueSnapshot([a]).Apply(
        [
            new CatalogueEdit.Rename("01.01.001", "新名称"),
            new CatalogueEdit.Add(a),
            new CatalogueEdit.Merge("01.01.001", "01.01.001"),
            new CatalogueEdit.Retire("99.99.999"),
            new CatalogueEdit.Add(a with { Code = "1.1.1", Limits = new TimeLimits(0, 10, 15, 5) }),
        ]);

        next.ShouldBeNull();
        errors.Select(e => (e.Index, e.Field)).ShouldBe([(1, "code"), (2, "into"), (3, "code"), (4, "code"), (4, "limits")]);
    }

    [Fact]
    public void Diff_NamesTheChangedFields()
    {
        var a = Matter(Level.Street);
        var changed = a with { Name = "改名", Limits = a.Limits with { Complaint = 5 }, Examples = ["甲", "乙", "丙"] };
        var added = a with { Code = "01.01.009" };
        var diff = CatalogueDiff.Between([a], [changed, added]);
        diff.Single(d => d.Kind == ChangeKind.Changed).Fields.ShouldBe(["name", "limits", "examples"]);
        diff.Single(d => d.Kind == ChangeKind.Added).Code.ShouldBe("01.01.009");
        CatalogueDiff.Between([a], [a with { Examples = a.Examples.ToList() }]).ShouldBeEmpty();
    }
}
