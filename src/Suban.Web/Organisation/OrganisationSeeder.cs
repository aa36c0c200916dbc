using Microsoft.EntityFrameworkCore;
using Suban.Core.Organisation;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Organisation;

/// <summary>
/// Loads the unit tree from data/organisation on an empty database: the city platform at the root, city
/// departments and district platforms under it, and under each district its bureaus and street offices.
/// </summary>
internal sealed class OrganisationSeeder(SubanDb db, SeedFiles files, ILogger<OrganisationSeeder> logger)
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        if (await db.Units.AnyAsync(cancellationToken))
        {
            return;
        }

        var city = Csv.Read(files.Path("organisation", "platforms.csv")).Single(r => r["kind"] == "city_platform");
        var root = new Unit { Code = city["code"], Name = city["name"], Kind = UnitKind.CityPlatform, Path = $"/{city["code"]}/" };
        db.Units.Add(root);
        await db.SaveChangesAsync(cancellationToken);

        var departments = Csv.Read(files.Path("organisation", "departments.csv"));
        foreach (var department in departments)
        {
            var code = $"{root.Code}-{department["code"]}";
            db.Units.Add(new Unit { Code = code, Name = department["name"], ShortName = department["short_name"], Kind = UnitKind.CityDepartment, ParentId = root.Id, Path = $"{root.Path}{code}/" });
        }

        var districts = Csv.Read(files.Path("organisation", "districts.csv"))
            .Select(d => new Unit { Code = d["code"], Name = d["name"], ShortName = d["short_name"], Kind = UnitKind.DistrictPlatform, ParentId = root.Id, Path = $"{root.Path}{d["code"]}/", DistrictCode = d["code"] })
            .ToList();
        db.Units.AddRange(districts);
        await db.SaveChangesAsync(cancellationToken);

        var streets = Csv.Read(files.Path("organisation", "streets.csv"));
        foreach (var district in districts)
        {
            foreach (var department in departments)
            {
                var code = $"{district.Code}-{department["code"]}";
                var name = department["district_unit"].Replace("{district}", district.Name).Replace("{short}", district.ShortName);
                db.Units.Add(new Unit { Code = code, Name = name, ShortName = department["short_name"], Kind = UnitKind.DistrictBureau, ParentId = district.Id, Path = $"{district.Path}{code}/", DistrictCode = district.Code });
            }

            foreach (var street in streets.Where(s => s["district_code"] == district.Code))
            {
                db.Units.Add(new Unit { Code = street["code"], Name = street["name"], ShortName = street["name"].Replace("街道", ""), Kind = UnitKind.StreetOffice, ParentId = district.Id, Path = $"{district.Path}{street["code"]}/", DistrictCode = district.Code });
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Seeded the organisation: {Districts} districts, {Streets} streets, {Departments} departments", districts.Count, streets.Count, departments.Count);
    }
}
