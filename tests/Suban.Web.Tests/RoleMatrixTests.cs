using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Suban.Core.Lifecycle;
using Suban.Web.Infrastructure;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

/// <summary>
/// Who may call what: every endpoint against every role and against no session. An allowed call is set up so it
/// can succeed (a request in the right state, the handler in the right unit) and must succeed; a denied one must
/// be refused (403 signed in, 401 without a session).
/// </summary>
public sealed class RoleMatrixTests(Apps apps) : IClassFixture<Apps>
{
    private const string Anonymous = "anonymous";

    public sealed record Endpoint(string Method, string Path, RequestState? State, object? Body, string[] Allowed, string HandlerUnit = Scenario.Street, bool OpenToAnonymous = false);

    private static readonly string[] Everyone = [.. Roles.All];

    private static readonly Dictionary<string, Endpoint> Endpoints = new()
    {
        ["submit"] = new("POST", "/api/v1/requests", null, Scenario.Body(), [Roles.Citizen, Roles.CallTaker, Anonymous], OpenToAnonymous: true),
        ["list"] = new("GET", "/api/v1/requests", null, null, Everyone),
        ["get"] = new("GET", "/api/v1/requests/{n}", RequestState.Dispatched, null, Everyone),
        ["timeline"] = new("GET", "/api/v1/requests/{n}/timeline", RequestState.Dispatched, null, Everyone),
        ["dispatch"] = new("POST", "/api/v1/requests/{n}/dispatch", RequestState.Submitted, new { leadUnitCode = Scenario.Street }, [Roles.Dispatcher]),
        ["forward"] = new("POST", "/api/v1/requests/{n}/forward", RequestState.Submitted, new { platformUnitCode = Scenario.District }, [Roles.Dispatcher]),
        ["cancel"] = new("POST", "/api/v1/requests/{n}/cancel", RequestState.Submitted, new { reason = "骚扰电话" }, [Roles.Dispatcher]),
        ["accept"] = new("POST", "/api/v1/requests/{n}/accept", RequestState.Dispatched, new { }, [Roles.Handler]),
        ["progress"] = new("POST", "/api/v1/requests/{n}/progress", RequestState.InProgress, new { note = "已到现场" }, [Roles.Handler]),
        ["part-report"] = new("POST", "/api/v1/requests/{n}/part-report", RequestState.InProgress, new { note = "协办部分已完成" }, [Roles.Handler], HandlerUnit: Scenario.Bureau),
        ["return"] = new("POST", "/api/v1/requests/{n}/return", RequestState.Dispatched, new { reason = "非本单位职责" }, [Roles.Handler]),
        ["reply"] = new("POST", "/api/v1/requests/{n}/reply", RequestState.InProgress, new { reply = "已处理完毕" }, [Roles.Handler]),
        ["rating"] = new("POST", "/api/v1/requests/{n}/rating", RequestState.Replied, new { rating = "satisfied" }, [Roles.Citizen, Roles.CallTaker]),
        ["units"] = new("GET", "/api/v1/units?kind=districtPlatform", null, null, Everyone),
        ["me"] = new("GET", "/api/v1/auth/me", null, null, Everyone),
        ["catalogue"] = new("GET", "/api/v1/catalogue", null, null, [.. Everyone, Anonymous], OpenToAnonymous: true),
        ["catalogue-matter"] = new("GET", "/api/v1/catalogue/matters/{code}", null, null, [.. Everyone, Anonymous], OpenToAnonymous: true),
        ["catalogue-versions"] = new("GET", "/api/v1/catalogue/versions", null, null, Everyone),
        ["catalogue-diff"] = new("GET", "/api/v1/catalogue/diff?from=1&to=1", null, null, Everyone),
        ["catalogue-export"] = new("GET", "/api/v1/catalogue/export?format=csv", null, null, Everyone),
        ["catalogue-changes"] = new("POST", "/api/v1/catalogue/changes", null, new { note = "no-op", operations = new[] { new { op = "move", code = "01.01.001", category = "住房与物业", subCategory = "物业服务管理" } } }, [Roles.CatalogueEditor, Roles.Administrator]),
        ["places-resolve"] = new("GET", "/api/v1/places/resolve?address=%E7%A6%8F%E7%94%B0%E5%8C%BA", null, null, Everyone.Except([Roles.Citizen]).ToArray()),
        ["responsibility"] = new("GET", "/api/v1/responsibility?matterCode=01.01.001", null, null, Everyone.Except([Roles.Citizen]).ToArray()),
        ["routing-classify"] = new("POST", "/api/v1/routing/classify", null, new { text = "工地夜间施工噪音" }, Everyone.Except([Roles.Citizen]).ToArray()),
        ["routing-models"] = new("GET", "/api/v1/routing/models", null, null, Everyone.Except([Roles.Citizen]).ToArray()),
        ["audit"] = new("GET", "/api/v1/audit", null, null, [Roles.CatalogueEditor, Roles.Administrator]),
        ["deadlines"] = new("GET", "/api/v1/requests/{n}/deadlines", RequestState.Dispatched, null, Everyone.Except([Roles.Citizen]).ToArray()),
        ["extension"] = new("POST", "/api/v1/requests/{n}/extension", RequestState.InProgress, new { days = 2, reason = "需协调多部门" }, [Roles.Handler]),
        ["suspend"] = new("POST", "/api/v1/requests/{n}/suspend", RequestState.InProgress, new { reason = "等待市民补充材料" }, [Roles.Handler]),
        ["remind"] = new("POST", "/api/v1/requests/{n}/remind", RequestState.Dispatched, new { note = "请尽快办理" }, [Roles.Supervisor]),
        ["supervise"] = new("POST", "/api/v1/requests/{n}/supervise", RequestState.Dispatched, new { text = "群众反映强烈，请限期办结" }, [Roles.Supervisor]),
        ["overdue"] = new("GET", "/api/v1/overdue", null, null, Everyone.Except([Roles.Citizen]).ToArray()),
        ["calendar"] = new("GET", "/api/v1/calendar?year=2026", null, null, [.. Everyone, Anonymous], OpenToAnonymous: true),
        ["calendar-set"] = new("PUT", "/api/v1/calendar/2026-12-31", null, new { kind = "holiday", name = "测试" }, [Roles.Administrator]),
        ["notifications"] = new("GET", "/api/v1/me/notifications", null, null, Everyone),
        ["notifications-unread"] = new("GET", "/api/v1/me/notifications/unread-count", null, null, Everyone),
        ["notifications-read-all"] = new("POST", "/api/v1/me/notifications/read-all", null, new { }, Everyone),
        ["league"] = new("GET", "/api/v1/league?period=month", null, null, Everyone.Except([Roles.Citizen]).ToArray()),
        ["users"] = new("GET", "/api/v1/users", null, null, [Roles.Administrator]),
        ["stats"] = new("GET", "/api/v1/stats", null, null, [Roles.Supervisor, Roles.Analyst, Roles.Administrator]),
        ["hotspots"] = new("GET", "/api/v1/hotspots", null, null, [Roles.Supervisor, Roles.Dispatcher, Roles.Analyst, Roles.Administrator]),
        ["export"] = new("GET", "/api/v1/exports/requests?format=csv", null, null, Everyone.Except([Roles.Citizen]).ToArray()),
        ["systems"] = new("GET", "/api/v1/systems", null, null, [Roles.Administrator]),
        ["webhooks"] = new("GET", "/api/v1/webhooks", null, null, [Roles.Administrator]),
        ["partners"] = new("POST", "/api/v1/partners", null, new { name = "街坊随手拍" }, [Roles.Administrator]),
    };

