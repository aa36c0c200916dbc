using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using Suban.Core.Lifecycle;
using Suban.Web.Infrastructure;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

/// <summary>
/// Open311 GeoReport v2 through the real pipeline. JSON answers are checked against the rules of the published
/// schemas (open311/schema-validation, georeport-v2: service, services, service-definition, request, requests),
/// copied here as code; XML answers against the element names of the specification's field lists.
/// </summary>
public sealed partial class Open311Tests(Apps apps) : IClassFixture<Apps>
{
    private const string Territorial = "01.01.001";          // 物业服务不到位: territorial, no instant answer
    private const string WithInstantAnswer = "01.03.001";    // 维修资金查询: city level, has an instant answer
    private const string Address = "深圳市福田区福田街道福华路";

    private static readonly string[] ServiceFields = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"];
    private static readonly string[] AttributeFields = ["variable", "code", "datatype", "required", "datatype_description", "order", "description"];
    private static readonly string[] RequestFields =
    [
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible", "service_notice",
        "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
    ];

    private static readonly string[] Datatypes = ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"];

    private static async Task<string> PartnerKeyAsync(SubanApp app, string name = "街坊随手拍")
    {
        var admin = await app.ClientAsync(Roles.Administrator, "440300");
        var response = await admin.PostAsJsonAsync("/api/v1/partners", new { name });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetString()!;
    }

    private static Dictionary<string, string> Form(string? apiKey, string serviceCode = Territorial, params (string Key, string Value)[] extra)
    {
        var form = new Dictionary<string, string>
        {
            ["service_code"] = serviceCode,
            ["address_string"] = Address,
            ["description"] = "楼道垃圾一周没人清理，气味很大",
        };
        if (apiKey is not null)
        {
            form["api_key"] = apiKey;
        }

        foreach (var (key, value) in extra)
        {
            form[key] = value;
        }

        return form;
    }

    private static Task<HttpResponseMessage> PostAsync(SubanApp app, Dictionary<string, string> form, string format = "json") =>
        app.CreateClient().PostAsync($"/open311/v2/requests.{format}", new FormUrlEncodedContent(form));

