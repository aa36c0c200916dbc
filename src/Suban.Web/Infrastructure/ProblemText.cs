using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Suban.Core.Lifecycle;
using Suban.Web.Pages;

namespace Suban.Web.Infrastructure;

/// <summary>The API's problem messages in Simplified Chinese, keyed by their exact English text.</summary>
/// <remarks>
/// Only static messages: those built with interpolation (naming a code, an id, a limit or a field) are not here.
/// A message used by several files is listed once, under the first of them; the others are named beside it.
/// </remarks>
internal static class ProblemText
{
    public static readonly IReadOnlyDictionary<string, string> Chinese = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // Accounts/AuthEndpoints.cs
        ["'userName' is required."] = "'userName' 为必填项。",
        ["'password' is required."] = "'password' 为必填项。", // also Accounts/UserAdmin.cs
        ["Too many failed attempts; try again later."] = "尝试次数过多，请稍后再试。",
        ["'refreshToken' is required."] = "'refreshToken' 为必填项。",
        ["The refresh token is not valid."] = "刷新令牌无效或已过期。",
        ["A phone number is the account name: 7 to 15 digits."] = "手机号码即账号名，应为 7 至 15 位数字。",
        ["An account with this phone number exists already."] = "该手机号码已注册账号。",
        ["Wrong user name or password."] = "用户名或密码错误。",
        ["Unauthorized"] = "身份验证失败",

        // Accounts/UserAdmin.cs
        ["A user name of 1 to 64 characters."] = "用户名长度应为 1 至 64 个字符。",
        ["An account with this user name exists already."] = "该用户名已存在。",
        ["No staff account has this id."] = "没有此 id 的工作人员账号。",

        // Catalogue/CatalogueEndpoints.cs
        ["No such version of the list."] = "职责清单没有该版本。",
        ["Name a version that exists."] = "请指定一个已有的版本。",
        ["csv or xlsx."] = "格式应为 csv 或 xlsx。",
        ["Send at least one operation."] = "请至少提交一项操作。",
        ["op is add or update (with matter), or rename, move, merge or retire (with code)."] = "op 应为 add 或 update（须附 matter），或 rename、move、merge、retire（须附 code）。",
        ["Send the list as multipart/form-data with a 'file' part (.csv or .xlsx)."] = "请以 multipart/form-data 格式上传职责清单，文件放在 'file' 字段中（.csv 或 .xlsx）。",
        ["Send the list in a part named 'file'."] = "请将职责清单放在名为 'file' 的字段中上传。",

        // Catalogue/ResponsibilityEndpoints.cs
        ["No request with this tracking number is visible to you."] = "未找到该受理编号对应的诉求，或您无权查看。", // also Duplicates/DuplicateIndex.cs, Requests/RequestWorkflow.cs, Tracking/TrackingEndpoints.cs
        ["The request has no matter yet; a dispatcher sets one when dispatching."] = "该诉求尚未确定事项，由分拨员在派单时确定。",
        ["Name a matter in force."] = "请指定一个现行有效的事项。",

        // Deadlines/DeadlineEndpoints.cs
        ["The request has no running handling clock to extend."] = "该诉求没有正在计时的办理时限，无法延期。",
        ["An extension is already waiting for a decision."] = "已有一项延期申请正在等待审核。",
        ["No extension request with this id on this request."] = "该诉求下没有此 id 的延期申请。",
        ["The handling clock this extension was for has stopped."] = "该延期申请对应的办理计时已停止。",
        ["The request has no handling clock to stop."] = "该诉求没有可挂起的办理计时。",
        ["The handling clock is already stopped."] = "办理计时已挂起。",
        ["The handling clock is not stopped."] = "办理计时未处于挂起状态。",
        ["A supervision order gives 1 to 30 working days."] = "督办时限应为 1 至 30 个工作日。",
        ["At most 2,000 characters."] = "最多 2,000 个字符。",
        ["The request has no lead unit to supervise."] = "该诉求尚无牵头单位，无法督办。",
        ["No supervision order with this id on this request."] = "该诉求下没有此 id 的督办单。",
        ["This supervision order was answered already."] = "该督办单已回复。",
        ["A model is being trained already; its result will be in use in a moment."] = "已有模型正在训练，训练完成后即自动启用。",
        ["Record why the citizen is dissatisfied: the unit handles the request again from it."] = "请记录市民不满意的原因：承办单位将据此重新办理。",
        ["This supervision order was withdrawn: the unit it was addressed to no longer leads the request."] = "该督办单已撤回：被督办单位已不再主办该诉求。",
        ["Only the unit the order is addressed to may answer it."] = "仅被督办单位可回复该督办单。",
        ["Between 1 and 200."] = "应在 1 至 200 之间。",
        ["From 1."] = "应从 1 开始。",
        ["A year between 2000 and 2100."] = "年份应在 2000 至 2100 之间。",
        ["A date as yyyy-MM-dd."] = "日期格式应为 yyyy-MM-dd。", // also Deadlines/LeagueTable.cs
        ["'holiday' or 'workday'."] = "应为 'holiday'（节假日）或 'workday'（调休工作日）。",
        ["At most 50 characters."] = "最多 50 个字符。",
        ["No notification with this id is yours."] = "您没有此 id 的通知。",

