namespace Suban.Web.Infrastructure;

/// <summary>
/// Query-string values parsed the way JSON bodies are (camelCase enum names, no numbers), so that a bad one is
/// named in a validation problem instead of failing binding.
/// </summary>
internal static class QueryValues
{
    public static bool TryEnum<T>(string? value, string field, out T? parsed, out IResult? problem)
        where T : struct, Enum
    {
        parsed = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        if (!char.IsAsciiDigit(value[0]) && Enum.TryParse<T>(value, ignoreCase: true, out var result))
        {
            parsed = result;
            return true;
        }

        var names = string.Join(", ", Enum.GetNames<T>().Select(n => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(n)));
        problem = Problems.Field(field, $"'{value}' is not one of: {names}.");
        return false;
    }
}
