using Microsoft.EntityFrameworkCore;
using Suban.Web.Data;

namespace Suban.Web.Infrastructure;

/// <summary>
/// Claims due rows of a work table for one worker pass with one conditional update, so several app instances
/// never take the same row: on PostgreSQL the candidates are locked with <c>FOR UPDATE SKIP LOCKED</c> (a row
/// another pass holds is passed over, not waited for); SQLite has one writer at a time, so the update is atomic
/// as it stands. A claim lapses after its lease, which is how a crashed instance's work is picked up.
/// </summary>
internal static class Claims
{
    /// <param name="table">A table with <c>id</c>, <c>status</c>, <c>claimed_by</c> and <c>claimed_until</c> columns.</param>
    /// <param name="dueColumn">The column saying when a row is due; rows are taken earliest first.</param>
    public static async Task<List<long>> ClaimAsync(
        SubanDb db,
        string table,
        string dueColumn,
        string status,
        string token,
        DateTime now,
        TimeSpan lease,
        int batchSize,
        CancellationToken cancellationToken)
    {
        var lockClause = db.Database.IsNpgsql() ? "FOR UPDATE SKIP LOCKED" : "";
        var sql = $$"""
            UPDATE {{table}} SET claimed_by = {0}, claimed_until = {1}
            WHERE id IN (
                SELECT id FROM {{table}}
                WHERE status = {2} AND {{dueColumn}} <= {3} AND (claimed_until IS NULL OR claimed_until < {3})
                ORDER BY {{dueColumn}}
                LIMIT {4}
                {{lockClause}})
            RETURNING id AS "Value"
            """;
        return await db.Database.SqlQueryRaw<long>(sql, token, now + lease, status, now, batchSize).ToListAsync(cancellationToken);
    }

    /// <summary>A token naming one pass of one instance, for <c>claimed_by</c>.</summary>
    public static string NewToken()
    {
        var token = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        return token.Length <= 64 ? token : token[^64..];
    }
}
