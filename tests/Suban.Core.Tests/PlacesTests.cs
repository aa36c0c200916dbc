using System.Text;
using Suban.Core.Places;

namespace Suban.Core.Tests;

public sealed class PlacesTests
{
    private const string DP = "440307DP";

    /// <summary>A slice of the city, real names, small enough to read: each name is here for a clash a test needs.</summary>
    private static readonly Gazetteer City = new(
        [
            new District("440303", "罗湖区", "罗湖", []),
            new District("440304", "福田区", "福田", []),
            new District("440305", "南山区", "南山", []),
            new District("440306", "宝安区", "宝安", []),
            new District("440307", "龙岗区", "龙岗", []),
            new District("440308", "盐田区", "盐田", []),
            new District("440309", "龙华区", "龙华", ["龙华新区"]),
            new District("440310", "坪山区", "坪山", ["坪山新区"]),
            new District("440311", "光明区", "光明", ["光明新区"]),
            new District(DP, "大鹏新区", "大鹏", []),
        ],
        [
            new Street("440303003", "东门街道", "440303"),
            new Street("440303006", "笋岗街道", "440303"),
            new Street("440303002", "黄贝街道", "440303"),
            new Street("440304004", "福田街道", "440304"),
            new Street("440304005", "沙头街道", "440304"),
            new Street("440304007", "梅林街道", "440304"),
            new Street("440304008", "莲花街道", "440304"),
            new Street("440304009", "华富街道", "440304"),
            new Street("440305002", "南山街道", "440305"),
            new Street("440305003", "沙河街道", "440305"),
            new Street("440306018", "西乡街道", "440306"),
            new Street("440306020", "福永街道", "440306"),
            new Street("440307003", "平湖街道", "440307"),
            new Street("440307016", "龙岗街道", "440307"),
            new Street("440307009", "葵涌街道", DP),
            new Street("440307010", "大鹏街道", DP),
            new Street("440307011", "南澳街道", DP),
            new Street("440308003", "沙头角街道", "440308"),
            new Street("440309002", "民治街道", "440309"),
            new Street("440309003", "龙华街道", "440309"),
            new Street("440310001", "坪山街道", "440310"),
            new Street("440311001", "光明街道", "440311"),
            new Street("440311004", "凤凰街道", "440311"),
        ],
        [
            new Place("梅林一村", "estate", "440304007"),
            new Place("上梅林站", "station", "440304007"),
            new Place("莲花一村", "estate", "440304009"),
            new Place("洪湖公园", "park", "440303006"),
            new Place("凤凰路", "road", "440303002"),
            new Place("凤凰古村", "landmark", "440306020"),
            new Place("宝安北路", "road", "440303006"),
            new Place("南山区人民医院", "hospital", "440305003"),
            new Place("深圳大学", "school", "440305003"),
            new Place("光明社区", "community", "440311001"),
            new Place("较场尾", "landmark", "440307010"),
            new Place("中心公园", "park", "440304008"),
            new Place("中心公园", "park", "440306018"),
        ]);

    private static readonly AddressResolver Resolver = new(City);

    [Theory]
    [InlineData("福田区", "440304", null, PlaceConfidence.District)]
    [InlineData("福田街道", "440304", "440304004", PlaceConfidence.Street)]
    [InlineData("福田区福田街道", "440304", "440304004", PlaceConfidence.Street)]
    [InlineData("福田梅林那边", "440304", "440304007", PlaceConfidence.Street)]
    [InlineData("龙岗平湖", "440307", "440307003", PlaceConfidence.Street)]
    [InlineData("南山沙河街道", "440305", "440305003", PlaceConfidence.Street)]
    [InlineData("福田区福田口岸", "440304", "440304004", PlaceConfidence.Street)]
    [InlineData("龙岗区龙岗街道", "440307", "440307016", PlaceConfidence.Street)]
    [InlineData("福田区沙头街道", "440304", "440304005", PlaceConfidence.Street)]
    [InlineData("沙头角", "440308", "440308003", PlaceConfidence.Street)]
    public void Resolve_DistrictAndStreetShareAName_LongestNameDecides(string address, string? district, string? street, PlaceConfidence confidence)
    {
        var result = Resolver.Resolve(address);

        (result.DistrictCode, result.StreetCode, result.Confidence).ShouldBe((district, street, confidence), result.Reason);
    }

