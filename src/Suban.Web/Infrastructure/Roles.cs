using Suban.Core.Lifecycle;

namespace Suban.Web.Infrastructure;

/// <summary>Role names as stored by Identity, and their lifecycle counterparts.</summary>
public static class Roles
{
    public const string Citizen = "citizen";
    public const string CallTaker = "call_taker";
    public const string Dispatcher = "dispatcher";
    public const string Handler = "handler";
    public const string Supervisor = "supervisor";
    public const string Analyst = "analyst";
    public const string CatalogueEditor = "catalogue_editor";
    public const string Administrator = "administrator";

    public static readonly IReadOnlyList<string> All =
        [Citizen, CallTaker, Dispatcher, Handler, Supervisor, Analyst, CatalogueEditor, Administrator];

    /// <summary>Everyone who works for the city, as opposed to citizens.</summary>
    public static readonly string[] Staff =
        [CallTaker, Dispatcher, Handler, Supervisor, Analyst, CatalogueEditor, Administrator];

    public static Role ToLifecycle(string name) => name switch
    {
        Citizen => Role.Citizen,
        CallTaker => Role.CallTaker,
        Dispatcher => Role.Dispatcher,
        Handler => Role.Handler,
        Supervisor => Role.Supervisor,
        Analyst => Role.Analyst,
        CatalogueEditor => Role.CatalogueEditor,
        Administrator => Role.Administrator,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown role."),
    };
}