        // Deadlines/LeagueTable.cs
        ["One of week, month, quarter, year."] = "应为 week（周）、month（月）、quarter（季度）、year（年）之一。",

        // Dispatch/DispatchEndpoints.cs
        ["No matter in force has this code."] = "没有该编码的现行事项。",
        ["Name the lead unit."] = "请指定牵头单位。",
        ["Each unit appears once, and the lead unit is not also a co-handling unit."] = "每个单位只能出现一次，牵头单位不能同时作为协办单位。",
        ["Platforms do not handle requests; forward the request to a platform instead."] = "分拨平台不直接办理诉求，请改为下派至该平台。",
        ["A platform dispatches within its own area, or to city departments."] = "分拨平台只能向本辖区内的单位或市直部门派单。",
        ["Name the platform to forward to."] = "请指定下派的分拨平台。",
        ["Forward to a district platform or a street office."] = "只能下派至区分拨平台或街道办事处。",
        ["Forward only down to a platform below the one holding the request."] = "只能下派至当前分拨平台的下级平台。",
        ["Name another request to merge into."] = "请指定要并入的另一件诉求。",
        ["Merge into an open request you can see that is not itself merged."] = "只能并入您可查看、尚未办结且本身未被并案的诉求。",

        // Duplicates/DuplicateIndex.cs
        ["Send the text typed so far."] = "请发送目前已输入的内容。",
        ["At most 20,000 characters."] = "最多 20,000 个字符。",

        // Infrastructure/Problems.cs
        ["Not found"] = "未找到",
        ["Conflict"] = "操作冲突",
        ["Forbidden"] = "无权操作",
        ["Unexpected error"] = "系统异常",
        ["The body is not valid JSON."] = "请求内容不是有效的 JSON。", // also Intake/IntakeEndpoints.cs
        ["One or more validation errors occurred."] = "提交的信息有误，请核对后重试。",
        ["Unsupported content type"] = "不支持的内容类型", // also Intake/IntakeEndpoints.cs
        ["Body too large"] = "请求内容过大",
        ["Bad request"] = "请求有误",
        ["Send the body as application/json."] = "请以 application/json 格式提交请求内容。",

        // Intake/IntakeEndpoints.cs
        ["Only citizens and call-takers take requests in."] = "仅市民和话务员可提交诉求。",
        ["No matter in force has this code; browse /api/v1/catalogue, or leave it out."] = "没有该编码的现行事项；请查阅 /api/v1/catalogue，或不填此项。",
        ["This idempotency key (or channel and external id) was already used for a different request."] = "该幂等键（或渠道与外部编号）已用于另一件诉求。",
        ["The body is empty."] = "请求内容为空。",
        ["Send application/json, or multipart/form-data with a 'request' part and 'photos' files."] = "请以 application/json 格式提交，或以 multipart/form-data 格式提交（'request' 字段为诉求内容，'photos' 为照片文件）。",
        ["The multipart body needs a 'request' part holding the request as JSON."] = "multipart 请求须包含 'request' 字段，以 JSON 格式填写诉求内容。",
        ["The 'request' part is empty."] = "'request' 字段为空。",
        ["Not an image (JPEG, PNG, GIF, WebP or HEIC), whatever its name says."] = "该文件实际不是图片（支持 JPEG、PNG、GIF、WebP 或 HEIC），与文件名无关。",