    [Theory]
    [InlineData("福田口岸出来", "440304", "440304", "440304004")]
    [InlineData("龙岗", "440307", "440307", "440307016")]
    [InlineData("大鹏", DP, DP, "440307010")]
    [InlineData("光明", "440311", "440311", "440311001")]
    public void Resolve_BareSharedName_AmbiguousBetweenDistrictAndStreet(string address, string district, string candidate1, string candidate2)
    {
        var result = Resolver.Resolve(address);

        result.Confidence.ShouldBe(PlaceConfidence.Ambiguous, result.Reason);
        result.StreetCode.ShouldBeNull();
        result.DistrictCode.ShouldBe(district);
        result.Candidates.ShouldBe(new[] { candidate1, candidate2 });
    }

    [Theory]
    [InlineData("罗湖区福田区", new[] { "440303", "440304" }, "names two districts")]
    [InlineData("南山福田", new[] { "440304", "440305" }, "names two districts")]
    [InlineData("中心公园", new[] { "440304008", "440306018" }, "place names lie in 2 streets")]
    [InlineData("东门笋岗", new[] { "440303003", "440303006" }, "short street names point to 2 streets")]
    public void Resolve_ConflictingNames_AmbiguousWithCandidates(string address, string[] candidates, string reason)
    {
        var result = Resolver.Resolve(address);

        result.Confidence.ShouldBe(PlaceConfidence.Ambiguous);
        result.Candidates.ShouldBe(candidates);
        result.Reason.ShouldBe(reason);
    }

    [Fact]
    public void Resolve_ShortStreetNamesInOneDistrict_AmbiguousButDistrictKnown()
    {
        Resolver.Resolve("东门笋岗").DistrictCode.ShouldBe("440303");
    }

    [Theory]
    [InlineData("龙华新区", "440309", null, PlaceConfidence.District)]
    [InlineData("龙华新区民治街道", "440309", "440309002", PlaceConfidence.Street)]
    [InlineData("坪山新区坪山街道", "440310", "440310001", PlaceConfidence.Street)]
    [InlineData("光明新区", "440311", null, PlaceConfidence.District)]
    [InlineData("宝安区光明新区", "440311", null, PlaceConfidence.District)]
    [InlineData("宝安区龙华街道", "440309", "440309003", PlaceConfidence.Street)]
    [InlineData("龙岗区坪山街道", "440310", "440310001", PlaceConfidence.Street)]
    public void Resolve_FormerNamesAndRedrawnDistricts_TodaysDistrict(string address, string? district, string? street, PlaceConfidence confidence)
    {
        var result = Resolver.Resolve(address);

        (result.DistrictCode, result.StreetCode, result.Confidence).ShouldBe((district, street, confidence), result.Reason);
    }

    [Fact]
    public void Resolve_FullStreetInAnotherDistrict_TrustedAndExplained()
    {
        Resolver.Resolve("宝安区龙华街道").Reason.ShouldBe("street 龙华街道 named; it lies in 龙华区, not the named 宝安区");
    }

    [Theory]
    [InlineData("福田区凤凰那边", "440304", null, PlaceConfidence.District)]
    [InlineData("光明区凤凰", "440311", "440311004", PlaceConfidence.Street)]
    [InlineData("凤凰", "440311", "440311004", PlaceConfidence.Street)]
    [InlineData("福田西乡", "440304", null, PlaceConfidence.District)]
    public void Resolve_ShortStreetAgainstNamedDistrict_DistrictKept(string address, string? district, string? street, PlaceConfidence confidence)
    {
        var result = Resolver.Resolve(address);

        (result.DistrictCode, result.StreetCode, result.Confidence).ShouldBe((district, street, confidence), result.Reason);
    }

