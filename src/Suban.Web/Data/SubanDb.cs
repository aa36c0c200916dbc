using System.Text;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Suban.Core.Catalogue;
using Suban.Core.Lifecycle;
using Suban.Web.Catalogue;
using Suban.Core.Organisation;

namespace Suban.Web.Data;

public sealed class SubanDb(DbContextOptions<SubanDb> options) : IdentityDbContext<User, IdentityRole, string>(options), IDataProtectionKeyContext
{
    /// <summary>The keys that protect sign-in cookies and form tokens, shared by every instance on this database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Unit> Units => Set<Unit>();

    public DbSet<ServiceRequest> Requests => Set<ServiceRequest>();

    public DbSet<RequestAssignment> Assignments => Set<RequestAssignment>();

    public DbSet<RequestEvent> Events => Set<RequestEvent>();

    public DbSet<RequestPhoto> Photos => Set<RequestPhoto>();

    public DbSet<TrackingSequence> TrackingSequences => Set<TrackingSequence>();

    public DbSet<CatalogueVersion> CatalogueVersions => Set<CatalogueVersion>();

    public DbSet<CatalogueEntry> CatalogueEntries => Set<CatalogueEntry>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<Places.BoundaryImport> BoundaryImports => Set<Places.BoundaryImport>();

    public DbSet<Routing.RoutingModel> RoutingModels => Set<Routing.RoutingModel>();

    public DbSet<Routing.RoutingCorrection> RoutingCorrections => Set<Routing.RoutingCorrection>();

    public DbSet<Deadlines.RequestClock> Clocks => Set<Deadlines.RequestClock>();

    public DbSet<Deadlines.OverdueRecord> OverdueRecords => Set<Deadlines.OverdueRecord>();

    public DbSet<Deadlines.Reminder> Reminders => Set<Deadlines.Reminder>();

    public DbSet<Deadlines.SupervisionOrder> SupervisionOrders => Set<Deadlines.SupervisionOrder>();

    public DbSet<Deadlines.ExtensionRequest> ExtensionRequests => Set<Deadlines.ExtensionRequest>();

    public DbSet<Deadlines.CalendarEntry> CalendarEntries => Set<Deadlines.CalendarEntry>();

    public DbSet<Notifications.Notification> Notifications => Set<Notifications.Notification>();

    public DbSet<Open311.PartnerApp> PartnerApps => Set<Open311.PartnerApp>();

    public DbSet<Integration.WebhookSubscription> WebhookSubscriptions => Set<Integration.WebhookSubscription>();

    public DbSet<Integration.WebhookDelivery> WebhookDeliveries => Set<Integration.WebhookDelivery>();

    public DbSet<Integration.DepartmentSystem> DepartmentSystems => Set<Integration.DepartmentSystem>();

    public DbSet<Integration.ExternalCase> ExternalCases => Set<Integration.ExternalCase>();

    public DbSet<Integration.ImportJob> ImportJobs => Set<Integration.ImportJob>();

    public DbSet<Integration.ImportRejection> ImportRejections => Set<Integration.ImportRejection>();

    public DbSet<Hotspots.DataDrivenEvent> DataDrivenEvents => Set<Hotspots.DataDrivenEvent>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums are stored by name: readable in SQL and safe when members are added or reordered.
        configurationBuilder.Properties<RequestState>().HaveConversion<string>().HaveMaxLength(24);
        configurationBuilder.Properties<RequestAction>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<Role>().HaveConversion<string>().HaveMaxLength(24);
        configurationBuilder.Properties<RequestType>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Urgency>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Channel>().HaveConversion<string>().HaveMaxLength(24);
        configurationBuilder.Properties<Rating>().HaveConversion<string>().HaveMaxLength(24);
        configurationBuilder.Properties<UnitKind>().HaveConversion<string>().HaveMaxLength(24);
        configurationBuilder.Properties<Level>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Routing.RoutingOutcome>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<Core.Deadlines.ClockKind>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Core.Deadlines.ClockBasis>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Core.Deadlines.ClockStatus>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Core.Deadlines.ReminderLevel>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Core.Deadlines.DayKind>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Deadlines.SupervisionStatus>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Deadlines.ExtensionStatus>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Notifications.Audience>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Notifications.DeliveryStatus>().HaveConversion<string>().HaveMaxLength(16);

