using System.Text;
using System.Text.Encodings.Web;
using Suban.Core.Catalogue;

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

    private static async Task<IResult> MatterAsync(string code, string? lang, int? version, CatalogueStore store, CancellationToken cancellationToken)
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
        return Page(t, m.Name, html.ToString());
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
        · <a href="?lang={{(t.Language == "en" ? "zh" : "en")}}">{{t["English", "中文"]}}</a></header>
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