        // Intake/SubmitRequest.cs
        ["Choose a type: consultation, complaint, suggestion or help."] = "请选择诉求类型：咨询（consultation）、投诉（complaint）、建议（suggestion）或求助（help）。",
        ["Give an address, a location (latitude and longitude), or both."] = "请填写地址或在地图上选点（经纬度），也可两者都填。",
        ["Latitude and longitude go together."] = "经度和纬度须同时填写。",
        ["The location is outside the service area."] = "该位置不在本市服务范围内。",
        ["A phone number is required, so the city can call back and you can look the request up."] = "请填写联系电话，以便工作人员回电联系，您也可凭此查询办理进度。",
        ["Not a phone number: 7 to 15 digits, optionally with a leading + and dashes or spaces."] = "电话号码格式不正确：应为 7 至 15 位数字，可以 + 开头，可含短横线或空格。",
        ["Say which channel the request came through."] = "请注明诉求的来源渠道。",
        ["Citizens submit through web, mobile or wechat; other channels are staffed."] = "市民可通过网站（web）、手机（mobile）或微信（wechat）提交诉求；其他渠道由工作人员受理。",

        // Integration/DepartmentSystems.cs
        ["Only a department system, with its API key, addresses requests by its own ids."] = "仅业务系统可凭其 API 密钥按自身编号访问诉求。",
        ["'trackingNumber' is required."] = "'trackingNumber' 为必填项。",
        ["The external id or the request was linked concurrently; read the link again."] = "该外部编号或诉求刚被同时关联，请重新读取关联信息。",

        // Integration/ImportEndpoints.cs
        ["Send the file as multipart/form-data in the field 'file'."] = "请以 multipart/form-data 格式上传文件，文件放在 'file' 字段中。",
        ["The file name must end in .csv, .xlsx or .jsonl."] = "文件名须以 .csv、.xlsx 或 .jsonl 结尾。",
        ["Between 1 and 5000."] = "应在 1 至 5000 之间。",
        ["Pages start at 1."] = "页码从 1 开始。", // also Tracking/TrackingEndpoints.cs
        ["Export as csv, xlsx or jsonl."] = "导出格式应为 csv、xlsx 或 jsonl。",

        // Integration/WebhookEndpoints.cs
        ["An absolute https:// URL of at most 500 characters."] = "应为完整的 https:// 网址，最多 500 个字符。",
        ["Deliveries carry requests' contents: the URL must be https://."] = "推送内容包含诉求信息，网址必须使用 https://。",
        ["Between 1 and 500."] = "应在 1 至 500 之间。",

        // Pages/PageEndpoints.cs
        ["A phone number has 7 to 15 digits."] = "电话号码应为 7 至 15 位数字。",
        ["'to' is on or after 'from', at most a year later."] = "'to' 不得早于 'from'，且相隔不超过一年。",

        // Places/PlaceLocator.cs
        ["district or street."] = "应为 district（区）或 street（街道）。",

        // Ratings/RatingEndpoints.cs
        ["Choose satisfied, basicallySatisfied or dissatisfied."] = "请选择评价：满意（satisfied）、基本满意（basicallySatisfied）或不满意（dissatisfied）。",

        // Requests/RequestWorkflow.cs
        ["The request changed while you were acting on it; load it again and retry."] = "该诉求在您操作期间已被更新，请刷新后重试。",
        ["Only the lead unit may do this."] = "仅牵头单位可进行此操作。",
        ["Only a co-handling unit may report a part."] = "仅协办单位可提交协办反馈。",
        ["Only the citizen who submitted the request may do this."] = "仅提交该诉求的市民本人可进行此操作。",

        // Routing/RoutingEndpoints.cs
        ["Send the text to classify."] = "请提交需要识别事项的文本。",
        ["There is no responsibility list to train from."] = "尚无职责清单，无法训练模型。",

        // Startup.cs
        ["Too many requests"] = "请求过于频繁",
        ["Wait a minute and try again."] = "请稍等一分钟后再试。",

