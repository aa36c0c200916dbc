using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Suban.Web.Data;

namespace Suban.Web.Intake;

/// <summary>
/// Hands out the day's next sequence with one upsert, inside the caller's transaction: the row lock serialises
/// concurrent intake across app instances, and a rolled-back intake gives its number back.
/// </summary>
internal static class TrackingNumbers
{
    public static async Task<string> NextAsync(SubanDb db, IntakeOptions options, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var local = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, options.CityTimeZone()).DateTime);
        var sequence = await ReserveAsync(db, local, 1, cancellationToken);
        return Core.Intake.TrackingNumber.Format(options.TrackingPrefix, local, sequence);
    }

    /// <summary>Reserves <paramref name="count"/> consecutive sequences of a local day; returns the first.</summary>
    public static async Task<long> ReserveAsync(SubanDb db, DateOnly local, int count, CancellationToken cancellationToken)
    {
        var day = local.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = """
            INSERT INTO tracking_sequences (day, last) VALUES (@day, @count)
            ON CONFLICT (day) DO UPDATE SET last = tracking_sequences.last + @count
            RETURNING last
            """;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@day";
        parameter.Value = day;
        command.Parameters.Add(parameter);
        var countParameter = command.CreateParameter();
        countParameter.ParameterName = "@count";
        countParameter.Value = count;
        command.Parameters.Add(countParameter);
        var last = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        return last - count + 1;
    }
}
