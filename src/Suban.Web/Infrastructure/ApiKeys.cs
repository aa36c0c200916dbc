using System.Security.Cryptography;
using System.Text;

namespace Suban.Web.Infrastructure;

/// <summary>Keys handed to other systems (Open311 partner apps, department systems): shown once, only a hash kept.</summary>
internal static class ApiKeys
{
    /// <summary>A new key: 32 random bytes, URL-safe base64, after <paramref name="prefix"/>.</summary>
    public static string New(string prefix = "") =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>SHA-256 of the key, hex: a stolen table yields no usable key.</summary>
    public static string Hash(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));
}