    [Theory]
    [InlineData("葵涌", DP, "440307009")]
    [InlineData("龙岗区葵涌街道", DP, "440307009")]
    [InlineData("龙岗区南澳", DP, "440307011")]
    [InlineData("大鹏新区大鹏街道", DP, "440307010")]
    [InlineData("大鹏新区大鹏街道较场尾", DP, "440307010")]
    [InlineData("龙岗区大鹏新区", DP, null)]
    [InlineData("大鹏新区", DP, null)]
    public void Resolve_DapengNewArea_ItsOwnDistrict(string address, string district, string? street)
    {
        var result = Resolver.Resolve(address);

        (result.DistrictCode, result.StreetCode).ShouldBe((district, street), result.Reason);
    }

    [Theory]
    [InlineData("梅林一村32栋", "440304007", "place 梅林一村 lies in 梅林街道")]
    [InlineData("上梅林地铁站", "440304007", "place 上梅林地铁站 lies in 梅林街道")]
    [InlineData("莲花一村", "440304009", "place 莲花一村 lies in 华富街道")]
    [InlineData("洪湖公园东门", "440303006", "place 洪湖公园 lies in 笋岗街道")]
    [InlineData("罗湖区黄贝街道凤凰路", "440303002", "street 黄贝街道 named")]
    [InlineData("宝安北路3008号", "440303006", "place 宝安北路 lies in 笋岗街道")]
    [InlineData("南山区人民医院", "440305003", "place 南山区人民医院 lies in 沙河街道")]
    [InlineData("深圳大学", "440305003", "place 深圳大学 lies in 沙河街道")]
    [InlineData("光明社区", "440311001", "place 光明社区 lies in 光明街道")]
    [InlineData("深圳市宝安区福永街道凤凰社区凤凰古村", "440306020", "street 福永街道 named")]
    [InlineData("福田区凤凰古村", "440306020", "place 凤凰古村 lies in 福永街道; it lies in 宝安区, not the named 福田区")]
    [InlineData("梅林一村 ３２栋", "440304007", "place 梅林一村 lies in 梅林街道")]
    [InlineData("梅林 一村", "440304007", "place 梅林一村 lies in 梅林街道")]
    public void Resolve_Place_ItsStreet(string address, string street, string reason)
    {
        var result = Resolver.Resolve(address);

        result.StreetCode.ShouldBe(street, result.Reason);
        result.Confidence.ShouldBe(PlaceConfidence.Street);
        result.Reason.ShouldBe(reason);
        result.DistrictCode.ShouldBe(City.Streets[street].DistrictCode);
    }

    [Theory]
    [InlineData(null, "no address")]
    [InlineData("", "no address")]
    [InlineData("   ", "no address")]
    [InlineData("我家楼下", "names nothing known")]
    [InlineData("深圳市", "names only the city")]
    [InlineData("深圳", "names only the city")]
    [InlineData("广州市天河区体育西路", "names another city (广州市)")]
    [InlineData("东莞市凤岗镇", "names another city (东莞市)")]
    [InlineData("北京市海淀区中关村", "names another city (北京市)")]
    [InlineData("广东省中山市石岐区", "names another city (中山市)")]
    [InlineData("东莞市南山路", "names another city (东莞市)")]
    [InlineData("香港旺角", "names another city (香港)")]
    [InlineData("😀😀。，、", "names nothing known")]
    public void Resolve_NothingInShenzhen_None(string? address, string reason)
    {
        var result = Resolver.Resolve(address);

        result.ShouldBe(new PlaceResolution(null, null, PlaceConfidence.None, result.Candidates, reason));
        result.Candidates.ShouldBeEmpty();
    }

    [Fact]
    public void Resolve_ShenzhenAndAnotherCity_ShenzhenAddressKept()
    {
        Resolver.Resolve("深圳市龙岗区平湖街道（近东莞市）").StreetCode.ShouldBe("440307003");
    }

