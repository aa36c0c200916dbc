namespace Suban.Web.Infrastructure;

/// <summary>How long a worker waits before trying a failed delivery again (notifications, webhooks).</summary>
internal static class Retry
{
    /// <summary>Exponential backoff for the <paramref name="attempts"/>-th retry: <paramref name="first"/> × 2^(attempts−1), at most <paramref name="max"/>.</summary>
    public static TimeSpan Backoff(int attempts, TimeSpan first, TimeSpan max)
    {
        var wait = first * Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        return wait < max ? wait : max;
    }
}
