using System.Text;
using System.Text.Encodings.Web;
using Suban.Core.Catalogue;
using Suban.Web.Infrastructure;

namespace Suban.Web.Catalogue;

/// <summary>
/// The responsibility list as pages anyone can read: the tree with a search box, and each matter with its units,
/// limits and phrasings. Plain server-rendered HTML that works without script; Chinese first, ?lang=en for English.
/// </summary>
internal static class CataloguePages
{
    public static IEndpointRouteBuilder MapCataloguePages(this IEndpointRouteBuilder routes)
    {
        // Anyone.
        routes.MapGet("/catalogue", ListAsync).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/catalogue/{code}", MatterAsync).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/catalogue/versions", VersionsAsync).AllowAnonymous().ExcludeFromDescription();

        // The list's editors and administrators, signed in with a cookie; forms carry an antiforgery token.
        var editors = new[] { Infrastructure.Roles.CatalogueEditor, Infrastructure.Roles.Administrator };
        routes.MapPost("/catalogue/{code}/edit", EditAsync).RequireAuthorization(p => p.RequireRole(editors)).ExcludeFromDescription();
        routes.MapPost("/catalogue/{code}/retire", RetireAsync).RequireAuthorization(p => p.RequireRole(editors)).ExcludeFromDescription();
        return routes;
    }

    private static async Task<IResult> ListAsync(string? q, string? lang, CatalogueStore store, CancellationToken cancellationToken)
    {
        var t = new Text(lang);
        if (await store.CurrentAsync(cancellationToken) is not ({ } version, { } snapshot))
        {
            return Page(t, t["职责清单", "Responsibility list"], "<p>—</p>");
        }

        var html = new StringBuilder();
        html.Append($"<form role=\"search\" method=\"get\"><label for=\"q\">{t["搜索事项", "Search matters"]}</label> ")
            .Append($"<input id=\"q\" name=\"q\" value=\"{E(q)}\" placeholder=\"{t["如：噪音、预付卡、拖欠工资", "e.g. noise, prepaid card, unpaid wages"]}\">")
            .Append(lang == "en" ? "<input type=\"hidden\" name=\"lang\" value=\"en\">" : "")
            .Append($" <button>{t["搜索", "Search"]}</button></form>");
        var active = snapshot.Active.ToList();
        html.Append($"<p>{t["版本", "Version"]} {version} · {active.Select(m => m.Category).Distinct().Count()} {t["类", "categories"]} · {active.Select(m => (m.Category, m.SubCategory)).Distinct().Count()} {t["小类", "sub-categories"]} · {active.Count} {t["项事项", "matters"]}</p>");

        if (!string.IsNullOrWhiteSpace(q))
        {
            var term = q.Trim();
            var hits = active.Where(m => m.Name.Contains(term, StringComparison.OrdinalIgnoreCase) || m.Keywords.Any(k => k.Contains(term, StringComparison.OrdinalIgnoreCase))).Take(100).ToList();
            html.Append($"<h2>{t["搜索结果", "Results"]} ({hits.Count})</h2><ul>");
            foreach (var m in hits)
            {
                html.Append($"<li><a href=\"/catalogue/{E(m.Code)}{Lang(lang)}\">{E(m.Name)}</a> <small>{E(m.Category)} › {E(m.SubCategory)} · {E(m.Code)}</small></li>");
            }

            html.Append("</ul>");
            return Page(t, t["职责清单", "Responsibility list"], html.ToString());
        }

        foreach (var category in active.GroupBy(m => m.Category))
        {
            html.Append($"<details><summary>{E(category.Key)} <small>({category.Count()})</small></summary>");
            foreach (var sub in category.GroupBy(m => m.SubCategory))
            {
                html.Append($"<h3>{E(sub.Key)}</h3><ul>");
                foreach (var m in sub)
                {
                    html.Append($"<li><a href=\"/catalogue/{E(m.Code)}{Lang(lang)}\">{E(m.Name)}</a></li>");
                }

                html.Append("</ul>");
            }

            html.Append("</details>");
        }

        return Page(t, t["职责清单", "Responsibility list"], html.ToString());
    }

    private static async Task<IResult> MatterAsync(string code, string? lang, int? version, string? saved, HttpContext http, CatalogueStore store, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var t = new Text(lang);
        var snapshot = version is { } v ? await store.SnapshotAsync(v, cancellationToken) : (await store.CurrentAsync(cancellationToken))?.Snapshot;
        if (snapshot?[code] is not { } m)
        {
            return Results.Content(Html(t, t["未找到", "Not found"], $"<p>{t["没有这个事项。", "No such matter."]} <a href=\"/catalogue{Lang(lang)}\">{t["返回清单", "Back to the list"]}</a></p>"), "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        }

        string Level(Level level) => level switch
        {
            Core.Catalogue.Level.City => t["市级", "city"],
            Core.Catalogue.Level.District => t["区级", "district"],
            _ => t["街道", "street"],
        };

        var html = new StringBuilder();
        html.Append($"<p><a href=\"/catalogue{Lang(lang)}\">{t["职责清单", "Responsibility list"]}</a> › {E(m.Category)} › {E(m.SubCategory)}</p>");
        if (m.Retired)
        {
            html.Append($"<p role=\"status\"><strong>{t["该事项已停用", "This matter is retired"]}</strong>{(m.MergedInto is null ? "" : $"，{t["已并入", "merged into"]} <a href=\"/catalogue/{E(m.MergedInto)}{Lang(lang)}\">{E(m.MergedInto)}</a>")}</p>");
        }

        html.Append("<dl>")
            .Append($"<dt>{t["编码", "Code"]}</dt><dd>{E(m.Code)}</dd>")
            .Append($"<dt>{t["牵头层级", "Lead level"]}</dt><dd>{Level(m.LeadLevel)}{(m.Territorial ? t["（属地管理）", " (territorial)"] : "")}</dd>")
            .Append($"<dt>{t["市级责任部门", "City department"]}</dt><dd>{E(m.CityUnit ?? "—")}</dd>")
            .Append($"<dt>{t["区级责任部门", "District bureau"]}</dt><dd>{E(m.DistrictUnit ?? "—")}</dd>")
            .Append($"<dt>{t["街道负责", "Street office responsible"]}</dt><dd>{(m.StreetUnit ? t["是", "yes"] : t["否", "no"])}</dd>")
            .Append($"<dt>{t["协办", "Co-handling"]}</dt><dd>{E(m.CoHandling.Count == 0 ? "—" : string.Join("、", m.CoHandling))}</dd>")
            .Append($"<dt>{t["办理时限（工作日）", "Time limits (working days)"]}</dt><dd>{t["咨询", "consultation"]} {m.Limits.Consultation} · {t["投诉", "complaint"]} {m.Limits.Complaint} · {t["建议", "suggestion"]} {m.Limits.Suggestion} · {t["求助", "help"]} {m.Limits.Help}</dd>")
            .Append("</dl>");
        if (m.InstantAnswer is not null)
        {
            html.Append($"<h2>{t["秒回答复", "Instant answer"]}</h2><p>{E(m.InstantAnswer)}</p>");
        }

        html.Append($"<h2>{t["常见说法", "How citizens put it"]}</h2><ul>");
        foreach (var example in m.Examples)
        {
            html.Append($"<li>{E(example)}</li>");
        }

        html.Append($"</ul><p><small>{t["关键词", "Keywords"]}：{E(string.Join("、", m.Keywords))}</small></p>");
        if (saved is not null)
        {
            html.Insert(0, $"<p role=\"status\"><strong>{t["已保存为新版本", "Saved as version"]} {E(saved)}</strong></p>");
        }

        if (!m.Retired && (http.User.IsInRole(Infrastructure.Roles.CatalogueEditor) || http.User.IsInRole(Infrastructure.Roles.Administrator)))
        {
            html.Append(EditForms(m, t, antiforgery.GetAndStoreTokens(http)));
        }

        return Page(t, m.Name, html.ToString());
    }

    private static string EditForms(Matter m, Text t, Microsoft.AspNetCore.Antiforgery.AntiforgeryTokenSet tokens)
    {
        var token = $"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken)}\">";
        string Field(string name, string label, string? value, string type = "text") =>
            $"<p><label for=\"{name}\">{label}</label><br><input id=\"{name}\" name=\"{name}\" type=\"{type}\" value=\"{E(value)}\"></p>";
        string Check(string name, string label, bool value) =>
            $"<p><input id=\"{name}\" name=\"{name}\" type=\"checkbox\" value=\"true\"{(value ? " checked" : "")}> <label for=\"{name}\">{label}</label></p>";
        var levels = string.Concat(new[] { ("city", t["市级", "city"]), ("district", t["区级", "district"]), ("street", t["街道", "street"]) }
            .Select(l => $"<option value=\"{l.Item1}\"{(m.LeadLevel.ToString().Equals(l.Item1, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{l.Item2}</option>"));
        return $"""
            <h2>{t["编辑事项（职责清单编辑）", "Edit this matter (list editors)"]}</h2>
            <form method="post" action="/catalogue/{E(m.Code)}/edit">{token}
            {Field("name", t["名称", "Name"], m.Name)}
            {Field("category", t["大类", "Category"], m.Category)}
            {Field("subCategory", t["小类", "Sub-category"], m.SubCategory)}
            {Field("cityUnit", t["市级责任部门编码", "City department code"], m.CityUnit)}
            {Field("districtUnit", t["区级责任部门编码", "District bureau code"], m.DistrictUnit)}
            {Check("streetUnit", t["街道负责", "Street office responsible"], m.StreetUnit)}
            <p><label for="leadLevel">{t["牵头层级", "Lead level"]}</label><br><select id="leadLevel" name="leadLevel">{levels}</select></p>
            {Check("territorial", t["属地管理", "Territorial principle"], m.Territorial)}
            {Field("coHandling", t["协办（编码，用逗号分隔）", "Co-handling (codes, comma-separated)"], string.Join(",", m.CoHandling))}
            {Field("limitConsultation", t["咨询时限（工作日）", "Consultation limit (working days)"], m.Limits.Consultation.ToString(System.Globalization.CultureInfo.InvariantCulture), "number")}
            {Field("limitComplaint", t["投诉时限（工作日）", "Complaint limit (working days)"], m.Limits.Complaint.ToString(System.Globalization.CultureInfo.InvariantCulture), "number")}
            {Field("limitSuggestion", t["建议时限（工作日）", "Suggestion limit (working days)"], m.Limits.Suggestion.ToString(System.Globalization.CultureInfo.InvariantCulture), "number")}
            {Field("limitHelp", t["求助时限（工作日）", "Help limit (working days)"], m.Limits.Help.ToString(System.Globalization.CultureInfo.InvariantCulture), "number")}
            {Field("effectiveAt", t["生效时间（留空为立即）", "Effective from (empty: now)"], null, "datetime-local")}
            {Field("note", t["变更说明", "Reason for the change"], null)}
            <p><button>{t["保存为新版本", "Save as a new version"]}</button></p></form>
            <form method="post" action="/catalogue/{E(m.Code)}/retire">{token}
            {Field("into", t["并入事项编码（留空则停用）", "Merge into matter code (empty: retire)"], null)}
            {Field("note", t["变更说明", "Reason for the change"], null)}
            <p><button>{t["停用或合并", "Retire or merge"]}</button></p></form>
            """;
    }

    private static async Task<IResult> EditAsync(string code, HttpRequest http, CatalogueStore store, ActorAccessor actors, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(http.HttpContext))
        {
            return Results.BadRequest();
        }

        var form = await http.ReadFormAsync(cancellationToken);
        var latest = await store.LatestNumberAsync(cancellationToken) ?? 0;
        var current = await store.SnapshotAsync(latest, cancellationToken);
        if (current?[code] is not { } matter)
        {
            return Results.NotFound();
        }

        int Limit(string name, int fallback) => int.TryParse(form[name], out var value) ? value : fallback;
        string? Optional(string name) => string.IsNullOrWhiteSpace(form[name]) ? null : form[name].ToString().Trim();
        var updated = matter with
        {
            Name = form["name"].ToString().Trim(),
            Category = form["category"].ToString().Trim(),
            SubCategory = form["subCategory"].ToString().Trim(),
            CityUnit = Optional("cityUnit"),
            DistrictUnit = Optional("districtUnit"),
            StreetUnit = form["streetUnit"] == "true",
            LeadLevel = Enum.TryParse<Level>(form["leadLevel"], ignoreCase: true, out var level) ? level : matter.LeadLevel,
            Territorial = form["territorial"] == "true",
            CoHandling = form["coHandling"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Limits = new TimeLimits(Limit("limitConsultation", 0), Limit("limitComplaint", 0), Limit("limitSuggestion", 0), Limit("limitHelp", 0)),
        };
        return await SaveAsync(current, [new CatalogueEdit.Update(updated)], form, code, store, actors, cancellationToken);
    }

    private static async Task<IResult> RetireAsync(string code, HttpRequest http, CatalogueStore store, ActorAccessor actors, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(http.HttpContext))
        {
            return Results.BadRequest();
        }

        var form = await http.ReadFormAsync(cancellationToken);
        var latest = await store.LatestNumberAsync(cancellationToken) ?? 0;
        var current = await store.SnapshotAsync(latest, cancellationToken) ?? new CatalogueSnapshot([]);
        CatalogueEdit edit = string.IsNullOrWhiteSpace(form["into"]) ? new CatalogueEdit.Retire(code) : new CatalogueEdit.Merge(code, form["into"].ToString().Trim());
        return await SaveAsync(current, [edit], form, code, store, actors, cancellationToken);
    }

    private static async Task<IResult> SaveAsync(CatalogueSnapshot current, CatalogueEdit[] edits, IFormCollection form, string code, CatalogueStore store, ActorAccessor actors, CancellationToken cancellationToken)
    {
        var (next, errors) = current.Apply(edits);
        if (next is null)
        {
            var t = new Text(null);
            var list = string.Concat(errors.Select(e => $"<li>{E(e.Field)}：{E(e.Message)}</li>"));
            return Results.Content(Html(t, t["未保存", "Not saved"], $"<ul role=\"alert\">{list}</ul><p><a href=\"/catalogue/{E(code)}\">{t["返回", "Back"]}</a></p>"), "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }

        DateTime? effectiveAt = DateTime.TryParse(form["effectiveAt"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeLocal, out var at) ? at.ToUniversalTime() : null;
        var actor = await actors.GetAsync(cancellationToken);
        var version = await store.SaveAsync(next, effectiveAt, string.IsNullOrWhiteSpace(form["note"]) ? null : form["note"].ToString(), "catalogue.change", actor.UserId, cancellationToken);
        return Results.Redirect($"/catalogue/{Uri.EscapeDataString(code)}?version={version}&saved={version}");
    }

    private static async Task<IResult> VersionsAsync(int? from, int? to, string? lang, CatalogueStore store, CancellationToken cancellationToken)
    {
        var t = new Text(lang);
        var versions = await store.VersionsAsync(cancellationToken);
        var html = new StringBuilder("<table><thead><tr>");
        html.Append($"<th scope=\"col\">{t["版本", "Version"]}</th><th scope=\"col\">{t["生效时间", "Effective"]}</th><th scope=\"col\">{t["说明", "Note"]}</th><th scope=\"col\">{t["变更", "Changes"]}</th></tr></thead><tbody>");
        foreach (var v in versions)
        {
            var diff = v.Number > 1 ? $"<a href=\"/catalogue/versions?from={v.Number - 1}&to={v.Number}{(lang == "en" ? "&lang=en" : "")}\">{t["与上一版比较", "Compare with previous"]}</a>" : "";
            html.Append($"<tr><td>{v.Number}</td><td>{v.EffectiveAt:yyyy-MM-dd HH:mm} UTC</td><td>{E(v.Note)}</td><td>{diff}</td></tr>");
        }

        html.Append("</tbody></table>");
        if (from is { } f && to is { } tt && await store.SnapshotAsync(f, cancellationToken) is { } before && await store.SnapshotAsync(tt, cancellationToken) is { } after)
        {
            html.Append($"<h2>{t["版本", "Version"]} {f} → {tt}</h2><ul>");
            foreach (var change in CatalogueDiff.Between(before.Matters, after.Matters))
            {
                var name = (change.After ?? change.Before)!.Name;
                html.Append($"<li><a href=\"/catalogue/{E(change.Code)}?version={tt}\">{E(change.Code)} {E(name)}</a>：{change.Kind} {E(string.Join(", ", change.Fields))}</li>");
            }

            html.Append("</ul>");
        }

        return Page(t, t["职责清单版本", "Versions of the list"], html.ToString());
    }

    private static IResult Page(Text t, string title, string body) => Results.Content(Html(t, title, body), "text/html; charset=utf-8");

    private static string Html(Text t, string title, string body) => $$"""
        <!doctype html>
        <html lang="{{t.Language}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{E(title)}} · {{t["速办", "Suban"]}}</title>
        <style>
        body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:60rem;margin:0 auto;padding:1rem;line-height:1.6;color:#1a1a1a}
        a{color:#0b57d0} a:focus,button:focus,input:focus,summary:focus{outline:3px solid #f9a825;outline-offset:2px}
        summary{cursor:pointer;font-weight:600;padding:.25rem 0} h3{font-size:1rem;margin:.5rem 0 0 1rem} ul{margin-top:.25rem}
        dt{font-weight:600} dd{margin:0 0 .5rem 0} input{padding:.4rem;min-width:16rem} button{padding:.4rem .8rem}
        </style></head>
        <body><header><a href="/catalogue{{(t.Language == "en" ? "?lang=en" : "")}}">{{t["速办 · 职责清单", "Suban · responsibility list"]}}</a>
        · <a href="/catalogue/versions{{(t.Language == "en" ? "?lang=en" : "")}}">{{t["版本", "Versions"]}}</a>
        · <a href="?lang={{(t.Language == "en" ? "zh" : "en")}}">{{t["English", "中文"]}}</a>
        · <a href="/login?returnUrl=/catalogue">{{t["登录", "Sign in"]}}</a></header>
        <main><h1>{{E(title)}}</h1>{{body}}</main></body></html>
        """;

    private static string Lang(string? lang) => lang == "en" ? "?lang=en" : "";

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    private static string E(string? value) => Encoder.Encode(value ?? "");

    private sealed class Text(string? lang)
    {
        public string Language { get; } = lang == "en" ? "en" : "zh-CN";

        public string this[string chinese, string english] => Language == "en" ? english : chinese;
    }
}
