namespace Suban.Core.Organisation;

public enum UnitKind
{
    CityPlatform,
    DistrictPlatform,
    StreetOffice,
    Community,
    CityDepartment,
    DistrictBureau,
}

public static class UnitKinds
{
    /// <summary>Platforms dispatch; the other kinds handle.</summary>
    public static bool IsPlatform(UnitKind kind) => kind is UnitKind.CityPlatform or UnitKind.DistrictPlatform;
}