        // Tracking/TrackingEndpoints.cs
        ["Sort by 'newest' (the default) or 'due' (least time left first)."] = "排序方式应为 'newest'（默认，最新在前）或 'due'（剩余时间最少在前）。",
        ["A tracking number looks like SZ20261122-000123."] = "受理编号格式如 SZ20261122-000123。",
        ["Give the last four digits of the phone number used for the request."] = "请填写提交诉求时所留电话号码的后四位。",
        ["No request matches this tracking number and these phone digits."] = "未找到与该受理编号及电话号码后四位相符的诉求。",
        ["'from' must not be after 'to'."] = "'from' 不得晚于 'to'。",

        // Suban.Core/Catalogue/CatalogueEdits.cs (reaches the API through Catalogue/CatalogueEndpoints.cs)
        ["A name of 1 to 100 characters."] = "名称长度应为 1 至 100 个字符。",
        ["Name the category and sub-category to move to."] = "请指定要移入的大类和小类。",
        ["Merge into another matter that is in force."] = "只能合并到另一个现行有效的事项。",
        ["A code looks like 09.03.012 (category, sub-category, matter)."] = "事项编码格式如 09.03.012（大类、小类、事项）。",
        ["Category and sub-category are required."] = "大类和小类为必填项。",
        ["A matter led at city level names its city department."] = "由市级牵头的事项须注明市级责任部门。",
        ["Time limits are 1 to 365 working days."] = "办理时限应为 1 至 365 个工作日。",
        ["Keywords and examples are single lines."] = "关键词和常见说法均须为单行文本。",

        // Hotspots/HotspotEndpoints.cs; Intake/SubmitRequest.cs
        ["Name the hotspot's street (or district) by its code."] = "请以编码指明热点所在的街道（或区）。",
        ["Name the hotspot's matter by its code."] = "请以编码指明热点的事项。",
        ["A data-driven event was made for this hotspot already."] = "已为该热点生成过大数据事件工单。",
        ["The hotspot's matter is no longer in the responsibility list in force."] = "该热点的事项已不在现行职责清单中。",
        ["A data-driven event was made for this hotspot a moment ago."] = "刚刚已为该热点生成了大数据事件工单。",
        ["Data-driven events are the platform's own requests, created from a hotspot (/api/v1/hotspots/events)."] = "大数据事件工单由平台根据热点生成（/api/v1/hotspots/events），不能从受理渠道提交。",