        if (Database.IsSqlite())
        {
            // SQLite hands DateTime back unspecified; everything stored is UTC.
            configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<User>(e =>
        {
            e.Property(u => u.DisplayName).HasMaxLength(100);
            e.HasOne<Unit>().WithMany().HasForeignKey(u => u.UnitId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Unit>(e =>
        {
            e.Property(u => u.Code).HasMaxLength(32);
            e.HasIndex(u => u.Code).IsUnique();
            e.Property(u => u.Name).HasMaxLength(100);
            e.Property(u => u.ShortName).HasMaxLength(50);
            e.Property(u => u.Path).HasMaxLength(200);
            e.HasIndex(u => u.Path);
            e.Property(u => u.DistrictCode).HasMaxLength(32);
            e.HasOne<Unit>().WithMany().HasForeignKey(u => u.ParentId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<ServiceRequest>(e =>
        {
            e.ToTable("requests");
            e.Property(r => r.TrackingNumber).HasMaxLength(24);
            e.HasIndex(r => r.TrackingNumber).IsUnique();
            e.Property(r => r.Title).HasMaxLength(200);
            e.Property(r => r.Description).HasMaxLength(10_000);
            e.Property(r => r.AddressText).HasMaxLength(500);
            e.Property(r => r.ContactName).HasMaxLength(100);
            e.Property(r => r.ContactPhone).HasMaxLength(20);
            e.Property(r => r.ExternalId).HasMaxLength(100);
            e.HasIndex(r => new { r.Channel, r.ExternalId }).IsUnique();
            e.Property(r => r.IdempotencyKey).HasMaxLength(200);
            e.HasIndex(r => r.IdempotencyKey).IsUnique();
            e.Property(r => r.PayloadHash).HasMaxLength(64);
            e.Property(r => r.MediaUrl).HasMaxLength(1000);
            e.Property(r => r.CitizenUserId).HasMaxLength(450);
            e.Property(r => r.CreatedByUserId).HasMaxLength(450);
            e.HasIndex(r => r.CitizenUserId);
            e.HasIndex(r => new { r.State, r.SubmittedAt });
            e.HasIndex(r => r.SubmittedAt);
            e.Property(r => r.Version).IsConcurrencyToken();
            e.Property(r => r.MatterCode).HasMaxLength(16);
            e.Property(r => r.DistrictCode).HasMaxLength(32);
            e.Property(r => r.StreetCode).HasMaxLength(32);
            e.HasIndex(r => r.MatterCode);
            e.HasIndex(r => r.MasterRequestId);
            e.HasOne<ServiceRequest>().WithMany().HasForeignKey(r => r.MasterRequestId).OnDelete(DeleteBehavior.Restrict);
            e.Property(r => r.RoutingSuggestions).HasMaxLength(2000);
            e.HasOne<Unit>().WithMany().HasForeignKey(r => r.PlatformUnitId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Unit>().WithMany().HasForeignKey(r => r.LeadUnitId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(r => r.Assignments).WithOne().HasForeignKey(a => a.RequestId);
            e.HasMany(r => r.Events).WithOne().HasForeignKey(ev => ev.RequestId);
            e.HasMany(r => r.Photos).WithOne().HasForeignKey(p => p.RequestId);
        });

        builder.Entity<RequestAssignment>(e =>
        {
            e.ToTable("request_assignments");
            e.HasIndex(a => new { a.UnitId, a.IsActive });
            e.Property(a => a.PartReport).HasMaxLength(10_000);
            e.HasOne<Unit>().WithMany().HasForeignKey(a => a.UnitId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<RequestEvent>(e =>
        {
            e.ToTable("request_events");
            e.HasIndex(ev => new { ev.RequestId, ev.Id });
            e.Property(ev => ev.Note).HasMaxLength(10_000);
            e.Property(ev => ev.ActorUserId).HasMaxLength(450);
            e.HasOne<Unit>().WithMany().HasForeignKey(ev => ev.ActorUnitId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<RequestPhoto>(e =>
        {
            e.ToTable("request_photos");
            e.HasIndex(p => new { p.RequestId, p.Position }).IsUnique();
            e.Property(p => p.ContentType).HasMaxLength(32);
        });

        builder.Entity<TrackingSequence>(e =>
        {
            e.ToTable("tracking_sequences");
            e.HasKey(s => s.Day);
            e.Property(s => s.Day).HasMaxLength(8);
        });

        builder.Entity<CatalogueVersion>(e =>
        {
            e.HasIndex(v => v.Number).IsUnique();
            e.HasIndex(v => v.EffectiveAt);
            e.Property(v => v.CreatedByUserId).HasMaxLength(450);
            e.Property(v => v.Note).HasMaxLength(1000);
        });

        builder.Entity<CatalogueEntry>(e =>
        {
            e.HasIndex(m => new { m.VersionId, m.Code }).IsUnique();
            e.Property(m => m.Code).HasMaxLength(16);
            e.Property(m => m.Category).HasMaxLength(100);
            e.Property(m => m.SubCategory).HasMaxLength(100);
            e.Property(m => m.Name).HasMaxLength(100);
            e.Property(m => m.CityUnit).HasMaxLength(16);
            e.Property(m => m.DistrictUnit).HasMaxLength(16);
            e.Property(m => m.CoHandling).HasMaxLength(1000);
            e.Property(m => m.InstantAnswer).HasMaxLength(2000);
            e.Property(m => m.Keywords).HasMaxLength(4000);
            e.Property(m => m.Examples).HasMaxLength(10000);
            e.Property(m => m.MergedInto).HasMaxLength(16);
            e.HasOne<CatalogueVersion>().WithMany().HasForeignKey(m => m.VersionId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<AuditEntry>(e =>
        {
            e.HasIndex(a => a.At);
            e.HasIndex(a => a.Subject);
            e.Property(a => a.UserId).HasMaxLength(450);
            e.Property(a => a.Action).HasMaxLength(64);
            e.Property(a => a.Subject).HasMaxLength(200);
            e.Property(a => a.Detail).HasMaxLength(100_000);
        });

        builder.Entity<Places.BoundaryImport>(e =>
        {
            e.Property(b => b.Level).HasMaxLength(16);
            e.HasIndex(b => new { b.Level, b.Id });
        });

        builder.Entity<Duplicates.RequestSignature>(e =>
        {
            e.ToTable("request_signatures");
            e.HasKey(s => s.RequestId);
            e.HasOne<ServiceRequest>().WithOne().HasForeignKey<Duplicates.RequestSignature>(s => s.RequestId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Duplicates.RequestBandKey>(e =>
        {
            e.ToTable("request_band_keys");
            e.HasIndex(k => new { k.Key, k.RequestId });
            e.HasIndex(k => k.RequestId);
            e.HasOne<ServiceRequest>().WithMany().HasForeignKey(k => k.RequestId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Routing.RoutingModel>(e =>
        {
            e.HasIndex(m => m.Version).IsUnique();
            e.Property(m => m.Metrics).HasMaxLength(100_000);
        });

        builder.Entity<Routing.RoutingCorrection>(e =>
        {
            e.HasIndex(c => c.RequestId);
            e.Property(c => c.PredictedCode).HasMaxLength(16);
            e.Property(c => c.ChosenCode).HasMaxLength(16);
            e.Property(c => c.UserId).HasMaxLength(450);
            e.HasOne<ServiceRequest>().WithMany().HasForeignKey(c => c.RequestId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Deadlines.RequestClock>(e =>
        {
            e.ToTable("request_clocks");
            e.Property(c => c.Step).IsConcurrencyToken();
            e.Property(c => c.ClaimedBy).HasMaxLength(64);
            e.HasIndex(c => c.RequestId);
            e.HasIndex(c => new { c.UnitId, c.Status });
            // The worker's scan: only running clocks with a next step, earliest first.
            e.HasIndex(c => c.NextCheckAt).HasFilter("status = 'Running' AND next_check_at IS NOT NULL");
            e.HasOne<ServiceRequest>().WithMany().HasForeignKey(c => c.RequestId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Unit>().WithMany().HasForeignKey(c => c.UnitId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(c => c.SupervisionOrder).WithMany().HasForeignKey(c => c.SupervisionOrderId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Deadlines.OverdueRecord>(e =>
        {
            e.ToTable("overdue_records");
            e.HasIndex(o => o.ClockId).IsUnique();
            e.HasIndex(o => new { o.UnitId, o.RecordedAt });
            e.HasIndex(o => o.RequestId);
            e.HasOne<ServiceRequest>().WithMany().HasForeignKey(o => o.RequestId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(o => o.Clock).WithMany().HasForeignKey(o => o.ClockId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Unit>().WithMany().HasForeignKey(o => o.UnitId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Deadlines.Reminder>(e =>
        {
            e.ToTable("reminders");
            // Each ladder step of a clock exists once; reminders by hand have no clock.
            e.HasIndex(r => new { r.ClockId, r.Level }).IsUnique();
            e.HasIndex(r => r.RequestId);
            e.HasIndex(r => new { r.UnitId, r.At });
            e.Property(r => r.ByUserId).HasMaxLength(450);
            e.Property(r => r.Note).HasMaxLength(2000);
            e.HasOne<ServiceRequest>().WithMany().HasForeignKey(r => r.RequestId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Deadlines.RequestClock>().WithMany().HasForeignKey(r => r.ClockId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Unit>().WithMany().HasForeignKey(r => r.UnitId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Deadlines.SupervisionOrder>(e =>
        {
            e.ToTable("supervision_orders");
            e.HasIndex(o => o.RequestId);
            e.HasIndex(o => new { o.UnitId, o.Status });
            e.Property(o => o.Text).HasMaxLength(2000);
            e.Property(o => o.Answer).HasMaxLength(10_000);
            e.Property(o => o.IssuedByUserId).HasMaxLength(450);
            e.HasOne<ServiceRequest>().WithMany().HasForeignKey(o => o.RequestId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Unit>().WithMany().HasForeignKey(o => o.UnitId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Deadlines.ExtensionRequest>(e =>
        {
            e.ToTable("extension_requests");
            e.HasIndex(x => x.RequestId);
            e.Property(x => x.Reason).HasMaxLength(2000);
            e.Property(x => x.DecisionNote).HasMaxLength(2000);
            e.Property(x => x.RequestedByUserId).HasMaxLength(450);
            e.Property(x => x.DecidedByUserId).HasMaxLength(450);
            e.HasOne<ServiceRequest>().WithMany().HasForeignKey(x => x.RequestId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Deadlines.RequestClock>().WithMany().HasForeignKey(x => x.ClockId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Unit>().WithMany().HasForeignKey(x => x.UnitId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Deadlines.CalendarEntry>(e =>
        {
            e.ToTable("calendar_days");
            e.HasKey(d => d.Date);
            e.Property(d => d.Name).HasMaxLength(50);
        });

        builder.Entity<Notifications.Notification>(e =>
        {
            e.ToTable("notifications");
            e.Property(n => n.UserId).HasMaxLength(450);
            e.Property(n => n.Address).HasMaxLength(200);
            e.Property(n => n.Channel).HasMaxLength(16);
            e.Property(n => n.Topic).HasMaxLength(32);
            e.Property(n => n.Text).HasMaxLength(2000);
            e.Property(n => n.ClaimedBy).HasMaxLength(64);
            e.Property(n => n.LastError).HasMaxLength(500);
            e.HasIndex(n => n.NextAttemptAt).HasFilter("status = 'Pending'");
            e.HasIndex(n => new { n.UserId, n.Id });
            e.HasIndex(n => new { n.UnitId, n.Id });
            e.HasIndex(n => n.RequestId);
            e.HasOne<ServiceRequest>().WithMany().HasForeignKey(n => n.RequestId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Open311.PartnerApp>(e =>
        {
            e.ToTable("partner_apps");
            e.Property(p => p.Name).HasMaxLength(100);
            e.Property(p => p.ApiKeyHash).HasMaxLength(64);
            e.HasIndex(p => p.ApiKeyHash).IsUnique();
        });

        builder.Entity<Integration.WebhookSubscription>(e =>
        {
            e.ToTable("webhook_subscriptions");
            e.Property(x => x.Name).HasMaxLength(100);
            e.Property(x => x.Url).HasMaxLength(500);
            e.Property(x => x.Secret).HasMaxLength(100);
            e.Property(x => x.Events).HasMaxLength(300);
            e.HasIndex(x => x.UnitId);
            e.HasOne<Unit>().WithMany().HasForeignKey(x => x.UnitId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Integration.WebhookDelivery>(e =>
        {
            e.ToTable("webhook_deliveries");
            e.Property(x => x.Event).HasMaxLength(32);
            e.Property(x => x.ClaimedBy).HasMaxLength(64);
            e.Property(x => x.LastError).HasMaxLength(500);
            e.HasIndex(x => x.NextAttemptAt).HasFilter("status = 'Pending'");
            e.HasIndex(x => new { x.SubscriptionId, x.RequestId, x.Id });
            e.HasOne<Integration.WebhookSubscription>().WithMany().HasForeignKey(x => x.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<ServiceRequest>().WithMany().HasForeignKey(x => x.RequestId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Integration.DepartmentSystem>(e =>
        {
            e.ToTable("department_systems");
            e.Property(x => x.Name).HasMaxLength(100);
            e.Property(x => x.UserId).HasMaxLength(450);
            e.Property(x => x.ApiKeyHash).HasMaxLength(64);
            e.HasIndex(x => x.ApiKeyHash).IsUnique();
            e.HasOne<Unit>().WithMany().HasForeignKey(x => x.UnitId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Integration.ExternalCase>(e =>
        {
            e.ToTable("external_cases");
            e.Property(x => x.ExternalId).HasMaxLength(100);
            e.HasIndex(x => new { x.SystemId, x.ExternalId }).IsUnique();
            e.HasIndex(x => new { x.SystemId, x.RequestId }).IsUnique();
            e.HasIndex(x => x.RequestId);
            e.HasOne<Integration.DepartmentSystem>().WithMany().HasForeignKey(x => x.SystemId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<ServiceRequest>().WithMany().HasForeignKey(x => x.RequestId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Integration.ImportJob>(e =>
        {
            e.ToTable("import_jobs");
            e.Property(x => x.FileName).HasMaxLength(200);
            e.Property(x => x.Format).HasMaxLength(8);
            e.Property(x => x.Status).HasMaxLength(16);
            e.Property(x => x.UserId).HasMaxLength(450);
            e.Property(x => x.Error).HasMaxLength(500);
        });

        builder.Entity<Integration.ImportRejection>(e =>
        {
            e.ToTable("import_rejections");
            e.Property(x => x.Row).HasColumnName("row_no");
            e.Property(x => x.Field).HasMaxLength(32);
            e.Property(x => x.Reason).HasMaxLength(300);
            e.HasIndex(x => new { x.JobId, x.Row });
            e.HasOne<Integration.ImportJob>().WithMany().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Hotspots.DataDrivenEvent>(e =>
        {
            e.ToTable("data_driven_events");
            e.Property(x => x.AreaCode).HasMaxLength(32);
            e.Property(x => x.MatterCode).HasMaxLength(32);
            e.Property(x => x.CreatedByUserId).HasMaxLength(450);
            e.HasIndex(x => x.RequestId).IsUnique();
            e.HasIndex(x => new { x.AreaCode, x.MatterCode });
            e.HasOne<ServiceRequest>().WithMany().HasForeignKey(x => x.RequestId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(x => x.Members).WithOne().HasForeignKey(m => m.EventId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Hotspots.DataDrivenEventMember>(e =>
        {
            e.ToTable("data_driven_event_members");
            e.HasKey(m => new { m.EventId, m.RequestId });
            e.HasIndex(m => m.RequestId);
            e.HasOne<ServiceRequest>().WithMany().HasForeignKey(m => m.RequestId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        ApplySnakeCaseNames(builder);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RefuseTimelineRewrites();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RefuseTimelineRewrites();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void RefuseTimelineRewrites()
    {
        foreach (var entry in ChangeTracker.Entries<RequestEvent>())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException("Request events are immutable.");
            }
        }
    }

    /// <summary>PostgreSQL folds unquoted names to lower case; snake_case keeps hand-written SQL free of quotes.</summary>
    private static void ApplySnakeCaseNames(ModelBuilder builder)
    {
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            var table = entity.GetTableName();
            if (table is not null)
            {
                entity.SetTableName(SnakeCase(table));
            }

            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.GetColumnName()));
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName(SnakeCase(key.GetName()!));
            }

            foreach (var foreignKey in entity.GetForeignKeys())
            {
                foreignKey.SetConstraintName(SnakeCase(foreignKey.GetConstraintName()!));
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName(SnakeCase(index.GetDatabaseName()!));
            }
        }
    }

    internal static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private sealed class UtcDateTimeConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTime, DateTime>(
        v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
