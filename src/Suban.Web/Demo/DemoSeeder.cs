using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Core.Intake;
using Suban.Core.Lifecycle;
using Suban.Core.Organisation;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Intake;
using Suban.Web.Organisation;

namespace Suban.Web.Demo;

/// <summary>
/// The demo city: one account per role (and a few more units' staff), and a few thousand requests over the last
/// days in every state, channel and district, each walked through the real lifecycle table so that its timeline
/// is one the platform could have written.
/// </summary>
internal sealed class DemoSeeder(
    SubanDb db,
    UserManager<User> users,
    SeedFiles files,
    TimeProvider clock,
    IOptions<DemoOptions> demoOptions,
    IOptions<IntakeOptions> intakeOptions,
    IOptions<Ratings.RatingOptions> ratingOptions,
    Duplicates.DuplicateIndex duplicates,
    Deadlines.ClockHistory clockHistory,
    ILogger<DemoSeeder> logger)
{
    public sealed record DemoAccount(string UserName, string Role, string? UnitCode, string DisplayName, bool IsUnitHead = false);

    public static readonly IReadOnlyList<DemoAccount> Accounts =
    [
        new("citizen", Roles.Citizen, null, "演示市民"),
        new("calltaker", Roles.CallTaker, "440300", "12345话务员"),
        new("dispatcher", Roles.Dispatcher, "440300", "市级分拨员"),
        new("dispatcher.futian", Roles.Dispatcher, "440304", "福田区分拨员"),
        new("handler", Roles.Handler, "440304004", "福田街道办理员"),
        new("handler.futian-zj", Roles.Handler, "440304-ZJ", "福田区住建局办理员"),
        new("head", Roles.Handler, "440304004", "福田街道负责人", IsUnitHead: true),
        new("supervisor", Roles.Supervisor, "440300", "督办员"),
        new("analyst", Roles.Analyst, "440300", "数据分析员"),
        new("editor", Roles.CatalogueEditor, "440300", "职责清单编辑"),
        new("admin", Roles.Administrator, "440300", "系统管理员"),
    ];

    private sealed record Template(string Type, string Topic, string Title, string Description, string Urgency);

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var options = demoOptions.Value;
        await SeedAccountsAsync(options.Password);
        if (await db.Requests.AnyAsync(cancellationToken))
        {
            return;
        }

        await SeedRequestsAsync(options, cancellationToken);
    }

    private async Task SeedAccountsAsync(string password)
    {
        foreach (var account in Accounts)
        {
            if (await users.FindByNameAsync(account.UserName) is not null)
            {
                continue;
            }

            var unitId = account.UnitCode is null ? (int?)null : await db.Units.Where(u => u.Code == account.UnitCode).Select(u => u.Id).FirstAsync();
            var user = new User { UserName = account.UserName, DisplayName = account.DisplayName, UnitId = unitId, IsDemo = true, EmailConfirmed = true, IsUnitHead = account.IsUnitHead };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException($"Demo account {account.UserName}: {string.Join("; ", created.Errors.Select(e => e.Description))}");
            }

            await users.AddToRoleAsync(user, account.Role);
        }
    }

    private async Task SeedRequestsAsync(DemoOptions options, CancellationToken cancellationToken)
    {
        var random = new Random(options.RandomSeed);
        var templates = File.ReadLines(files.Path("demo", "request-templates.jsonl"))
            .Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<Template>(l, JsonSerializerOptions.Web)!)
            .ToList();
        var places = Csv.Read(files.Path("gazetteer", "places.csv")).ToLookup(r => r["street_code"], r => r["name"]);
        var topicUnits = Csv.Read(files.Path("demo", "topic-units.csv")).ToDictionary(r => r["topic_prefix"], r => r["department"]);
        var units = await db.Units.AsNoTracking().ToListAsync(cancellationToken);
        var byCode = units.ToDictionary(u => u.Code);
        var root = units.Single(u => u.ParentId is null);
        var streets = units.Where(u => u.Kind == UnitKind.StreetOffice).ToList();
        var demoUsers = await db.Users.Where(u => u.IsDemo).ToDictionaryAsync(u => u.UserName!, cancellationToken);
        var citizenId = demoUsers["citizen"].Id;
        var timeZone = intakeOptions.Value.CityTimeZone();
        var now = clock.GetUtcNow().UtcDateTime;
        var sequences = new Dictionary<string, long>();

        ServiceRequest NewRequest(Template template, Unit street, string place, DateTime submitted, Channel channel, string phone)
        {
            var district = byCode[street.DistrictCode!];
            var localDay = TimeZoneInfo.ConvertTimeFromUtc(submitted, timeZone).ToString("yyyyMMdd");
            var sequence = sequences[localDay] = sequences.GetValueOrDefault(localDay) + 1;
            return new ServiceRequest
            {
                TrackingNumber = TrackingNumber.Format(intakeOptions.Value.TrackingPrefix, DateOnly.ParseExact(localDay, "yyyyMMdd"), sequence),
                Type = Enum.Parse<RequestType>(template.Type, ignoreCase: true),
                Title = template.Title.Replace("{place}", place),
                Description = template.Description.Replace("{place}", place),
                AddressText = $"深圳市{district.Name}{street.Name}{place}",
                Latitude = null,
                Longitude = null,
                ContactName = FakeName(random),
                ContactPhone = phone,
                IsAnonymous = random.NextDouble() < 0.1,
                Channel = channel,
                Urgency = Enum.Parse<Urgency>(template.Urgency, ignoreCase: true),
                State = RequestLifecycle.Initial,
                CitizenUserId = channel is Channel.Mobile or Channel.WeChat && random.NextDouble() < 0.05 ? citizenId : null,
                PlatformUnitId = root.Id,
                SubmittedAt = submitted,
                UpdatedAt = submitted,
                DistrictCode = district.DistrictCode,
                StreetCode = street.Code,
            };
        }

        var planted = Planted(byCode, now);
        var batch = new List<ServiceRequest>();
        for (var i = 0; i < options.Requests - planted.Count; i++)
        {
            var template = templates[random.Next(templates.Count)];
            var street = streets[random.Next(streets.Count)];
            var district = byCode[street.DistrictCode!];
            var streetPlaces = places[street.Code].ToList();
            var place = streetPlaces.Count > 0 ? streetPlaces[random.Next(streetPlaces.Count)] : street.Name;
            var submitted = now - TimeSpan.FromMinutes(random.Next(10, options.Days * 24 * 60));
            var request = NewRequest(template, street, place, submitted, PickChannel(random), $"199{random.Next(10_000_000, 99_999_999)}");
            var departmentCode = topicUnits.GetValueOrDefault(template.Topic.Split('.')[0]) ?? "";
            var handling = departmentCode.Length == 0 ? street : byCode[$"{district.Code}-{departmentCode}"];
            Walk(request, random, now, root, district, handling, handling == street ? null : street, demoUsers);
            CloseIfUnrated(request, now, ratingOptions.Value.AutoCloseAfter);
            batch.Add(request);

            if (batch.Count == 500)
            {
                await SaveAsync(batch, cancellationToken);
            }
        }

        // A hotspot and a recurrence the hotspot desk can show: requests with their matter and street, as a
        // dispatcher would have set them.
        foreach (var p in planted)
        {
            var district = byCode[p.Street.DistrictCode!];
            var request = NewRequest(p.Template, p.Street, p.Place, p.Submitted, p.Channel, p.Phone);
            request.MatterCode = p.Matter;
            request.MatterConfirmed = true;
            Walk(request, random, now, root, district, p.Lead, p.Lead == p.Street ? null : p.Street, demoUsers, p.Progress);
            CloseIfUnrated(request, now, ratingOptions.Value.AutoCloseAfter);
            batch.Add(request);
        }

        await SaveAsync(batch, cancellationToken);
        await MergeSomeDuplicatesAsync(random, root, demoUsers["dispatcher"].Id, now, cancellationToken);
        db.TrackingSequences.AddRange(sequences.Select(s => new TrackingSequence { Day = s.Key, Last = s.Value }));
        await db.SaveChangesAsync(cancellationToken);
        var clocks = await clockHistory.RebuildAsync(cancellationToken);
        logger.LogInformation("Rebuilt {Count} clocks from the demo timelines", clocks);
        logger.LogInformation("Seeded {Count} demo requests", options.Requests);
    }

    /// <summary>A few waiting requests merged (并案) into an open one of the same district, as dispatchers do.</summary>
    private async Task MergeSomeDuplicatesAsync(Random random, Unit root, string dispatcherId, DateTime now, CancellationToken cancellationToken)
    {
        var waiting = await db.Requests.Where(r => r.State == RequestState.Submitted).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        var open = await db.Requests.AsNoTracking()
            .Where(r => r.State == RequestState.Dispatched || r.State == RequestState.InProgress)
            .Select(r => new { r.Id, r.TrackingNumber, r.AddressText, r.SubmittedAt })
            .ToListAsync(cancellationToken);
        foreach (var request in waiting.Where((_, i) => i % 25 == 0))
        {
            var master = open.FirstOrDefault(o => o.AddressText?[..6] == request.AddressText?[..6] && o.SubmittedAt < request.SubmittedAt);
            var decision = RequestLifecycle.Decide(request.State, RequestAction.Merge, Role.Dispatcher);
            if (master is null || !decision.IsAllowed)
            {
                continue;
            }

            var at = request.SubmittedAt + TimeSpan.FromMinutes(random.Next(5, 60));
            if (at >= now)
            {
                continue;
            }

            db.Events.Add(new RequestEvent { RequestId = request.Id, At = at, Action = RequestAction.Merge, FromState = request.State, ToState = decision.Transition!.To, ActorRole = Role.Dispatcher, ActorUnitId = root.Id, ActorUserId = dispatcherId, Note = $"与工单{master.TrackingNumber}并案办理", IsPublic = true });
            request.State = decision.Transition.To;
            request.MasterRequestId = master.Id;
            request.UpdatedAt = at;
        }

        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    private async Task SaveAsync(List<ServiceRequest> batch, CancellationToken cancellationToken)
    {
        db.Requests.AddRange(batch);
        await db.SaveChangesAsync(cancellationToken);
        batch.ForEach(duplicates.Add);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        batch.Clear();
    }

    /// <summary>How far along the request gets depends on its age: old ones are mostly closed.</summary>
    /// <param name="progress">How far it gets, 0 to 1, where the demo needs it (then without cancelling, returning or a
    /// dissatisfied citizen on the way); else drawn by its age.</param>
    private static void Walk(ServiceRequest request, Random random, DateTime now, Unit root, Unit district, Unit lead, Unit? coHandler, Dictionary<string, User> staff, double? progress = null)
    {
        var t = request.SubmittedAt;
        var ageDays = (now - t).TotalDays;
        var detours = progress is null;
        progress ??= random.NextDouble() * Math.Min(1.0, 0.35 + ageDays / 12);

        void Step(RequestAction action, Role role, Unit? unit, string? note, Action? effect = null, double maxHours = 6)
        {
            var next = t + TimeSpan.FromMinutes(random.Next(3, (int)(maxHours * 60)));
            if (next >= now)
            {
                throw new StopWalk();
            }

            var decision = RequestLifecycle.Decide(request.State, action, role);
            if (!decision.IsAllowed)
            {
                throw new InvalidOperationException($"Demo walk broke the table: {request.State} {action} {role}");
            }

            t = next;
            effect?.Invoke();
            request.Events.Add(new RequestEvent
            {
                At = t,
                Action = action,
                FromState = request.State,
                ToState = decision.Transition!.To,
                ActorRole = role,
                ActorUnitId = unit?.Id,
                ActorUserId = role switch
                {
                    Role.Dispatcher => staff[unit == root ? "dispatcher" : "dispatcher.futian"].Id,
                    _ => null,
                },
                Note = note,
                IsPublic = decision.Transition.IsPublic,
            });
            request.State = decision.Transition.To;
            request.UpdatedAt = t;
        }

        request.Events.Add(new RequestEvent
        {
            At = t,
            Action = RequestAction.Submit,
            ToState = RequestLifecycle.Initial,
            ActorRole = request.Channel is Channel.Hotline or Channel.ServiceCentre or Channel.Email ? Role.CallTaker : Role.Citizen,
            ActorUnitId = request.Channel is Channel.Hotline or Channel.ServiceCentre or Channel.Email ? root.Id : null,
            IsPublic = true,
        });

        try
        {
            if (progress < 0.08)
            {
                return;
            }

            if (detours && random.NextDouble() < 0.03)
            {
                Step(RequestAction.Cancel, Role.Dispatcher, root, "重复诉求，已与此前工单合并处理");
                request.ClosedAt = t;
                return;
            }

            var dispatcher = root;
            if (random.NextDouble() < 0.3)
            {
                Step(RequestAction.Forward, Role.Dispatcher, root, $"转{district.Name}分拨", () => request.PlatformUnitId = district.Id, maxHours: 1);
                dispatcher = district;
            }

            var dispatchNote = coHandler is null ? $"派发至{lead.Name}办理" : $"派发至{lead.Name}牵头办理，{coHandler.Name}协办";
            Step(RequestAction.Dispatch, Role.Dispatcher, dispatcher, dispatchNote, maxHours: 2);
            request.LeadUnitId = lead.Id;
            request.Assignments.Add(new RequestAssignment { UnitId = lead.Id, IsLead = true, IsActive = true, AssignedAt = t });
            if (coHandler is not null)
            {
                request.Assignments.Add(new RequestAssignment { UnitId = coHandler.Id, IsLead = false, IsActive = true, AssignedAt = t });
            }

            if (progress < 0.2)
            {
                return;
            }

            if (detours && random.NextDouble() < 0.04)
            {
                Step(RequestAction.Return, Role.Handler, lead, "该事项不属于本单位职责范围，请重新分拨");
                foreach (var assignment in request.Assignments)
                {
                    assignment.IsActive = false;
                }

                request.LeadUnitId = null;
                return;
            }

            Step(RequestAction.Accept, Role.Handler, lead, null);
            request.Assignments[0].AcceptedAt = t;
            if (progress < 0.35)
            {
                return;
            }

            Step(RequestAction.Handle, Role.Handler, lead, "已安排工作人员到现场核查", maxHours: 30);
            if (coHandler is not null)
            {
                Step(RequestAction.ReportPart, Role.Handler, coHandler, "已配合现场核查，情况已反馈牵头单位", maxHours: 24);
                request.Assignments[1].PartReport = "已配合现场核查，情况已反馈牵头单位";
                request.Assignments[1].PartReportedAt = t;
            }

            if (progress < 0.5)
            {
                return;
            }

            Step(RequestAction.Reply, Role.Handler, lead, Replies[random.Next(Replies.Length)], maxHours: 96);
            request.RepliedAt = t;
            if (progress < 0.6)
            {
                return;
            }

            if (detours && random.NextDouble() < 0.06)
            {
                Step(RequestAction.RateDissatisfied, Role.Citizen, null, "问题没有解决，仍然存在", maxHours: 48);
                request.Rating = Rating.Dissatisfied;
                request.ReopenCount = 1;
                request.RepliedAt = null;
                if (progress < 0.75)
                {
                    return;
                }

                Step(RequestAction.Accept, Role.Handler, lead, null);
                Step(RequestAction.Reply, Role.Handler, lead, "经再次核查，已督促相关方整改到位，后续将加强巡查。", maxHours: 72);
                request.RepliedAt = t;
                if (progress < 0.85)
                {
                    return;
                }
            }

            var rating = random.NextDouble() < 0.85 ? Rating.Satisfied : Rating.BasicallySatisfied;
            Step(RequestLifecycle.RatingAction(rating), random.NextDouble() < 0.5 ? Role.Citizen : Role.CallTaker, null, null, maxHours: 72);
            request.Rating = rating;
            request.ClosedAt = t;
        }
        catch (StopWalk)
        {
            // The walk would have run into the future: the request stays where it is.
        }
    }

    /// <summary>What the auto-close worker would have done by now, dated when it would have done it.</summary>
    private static void CloseIfUnrated(ServiceRequest request, DateTime now, TimeSpan after)
    {
        if (request.State != RequestState.Replied || request.RepliedAt + after >= now)
        {
            return;
        }

        var at = request.RepliedAt!.Value + after;
        request.Events.Add(new RequestEvent
        {
            At = at,
            Action = RequestAction.AutoClose,
            FromState = RequestState.Replied,
            ToState = RequestState.Closed,
            ActorRole = Role.System,
            Note = "评价期满未评价，自动办结",
            IsPublic = true,
        });
        request.State = RequestState.Closed;
        request.ClosedAt = at;
        request.UpdatedAt = at;
    }

    private sealed class StopWalk : Exception;

    private sealed record PlantedRequest(Template Template, Unit Street, string Place, string Matter, Unit Lead, DateTime Submitted, Channel Channel, string Phone, double? Progress = null);

    /// <summary>
    /// Night work at a building site near 岗厦村 that six people complained of in five days (one of them twice), after
    /// one complaint in the weeks before: a hotspot. Rubbish piling up at 莲花一村 again, five weeks after it was
    /// cleared and the request closed: a recurrence.
    /// </summary>
    private static List<PlantedRequest> Planted(Dictionary<string, Unit> byCode, DateTime now)
    {
        var futian = byCode["440304004"];
        var huafu = byCode["440304009"];
        var housing = byCode["440304-ZJ"];
        const string night = "03.01.002";
        static Template Noise(string title, string description) => new("complaint", "noise.construction", title, description, "fast");
        var site = "{place}旁边的工地";
        List<PlantedRequest> planted =
        [
            new(Noise("{place}工地晚上施工", $"{site}最近晚上十点以后还在干活，吵得老人睡不着，请管一管。"), futian, "岗厦村", night, housing, now.AddDays(-20), Channel.Hotline, "19900100001", 1.0),
            new(Noise("{place}旁工地凌晨还在施工", $"{site}凌晨一点还在施工，挖掘机和运泥车的声音特别大，整栋楼都被吵醒了。"), futian, "岗厦村", night, housing, now.AddDays(-5).AddHours(-3), Channel.Hotline, "19900100002"),
            new(Noise("工地夜间打桩吵得无法入睡", $"{site}连续几晚夜里打桩，咚咚声一直响到两三点，孩子第二天还要上学。"), futian, "岗厦村", night, housing, now.AddDays(-4).AddHours(-9), Channel.WeChat, "19900100003"),
            new(Noise("深夜工地机器轰鸣扰民", $"{site}深夜机器轰鸣，请问有没有夜间施工许可？希望尽快查处。"), futian, "岗厦村", night, housing, now.AddDays(-3).AddHours(-20), Channel.Mobile, "19900100004"),
            new(Noise("{place}附近工地十二点后还在作业", $"{site}晚上十二点以后还在作业，灯光和噪音都很大。"), futian, "岗厦村", night, housing, now.AddDays(-3).AddHours(-2), Channel.Hotline, "19900100005"),
            new(Noise("夜间施工噪音太大，请查处", $"{site}夜间施工噪音太大，已经一个星期了，请相关部门查处。"), futian, "岗厦村", night, housing, now.AddDays(-2).AddHours(-6), Channel.Web, "19900100006"),
            new(Noise("工地半夜运泥车和挖掘机作业", $"{site}半夜运泥车进进出出，挖掘机一直在挖，严重影响休息。"), futian, "岗厦村", night, housing, now.AddDays(-1).AddHours(-4), Channel.Hotline, "19900100007"),
            new(Noise("工地夜间施工问题仍未解决", $"前几天反映过{site}夜间施工的问题，昨晚又吵到凌晨，问题仍未解决。"), futian, "岗厦村", night, housing, now.AddHours(-7), Channel.Hotline, "19900100003", 0.0),

            new(new("complaint", "urban.appearance", "{place}楼下垃圾堆积发臭", "{place}楼下的公共区域堆了很多垃圾，天热发臭还招老鼠，请尽快清理。", "normal"),
                huafu, "莲花一村", "08.04.002", huafu, now.AddDays(-40), Channel.Hotline, "19900100011", 1.0),
            new(new("complaint", "urban.appearance", "{place}垃圾又堆起来了", "上个月反映过{place}楼下公共区域垃圾堆积，清理过一次，现在又堆满了，希望彻底解决。", "normal"),
                huafu, "莲花一村", "08.04.002", huafu, now.AddDays(-2), Channel.WeChat, "19900100012", 0.0),
        ];
        return planted;
    }

    private static readonly string[] Replies =
    [
        "您好，经现场核查，反映的问题属实，已责令相关责任方限期整改，目前已整改完毕。感谢您对我们工作的支持。",
        "您好，我单位已安排执法人员到场处理，对相关行为进行了劝导和教育，并将持续跟进。",
        "您好，经核实，该问题已协调相关部门处理完毕，如仍有问题可再次反映。",
        "您好，您咨询的事项办理流程及所需材料已电话告知，您也可通过“i深圳”APP在线查询。",
        "您好，已联系物业服务企业落实整改，并要求其加强日常管理，感谢您的监督。",
        "您好，经调解，双方已就相关事宜达成一致，款项已于近日退还。",
    ];

    private static Channel PickChannel(Random random) => random.NextDouble() switch
    {
        < 0.42 => Channel.Hotline,
        < 0.64 => Channel.Mobile,
        < 0.80 => Channel.WeChat,
        < 0.90 => Channel.Web,
        < 0.96 => Channel.ServiceCentre,
        < 0.98 => Channel.Email,
        _ => Channel.Open311,
    };

    private static readonly string Surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤";
    private static readonly string GivenChars = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅辉鹏建国志文斌宇浩凯婷雪琳晨欣怡子轩梓涵雨嘉俊佳鑫";

    private static string FakeName(Random random)
    {
        var length = random.NextDouble() < 0.6 ? 2 : 1;
        var given = string.Concat(Enumerable.Range(0, length).Select(_ => GivenChars[random.Next(GivenChars.Length)]));
        return $"{Surnames[random.Next(Surnames.Length)]}{given}";
    }
}