    [Fact]
    public void Resolve_VeryLongText_StillFindsTheNames()
    {
        var text = string.Concat(Enumerable.Repeat("路边", 500)) + "梅林一村" + string.Concat(Enumerable.Repeat("楼下", 500));

        Resolver.Resolve(text).StreetCode.ShouldBe("440304007");
    }

    [Fact]
    public void Gazetteer_StreetInUnknownDistrict_Refused()
    {
        Should.Throw<ArgumentException>(() => new Gazetteer([], [new Street("1", "某街道", "9")], []))
            .Message.ShouldContain("unknown district 9");
    }

    [Fact]
    public void Street_ShortName_WithoutJiedao()
    {
        new Street("440304004", "福田街道", "440304").ShortName.ShouldBe("福田");
    }

    /// <summary>The project's own gazetteer and test set, from data/ in the repository.</summary>
    [Fact]
    public void Resolve_ProjectAddressTestSet_AtLeastNinetyPercentRight()
    {
        var data = Path.Combine(RepositoryRoot(), "data");
        var former = ReadCsv(Path.Combine(data, "organisation", "former-district-names.csv")).ToLookup(r => r["district_code"], r => r["former_name"]);
        var gazetteer = new Gazetteer(
            ReadCsv(Path.Combine(data, "organisation", "districts.csv")).Select(r => new District(r["code"], r["name"], r["short_name"], former[r["code"]].ToList())),
            ReadCsv(Path.Combine(data, "organisation", "streets.csv")).Select(r => new Street(r["code"], r["name"], r["district_code"])),
            ReadCsv(Path.Combine(data, "gazetteer", "places.csv")).Select(r => new Place(r["name"], r["kind"], r["street_code"])));
        var examples = ReadCsv(Path.Combine(data, "gazetteer", "address-testset.csv"))
            .Select(r => new AddressExample(r["address"], Empty(r["district_code"]), Empty(r["street_code"]), r["note"]))
            .ToList();

        var report = AddressEvaluation.Evaluate(new AddressResolver(gazetteer), examples);

        examples.Count.ShouldBeGreaterThan(500);
        report.Accuracy.ShouldBeGreaterThanOrEqualTo(
            0.90,
            string.Join("\n", report.Misses.Select(m => $"{m.Example.Address}: {m.Resolution.DistrictCode}/{m.Resolution.StreetCode} {m.Resolution.Reason}")));
    }

    [Theory]
    [InlineData("440304", "440304004", "440304", "440304004", true)]
    [InlineData("440304", null, "440304", null, true)]
    [InlineData("440304", null, "440304", "440304004", false)]
    [InlineData(null, null, "440304", null, false)]
    [InlineData(null, null, null, null, true)]
    public void IsRight_BothCodesMustMatch(string? expectedDistrict, string? expectedStreet, string? district, string? street, bool right)
    {
        var example = new AddressExample("x", expectedDistrict, expectedStreet, "");
        var resolution = new PlaceResolution(district, street, PlaceConfidence.Street, [], "");

        AddressEvaluation.IsRight(example, resolution).ShouldBe(right);
    }

    private const string Square = """{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}""";

    private const string SquareWithHole = """{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]}""";

    private const string TwoIslands = """{"type":"MultiPolygon","coordinates":[[[[20,0],[22,0],[22,2],[20,2],[20,0]]],[[[30,0],[33,0],[30,3],[30,0]]]]}""";

    private static string Collection(params (string Code, string Geometry)[] features) =>
        "{\"type\":\"FeatureCollection\",\"features\":[" + string.Join(",", features.Select(Feature)) + "]}";

    private static string Feature((string Code, string Geometry) f) =>
        "{\"type\":\"Feature\",\"properties\":{\"code\":" + f.Code + "},\"geometry\":" + f.Geometry + "}";

