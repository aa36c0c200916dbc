using Microsoft.AspNetCore.Identity;
using Suban.Web.Infrastructure;

namespace Suban.Web.Accounts;

internal sealed class RoleSeeder(RoleManager<IdentityRole> roles)
{
    public async Task SeedAsync()
    {
        foreach (var name in Roles.All)
        {
            if (!await roles.RoleExistsAsync(name))
            {
                await roles.CreateAsync(new IdentityRole(name));
            }
        }
    }
}
