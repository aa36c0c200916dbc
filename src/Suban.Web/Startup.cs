using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Suban.Web.Accounts;
using Suban.Web.Catalogue;
using Suban.Web.Integration;
using Suban.Web.Data;
using Suban.Web.Demo;
using Suban.Web.Dispatch;
using Suban.Web.Handling;
using Suban.Web.Infrastructure;
using Suban.Web.Intake;
using Suban.Web.Organisation;
using Suban.Web.Ratings;
using Suban.Web.Requests;
using Suban.Web.Tracking;

namespace Suban.Web;

internal static class Startup
{
    public static void AddSuban(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section)).ValidateOnStart();
        services.AddOptions<IntakeOptions>().Bind(configuration.GetSection(IntakeOptions.Section))
            .Validate(o => TryZone(o.TimeZone), "Intake:TimeZone is not a known time zone.")
            .Validate(o => o.MaxPhotos is >= 0 and <= 20 && o.MaxPhotoBytes > 0, "Intake photo limits are out of range.")
            .ValidateOnStart();
        services.AddOptions<RatingOptions>().Bind(configuration.GetSection(RatingOptions.Section))
            .Validate(o => o.AutoCloseAfter > TimeSpan.Zero && o.PollInterval > TimeSpan.Zero && o.BatchSize > 0, "Rating options must be positive.")
            .ValidateOnStart();
        services.AddOptions<DemoOptions>().Bind(configuration.GetSection(DemoOptions.Section))
            .Validate(o => !o.Seed || !builder.Environment.IsProduction(), "Demo accounts are refused in Production: set Demo:Seed to false.")
            .Validate(o => !o.Seed || o.Password.Length >= 8, "Demo:Password must be set (8 characters or more) when Demo:Seed is true.")
            .ValidateOnStart();

        services.TryAddTimeProvider();
        services.AddDbContext<SubanDb>((sp, options) =>
        {
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var connectionString = configuration.GetConnectionString("Suban");
            if (database.Provider == DatabaseProvider.Postgres)
            {
                options.UseNpgsql(connectionString ?? throw new InvalidOperationException("ConnectionStrings:Suban is required for PostgreSQL."));
            }
            else
            {
                options.UseSqlite(connectionString ?? $"Data Source={Path.Combine(AppContext.BaseDirectory, "suban.db")}");
            }
        });

        services.AddIdentityApiEndpoints<User>(options =>
            {
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredLength = 8;
                options.Lockout.MaxFailedAccessAttempts = 10;
                options.User.RequireUniqueEmail = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<SubanDb>();
        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = "suban";
            options.LoginPath = "/login";
            // API callers get status codes, not redirects to a sign-in page.
            options.Events.OnRedirectToLogin = context => Status(context, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => Status(context, StatusCodes.Status403Forbidden);
        });
        // One key ring for every instance on the database: a citizen signed in through one instance stays signed in
        // when the next request lands on another, and a form rendered by one posts to another.
        services.AddDataProtection().SetApplicationName("Suban").PersistKeysToDbContext<SubanDb>();
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = Integration.SystemKeyHandler.Selector;
                options.DefaultChallengeScheme = Integration.SystemKeyHandler.Selector;
            })
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, Integration.SystemKeyHandler>(Integration.SystemKeyHandler.SchemeName, null)
            .AddPolicyScheme(Integration.SystemKeyHandler.Selector, null, options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(Integration.SystemKeyHandler.Header) ? Integration.SystemKeyHandler.SchemeName : Integration.SystemKeyHandler.IdentityScheme);
        services.AddAuthorization();

        services.AddRazorComponents();
        services.AddHttpContextAccessor();
        services.AddScoped<ActorAccessor>();
        services.AddScoped<RequestWorkflow>();
        services.AddScoped<MigrationRunner>();
        services.AddSingleton<SeedFiles>();
        services.AddScoped<OrganisationSeeder>();
        services.AddScoped<RoleSeeder>();
        services.AddScoped<DemoSeeder>();
        services.AddScoped<AutoCloser>();
        services.AddSingleton<CatalogueCache>();
        services.AddSingleton<Places.PlaceLocator>();
        services.AddSingleton<OrganisationMaps>();
        services.AddScoped<Duplicates.DuplicateIndex>();
        services.AddOptions<Routing.RoutingOptions>().Bind(configuration.GetSection(Routing.RoutingOptions.Section))
            .Validate(o => o.TargetPrecision is > 0 and <= 1, "Routing:TargetPrecision is a share between 0 and 1.")
            .ValidateOnStart();
        services.AddSingleton<Routing.RoutingModels>();
        services.AddScoped<Routing.RoutingTrainer>();
        services.AddScoped<Routing.RoutingService>();
        services.AddSingleton<Routing.RoutingWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<Routing.RoutingWorker>());
        services.AddScoped<CatalogueStore>();
        services.AddScoped<CatalogueSeeder>();
        services.AddHostedService<AutoCloseWorker>();
        services.AddSingleton<Pages.QueueWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<Pages.QueueWatch>());

        services.AddOptions<Deadlines.DeadlineOptions>().Bind(configuration.GetSection(Deadlines.DeadlineOptions.Section))
            .Validate(o => o.IsValid(out _), "Deadlines options are out of range (see DeadlineOptions).")
            .ValidateOnStart();
        services.AddOptions<Hotspots.HotspotOptions>().Bind(configuration.GetSection(Hotspots.HotspotOptions.Section))
            .Validate(o => o.IsValid(out _), "Hotspots options are out of range (see HotspotOptions).")
            .ValidateOnStart();
        services.AddSingleton<Deadlines.Calendars>();
        services.AddScoped<Deadlines.CalendarSeeder>();
        services.AddScoped<Deadlines.ClockKeeper>();
        services.AddScoped<Deadlines.DeadlineEngine>();
        services.AddScoped<Deadlines.LeagueTable>();
        services.AddScoped<Deadlines.ClockHistory>();
        services.AddHostedService<Deadlines.DeadlineWorker>();
        AddNotifications(services, configuration);
        AddIntegration(services, configuration);

        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        });
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails(options =>
        {
            options.CustomizeProblemDetails = context =>
            {
                context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
                if (ProblemText.PrefersChinese(context.HttpContext.Request))
                {
                    ProblemText.ToChinese(context.ProblemDetails);
                }
            };
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(TrackingEndpoints.LookupPolicy, http => PerClient(http, o => o.LookupPermitsPerMinute));
            options.AddPolicy(IntakeEndpoints.AnonymousIntakePolicy, http => http.User.Identity?.IsAuthenticated == true
                ? RateLimitPartition.GetNoLimiter("signed-in")
                : PerClient(http, o => o.AnonymousPermitsPerMinute));
            options.OnRejected = async (context, cancellationToken) =>
            {
                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = "Wait a minute and try again.", Type = ProblemTypes.BadRequest },
                });
            };
        });

        services.AddAntiforgery();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        services.AddOpenApi();
    }

    /// <summary>In-app always; SMS and e-mail as configured (Development writes them to a folder).</summary>
    private static void AddIntegration(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<Integration.WebhookOptions>().Bind(configuration.GetSection(Integration.WebhookOptions.Section))
            .Validate(o => o.IsValid(), "Webhooks options are out of range (see WebhookOptions).")
            .ValidateOnStart();
        // Redirects are not followed: a subscriber's URL is the one the administrator registered.
        services.AddHttpClient(Integration.WebhookSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddScoped<Integration.WebhookOutbox>();
        services.AddScoped<Integration.WebhookSender>();
        services.AddHostedService<Integration.WebhookWorker>();
        services.AddScoped<Integration.RequestImporter>();
        services.AddSingleton<Integration.ImportRunner>();
    }

    private static void AddNotifications(IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(Notifications.NotificationOptions.Section);
        services.AddOptions<Notifications.NotificationOptions>().Bind(section)
            .Validate(o => o.MaxAttempts >= 1 && o.BatchSize >= 1 && o.RetryBase > TimeSpan.Zero && o.RetryMax >= o.RetryBase && o.PollInterval > TimeSpan.Zero && o.Lease > TimeSpan.Zero, "Notifications options are out of range.")
            .Validate(o => o.Sms.Mode != Notifications.ChannelMode.Live || Uri.IsWellFormedUriString(o.Sms.Url, UriKind.Absolute), "Notifications:Sms:Url is required for a live SMS gateway.")
            .Validate(o => o.Email.Mode != Notifications.ChannelMode.Live || !string.IsNullOrWhiteSpace(o.Email.Host), "Notifications:Email:Host is required for live e-mail.")
            .ValidateOnStart();
        services.AddHttpClient("sms", client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<Notifications.INotificationChannel, Notifications.InAppChannel>();

        // SMS and e-mail are chosen from the options when first needed; a channel registered by name already
        // (a test's, or a city's own adapter) takes precedence.
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<Notifications.NotificationOptions>>().Value;
            var channels = sp.GetServices<Notifications.INotificationChannel>().ToList();
            var folder = Path.IsPathRooted(options.Folder) ? options.Folder : Path.Combine(AppContext.BaseDirectory, options.Folder);
            if (channels.All(c => c.Name != "sms"))
            {
                switch (options.Sms.Mode)
                {
                    case Notifications.ChannelMode.Folder:
                        channels.Add(new Notifications.FolderChannel("sms", folder));
                        break;
                    case Notifications.ChannelMode.Live:
                        channels.Add(new Notifications.HttpSmsChannel(sp.GetRequiredService<IHttpClientFactory>().CreateClient("sms"), options.Sms));
                        break;
                }
            }

            if (channels.All(c => c.Name != "email"))
            {
                switch (options.Email.Mode)
                {
                    case Notifications.ChannelMode.Folder:
                        channels.Add(new Notifications.FolderChannel("email", folder));
                        break;
                    case Notifications.ChannelMode.Live:
                        channels.Add(new Notifications.SmtpEmailChannel(options.Email));
                        break;
                }
            }

            return new Notifications.ChannelRegistry(channels);
        });
        services.AddScoped<Notifications.Outbox>();
        services.AddScoped<Notifications.OutboxDelivery>();
        services.AddHostedService<Notifications.OutboxWorker>();
    }

    public static void UseSuban(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseExternalCaseIds();
        app.UseRouting();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapAuth();
        app.MapUnits();
        app.MapIntake();
        app.MapTracking();
        app.MapDispatch();
        app.MapHandling();
        app.MapRating();
        app.MapCatalogue();
        Places.PlaceEndpoints.MapPlaces(app);
        app.MapResponsibility();
        app.MapCataloguePages();
        Duplicates.DuplicateEndpoints.MapDuplicates(app);
        app.MapLoginPage();
        Routing.RoutingEndpoints.MapRouting(app);
        Deadlines.DeadlineEndpoints.MapDeadlines(app);
        Hotspots.HotspotEndpoints.MapHotspots(app);
        Deadlines.LeagueEndpoints.MapLeague(app);
        Open311.Open311Endpoints.MapOpen311(app);
        app.MapDepartmentSystems();
        app.MapWebhooks();
        app.MapImports();
        Pages.PageEndpoints.MapPages(app);
        app.MapUserAdmin();
    }

    /// <summary>Migrate, then seed what an empty database needs; one instance at a time on PostgreSQL.</summary>
    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<SubanDb>();
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        await db.Database.OpenConnectionAsync();
        try
        {
            if (db.Database.IsNpgsql())
            {
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(5985)");
            }
            else
            {
                // Write-ahead logging: readers (pages, progress polls) never block a writer (intake, an import), nor it them.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL");
            }

            if (database.MigrateOnStart)
            {
                await services.GetRequiredService<MigrationRunner>().MigrateAsync();
            }

            await services.GetRequiredService<OrganisationSeeder>().SeedAsync(CancellationToken.None);
            await services.GetRequiredService<RoleSeeder>().SeedAsync();
            await services.GetRequiredService<CatalogueSeeder>().SeedAsync(CancellationToken.None);
            await services.GetRequiredService<Deadlines.CalendarSeeder>().SeedAsync(CancellationToken.None);
            var demo = services.GetRequiredService<IOptions<DemoOptions>>().Value;
            if (demo.Seed)
            {
                await services.GetRequiredService<DemoSeeder>().SeedAsync(CancellationToken.None);
                if (app.Environment.IsDevelopment())
                {
                    // Development only: the demo accounts, so that whoever started the app can sign in.
                    Console.WriteLine($"Demo accounts (password: {demo.Password}): {string.Join(", ", DemoSeeder.Accounts.Select(a => $"{a.UserName} ({a.Role})"))}");
                }
            }
        }
        finally
        {
            if (db.Database.IsNpgsql())
            {
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(5985)");
            }

            await db.Database.CloseConnectionAsync();
        }
    }

    public static string SchemaScript(this WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<SubanDb>().Database.GenerateCreateScript();
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }

    private static bool TryZone(string id)
    {
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (TimeZoneNotFoundException)
        {
            return false;
        }
    }

    private static Task Status(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static RateLimitPartition<string> PerClient(HttpContext http, Func<IntakeOptions, int> permits)
    {
        var limit = permits(http.RequestServices.GetRequiredService<IOptions<IntakeOptions>>().Value);
        return RateLimitPartition.GetFixedWindowLimiter(
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
    }
}

internal sealed class DatabaseHealthCheck(SubanDb db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The database cannot be reached.");
}