    [Theory]
    [InlineData(5, 5, "\"sq\"")]
    [InlineData(0.001, 9.999, "\"sq\"")]
    [InlineData(10.001, 5, null)]
    [InlineData(-1, 5, null)]
    [InlineData(5, 10.5, null)]
    [InlineData(double.NaN, 5, null)]
    public void Locate_Square_InsideOnly(double longitude, double latitude, string? code)
    {
        var set = Boundaries.Parse(Collection(("\"sq\"", Square)), "code");

        set.Locate(longitude, latitude).ShouldBe(code?.Trim('"'));
    }

    [Theory]
    [InlineData(2, 2, "hole")]
    [InlineData(5, 5, null)]
    [InlineData(4.5, 5.9, null)]
    [InlineData(3.9, 5, "hole")]
    [InlineData(6.1, 5, "hole")]
    public void Locate_PolygonWithHole_HoleIsOutside(double longitude, double latitude, string? code)
    {
        Boundaries.Parse(Collection(("\"hole\"", SquareWithHole)), "code").Locate(longitude, latitude).ShouldBe(code);
    }

    [Theory]
    [InlineData(21, 1, "7")]
    [InlineData(30.5, 0.5, "7")]
    [InlineData(32, 2, null)]
    [InlineData(25, 1, null)]
    [InlineData(5, 5, "8")]
    public void Locate_MultiPolygon_AnyPartCounts(double longitude, double latitude, string? code)
    {
        var set = Boundaries.Parse(Collection(("7", TwoIslands), ("8", Square)), "code");

        set.Locate(longitude, latitude).ShouldBe(code);
    }

    [Theory]
    [InlineData("440304", "440304")]
    [InlineData("\"440304\"", "440304")]
    [InlineData("\"福田区\"", "福田区")]
    public void Parse_NumberOrStringCode_ReturnedAsString(string json, string code)
    {
        var set = Boundaries.Parse(Collection((json, Square)), "code");

        set.Codes.ShouldBe(new[] { code });
        set.Locate(5, 5).ShouldBe(code);
    }

    [Fact]
    public void Locate_OverlappingFeatures_FirstWins()
    {
        Boundaries.Parse(Collection(("1", Square), ("2", Square)), "code").Locate(5, 5).ShouldBe("1");
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"type":"Feature"}""", "must be a FeatureCollection")]
    [InlineData("""{"type":"FeatureCollection"}""", "no \"features\" array")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}""", "Feature 0 has no property \"code\"")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":true},"geometry":null}]}""", "must be a string or a number")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":1},"geometry":null}]}""", "Feature 0 (1) has no geometry")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":1},"geometry":{"type":"Point","coordinates":[1,2]}}]}""", "geometry type Point is not Polygon or MultiPolygon")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":1},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}]}""", "at least four positions")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":1},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}]}""", "must end at the position it starts from")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":1},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,"x"],[1,1],[0,0]]]}}]}""", "position 1 is not [longitude, latitude]")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":1},"geometry":{"type":"MultiPolygon","coordinates":[]}}]}""", "MultiPolygon has no polygons")]
    public void Parse_InvalidGeoJson_FormatExceptionSaysWhy(string json, string message)
    {
        Should.Throw<FormatException>(() => Boundaries.Parse(json, "code")).Message.ShouldContain(message);
    }

    private static string? Empty(string value) => value.Length == 0 ? null : value;

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Suban.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Suban.slnx above {AppContext.BaseDirectory}.");
    }

    /// <summary>RFC 4180 as the seed files use it: quoted fields may hold commas and doubled quotes.</summary>
    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var records = new List<List<string>>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var text = File.ReadAllText(path, Encoding.UTF8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                records.Add(fields);
                fields = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add(fields);
        }

        var header = records[0];
        return records.Skip(1)
            .Where(r => r.Count > 1 || r[0].Length > 0)
            .Select(r => header.Select((h, i) => (h, v: i < r.Count ? r[i] : "")).ToDictionary(p => p.h, p => p.v))
            .ToList();
    }
}