    public static TheoryData<string, string, string> Matrix()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var provider in TestDatabases.Providers())
        {
            foreach (var endpoint in Endpoints.Keys)
            {
                foreach (var role in Roles.All.Append(Anonymous))
                {
                    data.Add(provider, endpoint, role);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Endpoint_Role_AllowedOrDenied(string provider, string endpointName, string role)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var endpoint = Endpoints[endpointName];
        var path = endpoint.Path.Replace("{code}", "01.01.001");
        if (endpoint.State is { } state)
        {
            path = path.Replace("{n}", await s.InStateAsync(state));
        }

        var client = role switch
        {
            Anonymous => app.CreateClient(),
            Roles.Citizen => await s.Citizen(),
            Roles.Handler => await app.ClientAsync(Roles.Handler, endpoint.HandlerUnit),
            _ => await app.ClientAsync(role, "440300"),
        };

        var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), path);
        if (endpoint.Body is not null)
        {
            request.Content = JsonContent.Create(endpoint.Body);
        }

        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (endpoint.Allowed.Contains(role))
        {
            response.IsSuccessStatusCode.ShouldBeTrue($"{role} {endpointName}: {(int)response.StatusCode} {body}");
        }
        else
        {
            response.StatusCode.ShouldBe(role == Anonymous && !endpoint.OpenToAnonymous ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, body);
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        }
    }

    /// <summary>Routes open to everyone by design, each tested on its own elsewhere.</summary>
    private static readonly string[] OpenByDesign =
    [
        "POST /api/v1/auth/login", "POST /api/v1/auth/refresh", "POST /api/v1/auth/register", "GET /api/v1/lookup",
    ];

    /// <summary>Covered by the visibility tests, which need a request with a photo.</summary>
    private static readonly string[] CoveredElsewhere =
    [
        "GET /api/v1/requests/{trackingNumber}/photos/{position:int}", "POST /api/v1/auth/logout",
        "POST /api/v1/catalogue/import", // needs a file: CatalogueTests check who may import
        "POST /api/v1/places/boundaries/{level}", // needs GeoJSON: PlacesTests check who may import
        "GET /api/v1/places/boundaries/{level}", // needs an import: BrowserTests draw the dashboard's map from it
        "GET /api/v1/queue/stream", // an endless event stream: QueueStreamTests read it, BrowserTests watch the desk update from it
        "POST /api/v1/duplicates/preview", "GET /api/v1/callers/{phone}/requests", // BrowserTests: the call-taker's console
        "POST /api/v1/users", "PUT /api/v1/users/{id}/roles", // BrowserTests.Users_OnlyAdministratorsManageStaff
        "POST /api/v1/routing/train", // takes seconds: RoutingTests check who may train
        "GET /api/v1/requests/{trackingNumber}/responsibility", // needs a request with a matter: PlacesTests
        "GET /api/v1/requests/{trackingNumber}/duplicates", // DuplicatesTests check staff only
        "POST /api/v1/requests/{trackingNumber}/merge", // needs a second request: MergeTests
        "POST /api/v1/requests/{trackingNumber}/extension/{id:long}/approve", // needs an extension: DeadlineTests
        "POST /api/v1/requests/{trackingNumber}/extension/{id:long}/refuse",
        "POST /api/v1/requests/{trackingNumber}/resume", // needs a suspension: DeadlineTests
        "POST /api/v1/requests/{trackingNumber}/supervision/{id:long}/answer", // needs an order: DeadlineTests
        "DELETE /api/v1/calendar/{date}", // DeadlineTests check administrators only
        "PUT /api/v1/calendar/{date}", // the calendar-set row above, with a real date
        "POST /api/v1/me/notifications/{id:long}/read", // needs a notification: DeadlineTests
        "POST /api/v1/systems", "DELETE /api/v1/systems/{id:int}", "POST /api/v1/systems/links", // IntegrationTests: administrators and systems' keys only
        "POST /api/v1/webhooks", "DELETE /api/v1/webhooks/{id:int}", "POST /api/v1/webhooks/{id:int}/activate", // IntegrationTests
        "PUT /api/v1/webhooks/{id:int}", "POST /api/v1/webhooks/{id:int}/secret",
        "GET /api/v1/webhooks/{id:int}/deliveries", "POST /api/v1/webhooks/deliveries/{deliveryId:long}/replay",
        "POST /api/v1/hotspots/events", // needs a hotspot: HotspotTests check who may create events
        "POST /api/v1/imports", "GET /api/v1/imports/{id:long}", "GET /api/v1/imports/{id:long}/rejections", // need an import: IntegrationTests
    ];

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Matrix_CoversEveryApiRouteTheAppMaps(string provider)
    {
        var app = await apps.For(provider);
        var routes = app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
            .ToHashSet();

        var covered = Endpoints.Values
            .Select(e => $"{e.Method} {e.Path.Split('?')[0].Replace("{n}", "{trackingNumber}")}")
            .Concat(OpenByDesign)
            .Concat(CoveredElsewhere)
            .ToHashSet();
        routes.Except(covered).ShouldBeEmpty();
    }
}