    private static async Task<string> PostOkAsync(SubanApp app, Dictionary<string, string> form)
    {
        var response = await PostAsync(app, form);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await JsonAsync(response))[0].GetProperty("service_request_id").GetString()!;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        response.Content.Headers.ContentType.CharSet.ShouldBe("utf-8");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static async Task<XDocument> XmlAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/xml");
        response.Content.Headers.ContentType.CharSet.ShouldBe("utf-8");
        var text = await response.Content.ReadAsStringAsync();
        var document = XDocument.Parse(text);
        document.Declaration!.Encoding.ShouldBe("utf-8", StringCompareShould.IgnoreCase);
        return document;
    }

    private static async Task<JsonElement> GetJsonAsync(SubanApp app, string path, HttpStatusCode status = HttpStatusCode.OK)
    {
        var response = await app.CreateClient().GetAsync(path);
        response.StatusCode.ShouldBe(status, await response.Content.ReadAsStringAsync());
        return await JsonAsync(response);
    }

    private static async Task<XDocument> GetXmlAsync(SubanApp app, string path, HttpStatusCode status = HttpStatusCode.OK)
    {
        var response = await app.CreateClient().GetAsync(path);
        response.StatusCode.ShouldBe(status, await response.Content.ReadAsStringAsync());
        return await XmlAsync(response);
    }

    // The schemas' rules, by hand: required fields, types, enums, formats.

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTime3339();

    private static JsonElement Required(JsonElement o, string name, JsonValueKind kind)
    {
        o.TryGetProperty(name, out var value).ShouldBeTrue($"'{name}' is required: {o}");
        value.ValueKind.ShouldBe(kind, $"'{name}' in {o}");
        return value;
    }

    private static void Optional(JsonElement o, string name, params JsonValueKind[] kinds)
    {
        if (o.TryGetProperty(name, out var value))
        {
            kinds.Append(JsonValueKind.Null).ShouldContain(value.ValueKind, $"'{name}' in {o}");
        }
    }

    private static void DateTimeOrNull(JsonElement o, string name, bool required = false)
    {
        if (required)
        {
            Required(o, name, JsonValueKind.String);
        }

        if (o.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            value.ValueKind.ShouldBe(JsonValueKind.String);
            DateTime3339().IsMatch(value.GetString()!).ShouldBeTrue($"'{name}' is not a date-time: {value}");
        }
    }

    private static void ValidService(JsonElement s)
    {
        Required(s, "service_code", JsonValueKind.String);
        Required(s, "service_name", JsonValueKind.String);
        Required(s, "metadata", s.GetProperty("metadata").ValueKind is JsonValueKind.True ? JsonValueKind.True : JsonValueKind.False);
        new[] { "realtime", "batch", "blackbox" }.ShouldContain(Required(s, "type", JsonValueKind.String).GetString());
        Optional(s, "description", JsonValueKind.String);
        Optional(s, "keywords", JsonValueKind.String);
        Optional(s, "group", JsonValueKind.String);
    }

    private static void ValidDefinition(JsonElement d)
    {
        d.ValueKind.ShouldBe(JsonValueKind.Object);
        Required(d, "service_code", JsonValueKind.String);
        foreach (var a in Required(d, "attributes", JsonValueKind.Array).EnumerateArray())
        {
            new[] { JsonValueKind.True, JsonValueKind.False }.ShouldContain(a.GetProperty("variable").ValueKind);
            Required(a, "code", JsonValueKind.String);
            Datatypes.ShouldContain(Required(a, "datatype", JsonValueKind.String).GetString());
            new[] { JsonValueKind.True, JsonValueKind.False }.ShouldContain(a.GetProperty("required").ValueKind);
            Optional(a, "datatype_description", JsonValueKind.String);
            Optional(a, "order", JsonValueKind.Number);
            if (a.TryGetProperty("order", out var order) && order.ValueKind == JsonValueKind.Number)
            {
                order.TryGetInt32(out _).ShouldBeTrue("order is an integer");
            }

            Optional(a, "description", JsonValueKind.String);
            if (a.TryGetProperty("values", out var values))
            {
                values.ValueKind.ShouldBe(JsonValueKind.Array);
                foreach (var v in values.EnumerateArray())
                {
                    Required(v, "key", JsonValueKind.String);
                    Required(v, "name", JsonValueKind.String);
                }
            }
        }
    }

    private static void ValidRequest(JsonElement r)
    {
        Required(r, "service_request_id", JsonValueKind.String);
        new[] { "open", "closed" }.ShouldContain(Required(r, "status", JsonValueKind.String).GetString());
        Required(r, "service_code", JsonValueKind.String);
        DateTimeOrNull(r, "requested_datetime", required: true);
        DateTimeOrNull(r, "updated_datetime");
        DateTimeOrNull(r, "expected_datetime");
        foreach (var name in new[] { "status_notes", "service_name", "description", "agency_responsible", "service_notice", "address", "address_id", "zipcode", "media_url" })
        {
            Optional(r, name, JsonValueKind.String);
        }

        if (r.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String)
        {
            description.GetString()!.Length.ShouldBeLessThanOrEqualTo(4000);
        }

        if (r.TryGetProperty("media_url", out var media) && media.ValueKind == JsonValueKind.String)
        {
            Uri.IsWellFormedUriString(media.GetString(), UriKind.Absolute).ShouldBeTrue();
        }

        Optional(r, "lat", JsonValueKind.Number);
        Optional(r, "long", JsonValueKind.Number);
    }

    private static void ValidErrors(JsonElement errors, int code)
    {
        errors.ValueKind.ShouldBe(JsonValueKind.Array);
        errors.GetArrayLength().ShouldBeGreaterThan(0);
        foreach (var e in errors.EnumerateArray())
        {
            Required(e, "code", JsonValueKind.Number).GetInt32().ShouldBe(code);
            Required(e, "description", JsonValueKind.String).GetString().ShouldNotBeNullOrWhiteSpace();
        }
    }

    private static void XmlErrors(XDocument document, int code)
    {
        document.Root!.Name.LocalName.ShouldBe("errors");
        var errors = document.Root.Elements("error").ToList();
        errors.ShouldNotBeEmpty();
        foreach (var error in errors)
        {
            error.Elements().Select(e => e.Name.LocalName).ShouldBe(["code", "description"]);
            ((int)error.Element("code")!).ShouldBe(code);
        }
    }

    private static List<string> Ids(JsonElement requests) => requests.EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()!).ToList();

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Discovery_XmlAndJson_NameTheEndpointFormatsAndSpecification(string provider)
    {
        var app = await apps.For(provider);
        var xml = await GetXmlAsync(app, "/open311/v2/discovery.xml");
        xml.Root!.Name.LocalName.ShouldBe("discovery");
        var endpoint = xml.Root.Element("endpoints")!.Element("endpoint")!;
        endpoint.Element("specification")!.Value.ShouldBe("http://wiki.open311.org/GeoReport_v2");
        endpoint.Element("url")!.Value.ShouldEndWith("/open311/v2");
        endpoint.Element("formats")!.Elements("format").Select(f => f.Value).ShouldBe(["text/xml", "application/json"]);

        var json = await GetJsonAsync(app, "/open311/v2/discovery.json");
        var first = json.GetProperty("endpoints")[0];
        first.GetProperty("type").GetString().ShouldBe("production");
        first.GetProperty("formats").EnumerateArray().Select(f => f.GetString()).ShouldBe(["text/xml", "application/json"]);
        DateTime3339().IsMatch(json.GetProperty("changeset").GetString()!).ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Services_Xml_EveryReportableMatterWithTheSpecificationsElements(string provider)
    {
        var app = await apps.For(provider);
        var xml = await GetXmlAsync(app, "/open311/v2/services.xml?jurisdiction_id=shenzhen");
        xml.Root!.Name.LocalName.ShouldBe("services");
        var services = xml.Root.Elements("service").ToList();
        var active = await app.WithDbAsync(db => db.CatalogueEntries.CountAsync(e => !e.Retired));
        services.Count.ShouldBe(active);
        foreach (var service in services)
        {
            service.Elements().Select(e => e.Name.LocalName).ShouldBe(ServiceFields);
            service.Element("metadata")!.Value.ShouldBeOneOf("true", "false");
            service.Element("type")!.Value.ShouldBe("realtime");
        }

        var noise = services.Single(s => s.Element("service_code")!.Value == Territorial);
        noise.Element("group")!.Value.ShouldBe("住房与物业");
        noise.Element("service_name")!.Value.ShouldBe("物业服务不到位、保洁保安缺位");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Services_Json_ValidatesAgainstTheServicesSchema_RetiredMattersLeftOut(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var editor = await app.ClientAsync(Roles.CatalogueEditor, "440300");
        (await editor.PostAsJsonAsync("/api/v1/catalogue/changes", new { note = "retire", operations = new[] { new { op = "retire", code = WithInstantAnswer } } })).EnsureSuccessStatusCode();

        var json = await GetJsonAsync(app, "/open311/v2/services.json");
        json.ValueKind.ShouldBe(JsonValueKind.Array);
        json.GetArrayLength().ShouldBeGreaterThan(1000);
        foreach (var service in json.EnumerateArray())
        {
            ValidService(service);
        }

        var codes = json.EnumerateArray().Select(s => s.GetProperty("service_code").GetString()).ToList();
        codes.ShouldContain(Territorial);
        codes.ShouldNotContain(WithInstantAnswer);
        json.EnumerateArray().First(s => s.GetProperty("service_code").GetString() == Territorial).GetProperty("metadata").GetBoolean().ShouldBeTrue();
        (await GetJsonAsync(app, $"/open311/v2/services/{WithInstantAnswer}.json", HttpStatusCode.NotFound)).GetArrayLength().ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Definition_AsksEveryDatatype_ValidatesAgainstTheSchema_XmlHasTheSpecificationsElements(string provider)
    {
        var app = await apps.For(provider);
        var json = await GetJsonAsync(app, $"/open311/v2/services/{Territorial}.json");
        ValidDefinition(json);
        json.GetProperty("service_code").GetString().ShouldBe(Territorial);
        var attributes = json.GetProperty("attributes").EnumerateArray().ToList();
        attributes.Select(a => a.GetProperty("datatype").GetString()).Distinct().Order().ShouldBe(Datatypes.Order());
        attributes.Select(a => a.GetProperty("order").GetInt32()).ShouldBe(Enumerable.Range(1, attributes.Count));
        attributes.Single(a => a.GetProperty("code").GetString() == "building").GetProperty("datatype").GetString().ShouldBe("string");
        attributes.ShouldAllBe(a => !a.GetProperty("required").GetBoolean());
        foreach (var list in attributes.Where(a => a.GetProperty("datatype").GetString()!.EndsWith("valuelist")))
        {
            list.GetProperty("values").GetArrayLength().ShouldBeGreaterThan(1);
        }

        // Not territorial: no building; an instant answer is shown as information only.
        var other = (await GetJsonAsync(app, $"/open311/v2/services/{WithInstantAnswer}.json")).GetProperty("attributes").EnumerateArray().ToList();
        other.ShouldNotContain(a => a.GetProperty("code").GetString() == "building");
        other.Single(a => a.GetProperty("code").GetString() == "instant_answer").GetProperty("variable").GetBoolean().ShouldBeFalse();

        var xml = await GetXmlAsync(app, $"/open311/v2/services/{Territorial}.xml");
        xml.Root!.Name.LocalName.ShouldBe("service_definition");
        xml.Root.Elements().Select(e => e.Name.LocalName).ShouldBe(["service_code", "attributes"]);
        var xmlAttributes = xml.Root.Element("attributes")!.Elements("attribute").ToList();
        xmlAttributes.Count.ShouldBe(attributes.Count);
        foreach (var attribute in xmlAttributes)
        {
            attribute.Elements().Select(e => e.Name.LocalName).Take(AttributeFields.Length).ShouldBe(AttributeFields);
            if (attribute.Element("values") is { } values)
            {
                values.Elements("value").ShouldAllBe(v => v.Elements().Select(e => e.Name.LocalName).SequenceEqual(new[] { "key", "name" }));
            }
        }

        XmlErrors(await GetXmlAsync(app, "/open311/v2/services/99.99.999.xml", HttpStatusCode.NotFound), 404);
        ValidErrors(await GetJsonAsync(app, "/open311/v2/services/99.99.999.json", HttpStatusCode.NotFound), 404);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Post_WithKey_201_TrackingNumber_ThroughTheSameIntakeRoutingAndClocks(string provider)
    {
        var app = await apps.For(provider);
        var key = await PartnerKeyAsync(app);
        var form = Form(key, extra:
        [
            ("jurisdiction_id", "shenzhen"), ("lat", "22.5401"), ("long", "114.0555"), ("media_url", "https://img.example.org/p/1.jpg"),
            ("account_id", "acct-7"), ("phone", "13912345678"), ("first_name", "Zhangsan"),
            ("attribute[request_type]", "help"), ("attribute[building]", "3栋"), ("attribute[people_affected]", "40"),
            ("attribute[observed_at]", "2026-11-20T22:30:00+08:00"), ("attribute[access_notes]", "从北门进"),
        ]);
        var content = new FormUrlEncodedContent(form.Select(p => p).Concat([new("attribute[times_of_day][]", "night"), new("attribute[times_of_day][]", "weekend")]));
        var response = await app.CreateClient().PostAsync("/open311/v2/requests.xml", content);

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var xml = await XmlAsync(response);
        xml.Root!.Name.LocalName.ShouldBe("service_requests");
        var answer = xml.Root.Element("request")!;
        answer.Elements().Select(e => e.Name.LocalName).ShouldBe(["service_request_id", "service_notice", "account_id"]);
        answer.Element("account_id")!.Value.ShouldBe("acct-7");
        var number = answer.Element("service_request_id")!.Value;
        Suban.Core.Intake.TrackingNumber.IsWellFormed(number).ShouldBeTrue();

        var stored = await app.WithDbAsync(db => db.Requests.AsNoTracking().SingleAsync(r => r.TrackingNumber == number));
        stored.Channel.ShouldBe(Channel.Open311);
        stored.Type.ShouldBe(RequestType.Help);
        stored.MatterCode.ShouldBe(Territorial);
        stored.MediaUrl.ShouldBe("https://img.example.org/p/1.jpg");
        stored.CreatedByUserId.ShouldStartWith("partner:");
        stored.ContactPhone.ShouldBe("13912345678");
        stored.Description.ShouldContain("楼栋门牌：3栋");
        stored.Description.ShouldContain("发生时段：夜间、周末");
        stored.DistrictCode.ShouldBe("440304");

        // The citizen's chosen matter and the place dispatched it at once; the clocks run as for any channel.
        stored.State.ShouldBe(RequestState.Dispatched);
        (await app.WithDbAsync(db => db.Clocks.CountAsync(c => c.RequestId == stored.Id && c.Kind == Core.Deadlines.ClockKind.Handling))).ShouldBe(1);
        (await app.WithDbAsync(db => db.Events.CountAsync(e => e.RequestId == stored.Id && e.Action == RequestAction.Submit && e.ActorRole == Role.Citizen))).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Post_WithoutKeyOrWithAWrongOne_403ErrorList_NothingWritten(string provider)
    {
        var app = await apps.For(provider);
        var before = await app.WithDbAsync(db => db.Requests.CountAsync());

        var missing = await PostAsync(app, Form(null), "xml");
        missing.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        XmlErrors(await XmlAsync(missing), 403);

        var wrong = await PostAsync(app, Form("not-a-key"));
        wrong.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        ValidErrors(await JsonAsync(wrong), 403);

        (await app.WithDbAsync(db => db.Requests.CountAsync())).ShouldBe(before);
    }

    public static TheoryData<string, string, string[], int> BadPosts()
    {
        var data = new TheoryData<string, string, string[], int>();
        foreach (var provider in TestDatabases.Providers())
        {
            data.Add(provider, "no location", ["address_string", ""], 400);
            data.Add(provider, "lat without long", ["address_string", "", "lat", "22.54"], 400);
            data.Add(provider, "outside the city", ["lat", "39.9", "long", "116.4"], 400);
            data.Add(provider, "unknown address_id", ["address_string", "", "address_id", "999999999"], 400);
            data.Add(provider, "no service_code", ["service_code", ""], 400);
            data.Add(provider, "unknown service", ["service_code", "99.99.999"], 404);
            data.Add(provider, "other jurisdiction", ["jurisdiction_id", "sfgov.org"], 404);
            data.Add(provider, "bad number", ["attribute[people_affected]", "many"], 400);
            data.Add(provider, "bad list key", ["attribute[request_type]", "praise"], 400);
            data.Add(provider, "bad datetime", ["attribute[observed_at]", "yesterday"], 400);
            data.Add(provider, "unknown attribute", ["attribute[colour]", "red"], 400);
            data.Add(provider, "bad phone", ["phone", "call me"], 400);
            data.Add(provider, "bad media_url", ["media_url", "ftp://x/y.jpg"], 400);
            data.Add(provider, "long description", ["description", new string('字', 4001)], 400);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadPosts))]
    public async Task Post_BadInput_ErrorListWithTheSpecificationsStatus_NothingWritten(string provider, string why, string[] overrides, int status)
    {
        var app = await apps.For(provider);
        var key = await PartnerKeyAsync(app);
        var form = Form(key);
        for (var i = 0; i < overrides.Length; i += 2)
        {
            form[overrides[i]] = overrides[i + 1];
        }

        var before = await app.WithDbAsync(db => db.Requests.CountAsync());
        var response = await PostAsync(app, form);
        ((int)response.StatusCode).ShouldBe(status, why + ": " + await response.Content.ReadAsStringAsync());
        ValidErrors(await JsonAsync(response), status);
        (await app.WithDbAsync(db => db.Requests.CountAsync())).ShouldBe(before);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Post_AddressIdOrPoint_IsLocation_SameExternalIdTwice_SameRequest(string provider)
    {
        var app = await apps.For(provider);
        var key = await PartnerKeyAsync(app);
        var byId = await PostOkAsync(app, Form(key, extra: [("address_string", ""), ("address_id", Scenario.Street)]));
        (await app.WithDbAsync(db => db.Requests.Where(r => r.TrackingNumber == byId).Select(r => r.StreetCode).SingleAsync())).ShouldBe(Scenario.Street);

        var form = Form(key, extra: [("address_string", ""), ("lat", "22.54"), ("long", "114.06"), ("external_id", "app-42")]);
        var first = await PostOkAsync(app, form);
        var again = await PostAsync(app, form);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await JsonAsync(again))[0].GetProperty("service_request_id").GetString().ShouldBe(first);

        form["description"] = "另一件事";
        var reused = await PostAsync(app, form);
        reused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        ValidErrors(await JsonAsync(reused), 400);

        // Another partner's own ids are its own.
        var other = await PartnerKeyAsync(app, "另一个应用");
        (await PostOkAsync(app, Form(other, extra: [("external_id", "app-42")]))).ShouldNotBe(first);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task GetRequest_ById_XmlAndJson_PublicFieldsOnly_MapsStatesAndClocks(string provider)
    {
        var app = await apps.For(provider);
        var key = await PartnerKeyAsync(app);
        var number = await PostOkAsync(app, Form(key, extra: [("phone", "13700001111"), ("first_name", "Lisi"), ("last_name", "Wangwu"), ("media_url", "http://img.example.org/a.png"), ("lat", "22.54"), ("long", "114.06")]));

        // The partner that sent it reads it in full with its key; anyone else gets the citizen's words, exact place,
        // photo and replies left out.
        var anyone = (await GetJsonAsync(app, $"/open311/v2/requests/{number}.json"))[0];
        ValidRequest(anyone);
        foreach (var hidden in new[] { "description", "address", "lat", "long", "media_url", "status_notes" })
        {
            anyone.GetProperty(hidden).ValueKind.ShouldBe(JsonValueKind.Null, hidden);
        }

        anyone.GetProperty("address_id").GetString().ShouldNotBeNullOrEmpty();
        var otherKey = await PartnerKeyAsync(app);
        (await GetJsonAsync(app, $"/open311/v2/requests/{number}.json?api_key={otherKey}"))[0].GetProperty("description").ValueKind.ShouldBe(JsonValueKind.Null);

        var json = await GetJsonAsync(app, $"/open311/v2/requests/{number}.json?jurisdiction_id=shenzhen&api_key={key}");
        json.GetArrayLength().ShouldBe(1);
        var request = json[0];
        ValidRequest(request);
        request.GetProperty("service_request_id").GetString().ShouldBe(number);
        request.GetProperty("status").GetString().ShouldBe("open");
        request.GetProperty("service_code").GetString().ShouldBe(Territorial);
        request.GetProperty("service_name").GetString().ShouldBe("物业服务不到位、保洁保安缺位");
        request.GetProperty("agency_responsible").GetString().ShouldNotBeNullOrEmpty();
        request.GetProperty("service_notice").GetString()!.ShouldContain("10 working days");
        request.GetProperty("requested_datetime").GetString().ShouldBe("2026-11-23T10:00:00+08:00");
        request.GetProperty("lat").GetDouble().ShouldBe(22.54);
        request.GetProperty("media_url").GetString().ShouldBe("http://img.example.org/a.png");
        request.GetProperty("address").GetString().ShouldBe(Address);
        var due = await app.WithDbAsync(db => db.Clocks.Where(c => db.Requests.Any(r => r.Id == c.RequestId && r.TrackingNumber == number) && c.Kind == Core.Deadlines.ClockKind.Handling).Select(c => c.DueAt).SingleAsync());
        DateTimeOffset.Parse(request.GetProperty("expected_datetime").GetString()!).ShouldBe(new DateTimeOffset(due, TimeSpan.Zero));

        var xml = await GetXmlAsync(app, $"/open311/v2/requests/{number}.xml?api_key={key}");
        xml.Root!.Name.LocalName.ShouldBe("service_requests");
        xml.Root.Element("request")!.Elements().Select(e => e.Name.LocalName).ShouldBe(RequestFields);
        var text = xml.ToString() + json;
        text.ShouldNotContain("13700001111");
        text.ShouldNotContain("Lisi");
        text.ShouldNotContain("Wangwu");

        // Cancelled counts as closed; the dispatcher's public reason becomes the status notes.
        var dispatcher = await new Scenario(app).Dispatcher();
        var cancelled = await PostOkAsync(app, Form(key, extra: [("address_string", "深圳市"), ("description", "测试重复提交")]));
        // No district in the address: the district-led matter waits for a dispatcher.
        (await app.WithDbAsync(db => db.Requests.Where(r => r.TrackingNumber == cancelled).Select(r => r.State).SingleAsync())).ShouldBe(RequestState.Submitted);
        var waiting = (await GetJsonAsync(app, $"/open311/v2/requests/{cancelled}.json"))[0];
        waiting.GetProperty("agency_responsible").ValueKind.ShouldBe(JsonValueKind.Null);
        waiting.GetProperty("expected_datetime").ValueKind.ShouldBe(JsonValueKind.Null);
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{cancelled}/cancel", new { reason = "重复诉求" })).EnsureSuccessStatusCode();
        var closed = (await GetJsonAsync(app, $"/open311/v2/requests/{cancelled}.json?api_key={key}"))[0];
        ValidRequest(closed);
        closed.GetProperty("status").GetString().ShouldBe("closed");
        closed.GetProperty("status_notes").GetString().ShouldBe("重复诉求");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task GetRequest_UnknownOrUnclassified_404_TokenEchoesTheTrackingNumber(string provider)
    {
        var app = await apps.For(provider);
        XmlErrors(await GetXmlAsync(app, "/open311/v2/requests/SZ20991231-999999.xml", HttpStatusCode.NotFound), 404);
        ValidErrors(await GetJsonAsync(app, "/open311/v2/requests/nonsense.json", HttpStatusCode.NotFound), 404);

        // A web request the platform could not classify has no service yet.
        var web = await new Scenario(app).SubmitAsync();
        ValidErrors(await GetJsonAsync(app, $"/open311/v2/requests/{web}.json", HttpStatusCode.NotFound), 404);

        var number = await PostOkAsync(app, Form(await PartnerKeyAsync(app)));
        var token = await GetXmlAsync(app, $"/open311/v2/tokens/{number}.xml");
        token.Root!.Name.LocalName.ShouldBe("service_requests");
        token.Root.Element("request")!.Elements().Select(e => e.Name.LocalName).ShouldBe(["service_request_id", "token"]);
        token.Root.Element("request")!.Element("service_request_id")!.Value.ShouldBe(number);
        (await GetJsonAsync(app, $"/open311/v2/tokens/{number}.json"))[0].GetProperty("token").GetString().ShouldBe(number);
        ValidErrors(await GetJsonAsync(app, "/open311/v2/tokens/SZ20991231-999999.json", HttpStatusCode.NotFound), 404);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task GetRequests_Filters_IdsCodesStatusDatesPaging(string provider)
    {
        var app = await apps.For(provider);
        var key = await PartnerKeyAsync(app);
        var a = await PostOkAsync(app, Form(key));
        var b = await PostOkAsync(app, Form(key, WithInstantAnswer));
        var c = await PostOkAsync(app, Form(key));

        var all = await GetJsonAsync(app, "/open311/v2/requests.json");
        foreach (var request in all.EnumerateArray())
        {
            ValidRequest(request);
        }

        Ids(all).ShouldContain(a);
        Ids(all).ShouldContain(b);

        Ids(await GetJsonAsync(app, $"/open311/v2/requests.json?service_request_id={a},{b}&status=closed&service_code=00.00.000")).Order().ShouldBe(new[] { a, b }.Order());
        var byCode = Ids(await GetJsonAsync(app, $"/open311/v2/requests.json?service_code={WithInstantAnswer}"));
        byCode.ShouldContain(b);
        byCode.ShouldNotContain(a);
        Ids(await GetJsonAsync(app, "/open311/v2/requests.json?status=closed")).ShouldNotContain(a);
        Ids(await GetJsonAsync(app, "/open311/v2/requests.json?status=open,closed")).ShouldContain(a);

        Ids(await GetJsonAsync(app, "/open311/v2/requests.json?start_date=2026-11-22T00:00:00%2B08:00&end_date=2026-11-24T00:00:00%2B08:00")).ShouldContain(a);
        Ids(await GetJsonAsync(app, "/open311/v2/requests.json?start_date=2026-10-01T00:00:00Z&end_date=2026-11-01T00:00:00Z")).ShouldNotContain(a);
        Ids(await GetJsonAsync(app, "/open311/v2/requests.json?end_date=2026-11-01T00:00:00Z")).ShouldNotContain(a);

        // Newest first, paged.
        var firstPage = Ids(await GetJsonAsync(app, "/open311/v2/requests.json?page_size=1"));
        firstPage.ShouldBe([Ids(all)[0]]);
        Ids(await GetJsonAsync(app, "/open311/v2/requests.json?page_size=1&page=2")).ShouldBe([Ids(all)[1]]);
        Ids(all).IndexOf(c).ShouldBeLessThan(Ids(all).IndexOf(a));

        var xml = await GetXmlAsync(app, "/open311/v2/requests.xml?page_size=2");
        xml.Root!.Elements("request").Count().ShouldBe(2);
        xml.Root.Elements("request").ShouldAllBe(r => r.Elements().Select(e => e.Name.LocalName).SequenceEqual(RequestFields));
    }

    public static TheoryData<string, string, int> BadQueries()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var provider in TestDatabases.Providers())
        {
            data.Add(provider, "start_date=yesterday", 400);
            data.Add(provider, "end_date=2026-13-45T00:00:00Z", 400);
            data.Add(provider, "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", 400);
            data.Add(provider, "start_date=2026-06-01T00:00:00Z&end_date=2026-05-01T00:00:00Z", 400);
            data.Add(provider, "status=pending", 400);
            data.Add(provider, "page=0", 400);
            data.Add(provider, "page_size=1001", 400);
            data.Add(provider, "updated_after=soon", 400);
            data.Add(provider, "jurisdiction_id=sfgov.org", 404);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task GetRequests_BadArguments_ErrorListInBothFormats(string provider, string query, int status)
    {
        var app = await apps.For(provider);
        ValidErrors(await GetJsonAsync(app, $"/open311/v2/requests.json?{query}", (HttpStatusCode)status), status);
        XmlErrors(await GetXmlAsync(app, $"/open311/v2/requests.xml?{query}", (HttpStatusCode)status), status);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task GetRequests_DefaultWindowIs90Days_UpdatedAfterFollowsChanges(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var key = await PartnerKeyAsync(app);
        var old = await PostOkAsync(app, Form(key));
        app.Clock.Advance(TimeSpan.FromDays(91));
        var recent = await PostOkAsync(app, Form(key));

        Ids(await GetJsonAsync(app, "/open311/v2/requests.json")).ShouldBe([recent]);
        Ids(await GetJsonAsync(app, "/open311/v2/requests.json?start_date=2026-11-01T00:00:00Z")).ShouldBe([old]);

        // A change to the old request shows to a client syncing by updated_after, whenever the request was made.
        var since = Uri.EscapeDataString(app.Clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssK"));
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var lead = await app.WithDbAsync(db => db.Units.Where(u => u.Id == db.Requests.Single(r => r.TrackingNumber == old).LeadUnitId).Select(u => u.Code).SingleAsync());
        var handler = await app.ClientAsync(Roles.Handler, lead);
        (await handler.PostAsJsonAsync($"/api/v1/requests/{old}/accept", new { })).EnsureSuccessStatusCode();

        Ids(await GetJsonAsync(app, $"/open311/v2/requests.json?updated_after={since}")).ShouldBe([old]);

        // With extensions, the detailed state and the public timeline, oldest first.
        var extended = (await GetJsonAsync(app, $"/open311/v2/requests/{old}.json?extensions=true"))[0];
        ValidRequest(extended);
        var attributes = extended.GetProperty("extended_attributes");
        attributes.GetProperty("detailed_status").GetString().ShouldBe("inProgress");
        var timeline = attributes.GetProperty("timeline").EnumerateArray().ToList();
        timeline[0].GetProperty("action").GetString().ShouldBe("submit");
        timeline[^1].GetProperty("detailed_status").GetString().ShouldBe(attributes.GetProperty("detailed_status").GetString());
        var xml = await GetXmlAsync(app, $"/open311/v2/requests/{old}.xml?extensions=true");
        xml.Root!.Element("request")!.Element("extended_attributes")!.Element("timeline")!.Elements("event").Count().ShouldBe(timeline.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task UnknownFormat_400_OtherJurisdiction_404(string provider)
    {
        var app = await apps.For(provider);
        XmlErrors(await GetXmlAsync(app, "/open311/v2/services.html", HttpStatusCode.BadRequest), 400);
        XmlErrors(await GetXmlAsync(app, "/open311/v2/services.xml?jurisdiction_id=sfgov.org", HttpStatusCode.NotFound), 404);
        ValidErrors(await GetJsonAsync(app, $"/open311/v2/services/{Territorial}.json?jurisdiction_id=sfgov.org", HttpStatusCode.NotFound), 404);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Partners_KeyIsStoredAsItsHashOnly_AndWorksOnce_Registered(string provider)
    {
        var app = await apps.For(provider);
        var key = await PartnerKeyAsync(app, "哈希检查");
        var stored = await app.WithDbAsync(db => db.PartnerApps.AsNoTracking().SingleAsync(p => p.Name == "哈希检查"));
        stored.ApiKeyHash.ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key))));
        stored.ApiKeyHash.ShouldNotContain(key);

        var admin = await app.ClientAsync(Roles.Administrator, "440300");
        (await admin.PostAsJsonAsync("/api/v1/partners", new { name = "" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        await app.WithDbAsync(async db =>
        {
            await db.PartnerApps.Where(p => p.Id == stored.Id).ExecuteUpdateAsync(u => u.SetProperty(p => p.IsActive, false));
        });
        (await PostAsync(app, Form(key))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}