        // Suban.Core/Places/Boundaries.cs (reaches the API through Places/PlaceLocator.cs)
        ["Boundary GeoJSON must be a FeatureCollection."] = "边界 GeoJSON 必须是 FeatureCollection。",
        ["Boundary GeoJSON FeatureCollection has no \"features\" array."] = "边界 GeoJSON 的 FeatureCollection 缺少 \"features\" 数组。",
    };

    /// <summary>
    /// Messages built with values, as English patterns whose {0}, {1} stand for the values, and their Chinese. In the
    /// messages about a request's state or an action (Names), a value naming one is given its Chinese name.
    /// </summary>
    private static readonly (Regex English, string Chinese, bool Names)[] Patterns =
    [
        .. new (string English, string Chinese)[]
        {
            ("'{0}' is required.", "'{0}' 为必填项。"),
            ("'{0}' may be at most {1} characters; it has {2}.", "'{0}' 最多 {1} 个字符，现有 {2} 个。"),
            ("'{0}' is not possible while the request is '{1}'.", "诉求当前为“{1}”，不能“{0}”。"),
            ("Your role may not {0} requests.", "您的角色不能对诉求执行“{0}”。"),
            ("Say why or what: '{0}' is required for {1}.", "“{1}”须说明理由或内容：请填写 '{0}'。"),
            ("'{0}' may be at most 10,000 characters.", "'{0}' 最多 10,000 个字符。"),
            ("At most {0} characters.", "最多 {0} 个字符。"),
            ("A data-driven event was made for this hotspot already: {0}.", "已为该热点生成过大数据事件工单：{0}。"),
            ("No hotspot of this matter in this place among the requests of the last {0} days that you may see.", "在您可查看的近 {0} 日诉求中，该地点没有此事项的热点。"),
            ("At most {0} photos; {1} were sent.", "最多 {0} 张照片，本次上传了 {1} 张。"),
            ("Each photo may be at most {0} MB.", "每张照片不能超过 {0} MB。"),
            ("The value of '{0}' is not valid.", "'{0}' 的值无效。"),
            ("Ask for 1 to {0} working days.", "延期天数应为 1 至 {0} 个工作日。"),
            ("This extension was already approved.", "该延期申请已同意。"),
            ("This extension was already refused.", "该延期申请已不同意。"),
            ("This extension was already lapsed.", "该延期申请已失效：办理时限已结束。"),
            ("This extension was already {0}.", "该延期申请已处理（{0}）。"),
            ("At most {0} co-handling units.", "协办单位最多 {0} 个。"),
            ("No unit has the code '{0}'.", "没有编码为 '{0}' 的单位。"),
            ("No matter has the code '{0}'.", "没有编码为 '{0}' 的事项。"),
            ("Between 1 and {0}.", "应在 1 至 {0} 之间。"),
            ("The request has no photo at position {0}.", "该诉求没有第 {0} 张照片。"),
            ("'{0}' is not one of: {1}.", "'{0}' 不是以下值之一：{1}。"),
            ("No {0} boundaries have been imported.", "尚未导入 {0} 级边界。"),

            // Accounts/UserAdmin.cs
            ("Give at least one role: {0}.", "请至少指定一个角色：{0}。"),
            ("'{0}' is not a staff role: {1}.", "'{0}' 不是工作人员角色，可选角色：{1}。"),

            // Catalogue/CatalogueEndpoints.cs
            ("The file could not be read: The workbook has no sheets.", "无法读取文件：工作簿中没有工作表。"),
            ("The file could not be read: {0}", "无法读取文件：{0}"),

            // Intake/IntakeEndpoints.cs
            ("The multipart body could not be read: {0}", "无法读取 multipart 请求内容：{0}"),

            // Integration/DepartmentSystems.cs
            ("No request is linked to the external id '{0}'; link it with POST /api/v1/systems/links.", "没有诉求关联外部编号 '{0}'，请先通过 POST /api/v1/systems/links 建立关联。"),
            ("Name the system (1 to {0} characters).", "请填写业务系统名称（1 至 {0} 个字符）。"),
            ("No department system has the id {0}.", "没有 id 为 {0} 的业务系统。"),
            ("The system's own case id: 1 to {0} characters, no '/'.", "应为业务系统自身的案件编号：1 至 {0} 个字符，不得含 '/'。"),
            ("No request '{0}' is visible to this system's unit.", "未找到受理编号为 '{0}' 的诉求，或该系统所属单位无权查看。"),
            ("The external id '{0}' is linked to another request already.", "外部编号 '{0}' 已关联到另一件诉求。"),
            ("The request {0} is linked to another external id already.", "诉求 {0} 已关联到另一个外部编号。"),

            // Integration/ImportEndpoints.cs
            ("No import has the id {0}.", "没有 id 为 {0} 的导入任务。"),
            ("{0} requests match; an export holds at most {1}: narrow the filter (e.g. by 'from' and 'to').", "符合条件的诉求有 {0} 件，单次最多导出 {1} 件，请缩小筛选范围（如设置 'from' 和 'to'）。"),

            // Integration/WebhookEndpoints.cs
            ("Name the subscription (1 to {0} characters).", "请填写订阅名称（1 至 {0} 个字符）。"),
            ("Unknown event '{0}'. Known: {1}, or * for all.", "未知事件 '{0}'。可选事件：{1}，或以 * 表示全部。"),
            ("No webhook subscription has the id {0}.", "没有 id 为 {0} 的推送订阅。"),
            ("No webhook delivery has the id {0}.", "没有 id 为 {0} 的推送记录。"),

            // Places/PlaceLocator.cs
            ("Features name {0} codes the organisation does not have: {1}.", "要素所用的 {0} 编码在组织架构中不存在：{1}。"),

            // Suban.Core/Catalogue/CatalogueEdits.cs (reaches the API through Catalogue/CatalogueEndpoints.cs)
            ("'{0}' exists already; codes are never reused.", "编码 '{0}' 已存在，事项编码不得重复使用。"),

            // Suban.Core/Places/Boundaries.cs (reaches the API through Places/PlaceLocator.cs)
            ("Boundary GeoJSON is not valid JSON: {0}", "边界 GeoJSON 不是有效的 JSON：{0}"),
            ("Feature {0} is not a GeoJSON Feature.", "要素 {0} 不是 GeoJSON Feature。"),
            ("Feature {0} has no property \"{1}\".", "要素 {0} 缺少 \"{1}\" 属性。"),
            ("Feature {0}: property \"{1}\" must be a string or a number, not {2}.", "要素 {0}：\"{1}\" 属性须为字符串或数字，不能是 {2}。"),
            ("Feature {0} ({1}) has no geometry.", "要素 {0}（{1}）缺少几何对象（geometry）。"),
            ("Feature {0} ({1}): geometry has no \"coordinates\" array.", "要素 {0}（{1}）：几何对象缺少 \"coordinates\" 数组。"),
            ("Feature {0} ({1}): geometry type {2} is not Polygon or MultiPolygon.", "要素 {0}（{1}）：几何类型 {2} 不是 Polygon 或 MultiPolygon。"),
            ("Feature {0} ({1}): MultiPolygon has no polygons.", "要素 {0}（{1}）：MultiPolygon 不含任何多边形。"),
            ("Feature {0} ({1}) polygon {2}: a polygon must be a non-empty array of linear rings.", "要素 {0}（{1}）多边形 {2}：多边形须为由线性环组成的非空数组。"),
            ("Feature {0} ({1}): a polygon must be a non-empty array of linear rings.", "要素 {0}（{1}）：多边形须为由线性环组成的非空数组。"),
            ("Feature {0} ({1}) ring {2}: a linear ring needs at least four positions.", "要素 {0}（{1}）环 {2}：线性环至少需要四个坐标点。"),
            ("Feature {0} ({1}) ring {2}: a linear ring must end at the position it starts from.", "要素 {0}（{1}）环 {2}：线性环的终点须与起点相同。"),
        }.Select(p => (
            new Regex("^" + Regex.Escape(p.English).Replace("\\{0}", "(.+?)").Replace("\\{1}", "(.+?)").Replace("\\{2}", "(.+?)") + "$", RegexOptions.CultureInvariant),
            p.Chinese,
            Names: p.English.Contains("while the request is", StringComparison.Ordinal) || p.English.StartsWith("Your role may not", StringComparison.Ordinal) || p.English.Contains("is required for", StringComparison.Ordinal))),
    ];

    /// <summary>True when the caller's first language (Accept-Language, by quality) is Chinese; the pages send theirs.</summary>
    public static bool PrefersChinese(HttpRequest request)
    {
        var languages = request.GetTypedHeaders().AcceptLanguage;
        return languages.Count > 0
            && languages.OrderByDescending(l => l.Quality ?? 1).First().Value.Value is { } first
            && first.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The problem's title, detail and field messages in Chinese, where they are known; others stay as they are.</summary>
    public static void ToChinese(ProblemDetails problem)
    {
        problem.Title = problem.Title is { } title ? ToChinese(title) : null;
        problem.Detail = problem.Detail is { } detail ? ToChinese(detail) : null;
        if (problem is HttpValidationProblemDetails validation)
        {
            foreach (var field in validation.Errors.Keys.ToList())
            {
                validation.Errors[field] = validation.Errors[field].Select(ToChinese).ToArray();
            }
        }
    }

    public static string ToChinese(string english)
    {
        if (Chinese.TryGetValue(english, out var known))
        {
            return known;
        }

        foreach (var (pattern, chinese, names) in Patterns)
        {
            if (pattern.Match(english) is { Success: true } match)
            {
                var values = match.Groups.Values.Skip(1).Select(g => (object)(names ? Name(g.Value) : g.Value)).ToArray();
                return string.Format(System.Globalization.CultureInfo.InvariantCulture, chinese, values);
            }
        }

        return english;
    }

    /// <summary>A request state's or action's Chinese name; anything else as it is.</summary>
    private static string Name(string value) =>
        !value.All(char.IsAsciiLetter) ? value
        : Enum.TryParse<RequestState>(value, out var state) ? PageText.State(state, en: false)
        : Enum.TryParse<RequestAction>(value, out var action) ? TimelineText.Action(action, en: false)
        : value;
}
