using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Suban.Core.Lifecycle;
using Suban.Core.Organisation;
using Suban.Web.Data;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

public sealed class MigrationTests
{
    private static async Task<SubanDb> EmptyDbAsync(string provider)
    {
        var (name, connectionString) = await TestDatabases.CreateAsync(provider);
        var options = new DbContextOptionsBuilder<SubanDb>();
        if (name == "Postgres")
        {
            options.UseNpgsql(connectionString);
        }
        else
        {
            options.UseSqlite(connectionString);
        }

        return new SubanDb(options.Options);
    }

    private static MigrationRunner Runner(SubanDb db) => new(db, TimeProvider.System, NullLogger<MigrationRunner>.Instance);

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Migrate_FromEmpty_EveryMappedColumnExists(string provider)
    {
        await using var db = await EmptyDbAsync(provider);
        var applied = await Runner(db).MigrateAsync();
        applied.ShouldBe(MigrationRunner.All(db.Database.IsNpgsql() ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite).Select(m => m.Version));

        // Select every column the model maps, table by table: a missing or renamed column fails here.
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var columns = entity.GetProperties().Select(p => p.GetColumnName()).ToList();
            var sql = $"SELECT {string.Join(", ", columns)} FROM {table} WHERE 1 = 0";
            await db.Database.ExecuteSqlRawAsync(sql);
        }

        (await Runner(db).MigrateAsync()).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Migrate_FromThePreviousVersionWithData_KeepsEverything(string provider)
    {
        await using var db = await EmptyDbAsync(provider);
        (await Runner(db).MigrateAsync(targetVersion: 1)).ShouldBe([1]);

        db.Units.Add(new Unit { Code = "440300", Name = "深圳市民意速办平台", Kind = UnitKind.CityPlatform, Path = "/440300/" });
        await db.SaveChangesAsync();
        var unitId = db.Units.Single().Id;
        // Written as version 1 had it: later versions add columns the model now maps.
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO asp_net_users (id, user_name, normalized_user_name, unit_id, security_stamp, email_confirmed, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count, is_demo) "
            + "VALUES ('u1', 'handler', 'HANDLER', {0}, 's', {1}, {1}, {1}, {1}, 0, {1})",
            unitId, false);
        db.ChangeTracker.Clear();

        (await Runner(db).MigrateAsync()).ShouldNotBeEmpty();

        (await db.Units.SingleAsync()).Name.ShouldBe("深圳市民意速办平台");
        (await db.Users.SingleAsync()).UnitId.ShouldBe(unitId);
        db.Requests.Add(new ServiceRequest
        {
            TrackingNumber = "SZ20261123-000001", Title = "t", Description = "d", ContactPhone = "13800138000",
            PlatformUnitId = unitId, State = RequestState.Submitted, SubmittedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
        (await db.Requests.CountAsync()).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RequestEvents_CannotBeRewritten_ByEfOrBySql(string provider)
    {
        await using var db = await EmptyDbAsync(provider);
        await Runner(db).MigrateAsync();
        var unit = new Unit { Code = "440300", Name = "平台", Kind = UnitKind.CityPlatform, Path = "/440300/" };
        db.Units.Add(unit);
        await db.SaveChangesAsync();
        var request = new ServiceRequest
        {
            TrackingNumber = "SZ20261123-000001", Title = "t", Description = "d", ContactPhone = "13800138000",
            PlatformUnitId = unit.Id, State = RequestState.Submitted, SubmittedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            Events = [new RequestEvent { Action = RequestAction.Submit, ToState = RequestState.Submitted, ActorRole = Role.Citizen, At = DateTime.UtcNow, IsPublic = true }],
        };
        db.Requests.Add(request);
        await db.SaveChangesAsync();

        request.Events[0].Note = "rewritten";
        await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        db.ChangeTracker.Clear();

        await Should.ThrowAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE request_events SET note = 'rewritten'"));
        await Should.ThrowAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM request_events"));
        (await db.Events.AsNoTracking().SingleAsync()).Note.ShouldBeNull();
    }
}
