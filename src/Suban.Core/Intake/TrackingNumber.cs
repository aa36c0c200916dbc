using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Suban.Core.Intake;

/// <summary>
/// The number a citizen quotes on the phone: city prefix, local date of intake, and that day's sequence,
/// e.g. <c>SZ20261122-000123</c>. Short enough to read aloud, and sortable.
/// </summary>
public static class TrackingNumber
{
    public const int MaxLength = 24;

    public static string Format(string prefix, DateOnly localDate, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}{localDate:yyyyMMdd}-{sequence:D6}");

    /// <summary>True when <paramref name="value"/> has the shape of a tracking number (2–4 capital letters, 8-digit
    /// date, dash, at least 6 digits); says nothing about whether such a request exists.</summary>
    public static bool IsWellFormed([NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        var dash = value.IndexOf('-');
        if (dash < 10 || dash > 12 || value.Length - dash - 1 < 6)
        {
            return false;
        }

        var prefixLength = dash - 8;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var ok = i < prefixLength ? c is >= 'A' and <= 'Z' : i == dash || char.IsAsciiDigit(c);
            if (!ok)
            {
                return false;
            }
        }

        return DateOnly.TryParseExact(value.AsSpan(prefixLength, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
    }
}
