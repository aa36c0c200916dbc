using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Suban.Web.Data;

/// <summary>
/// Multi-row INSERTs for bulk work (imports), built from EF's own model: the table, the columns and each
/// property's conversion (enums by name, UTC times) are the ones EF uses, so the rows read back exactly as if EF had
/// written them, at a fraction of the cost of tracking a hundred thousand entities. Runs in the caller's transaction.
/// </summary>
internal static class BulkInsert
{
    /// <summary>Keeps each statement well inside SQLite's 32,766 and PostgreSQL's 65,535 parameters.</summary>
    private const int MaxParameters = 30_000;

    /// <summary>Rows per statement on PostgreSQL at most, whatever the column count.</summary>
    private const int MaxRows = 1_000;

    /// <summary>
    /// Inserts <paramref name="rows"/> (their generated keys are left to the database) and, when
    /// <paramref name="keyColumn"/> is given, answers each new id by that column's value.
    /// </summary>
    public static async Task<Dictionary<string, long>> InsertAsync<T>(SubanDb db, IReadOnlyList<T> rows, string? keyColumn, CancellationToken cancellationToken)
        where T : class
    {
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        if (rows.Count == 0)
        {
            return ids;
        }

        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = entity.GetProperties()
            .Where(p => !(p.IsPrimaryKey() && p.ValueGenerated == ValueGenerated.OnAdd))
            .Select(p => new Column(p.GetColumnName(table)!, p.PropertyInfo ?? throw new InvalidOperationException($"{typeof(T).Name}.{p.Name} is a shadow property."), p.GetTypeMapping().Converter))
            .ToList();
        var perStatement = Math.Clamp(MaxParameters / columns.Count, 1, MaxRows);
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        if (db.Database.IsSqlite())
        {
            // SQLite: one prepared single-row statement, run once per row (no network, so rows cost microseconds;
            // Microsoft.Data.Sqlite binds parameters by name, which grows with the square of a statement's size).
            await using var single = connection.CreateCommand();
            single.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            single.CommandText = $"INSERT INTO \"{table.Name}\" ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})"
                + (keyColumn is null ? "" : $" RETURNING \"id\", \"{keyColumn}\"");
            var parameters = columns.Select((_, i) =>
            {
                var parameter = single.CreateParameter();
                parameter.ParameterName = "@p" + i;
                single.Parameters.Add(parameter);
                return parameter;
            }).ToArray();
            foreach (var row in rows)
            {
                for (var c = 0; c < columns.Count; c++)
                {
                    parameters[c].Value = columns[c].Value(row);
                }

                if (keyColumn is null)
                {
                    await single.ExecuteNonQueryAsync(cancellationToken);
                    continue;
                }

                await using var reader = await single.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    ids[reader.GetValue(1).ToString()!] = Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            return ids;
        }

        // PostgreSQL: multi-row statements, so a batch costs a few round trips.
        foreach (var chunk in rows.Chunk(perStatement))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var sql = new StringBuilder()
                .Append("INSERT INTO \"").Append(table.Name).Append("\" (")
                .AppendJoin(", ", columns.Select(c => $"\"{c.Name}\""))
                .Append(") VALUES ");
            var n = 0;
            for (var r = 0; r < chunk.Length; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Count; c++)
                {
                    var name = "@p" + n++;
                    sql.Append(c == 0 ? name : ", " + name);
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    parameter.Value = columns[c].Value(chunk[r]);
                    command.Parameters.Add(parameter);
                }

                sql.Append(')');
            }

            if (keyColumn is null)
            {
                command.CommandText = sql.ToString();
                await command.ExecuteNonQueryAsync(cancellationToken);
                continue;
            }

            command.CommandText = sql.Append(" RETURNING \"id\", \"").Append(keyColumn).Append('"').ToString();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids[reader.GetValue(1).ToString()!] = Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return ids;
    }

    private sealed record Column(string Name, System.Reflection.PropertyInfo Property, Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter? Converter)
    {
        public object Value(object row)
        {
            var value = Property.GetValue(row);
            if (value is not null && Converter is not null)
            {
                value = Converter.ConvertToProvider(value);
            }

            return value ?? DBNull.Value;
        }
    }
}
