using System.Buffers;

namespace Suban.Core.Duplicates;

/// <summary>
/// MinHash signatures over character 3-grams of the normalised text, banded for locality-sensitive hashing: two
/// texts share a band key with probability rising steeply with their Jaccard similarity, so candidates are found by
/// looking up a few keys in an index instead of comparing against every open request.
/// </summary>
public sealed class MinHash
{
    public const int Shingle = 3;

    private readonly ulong[] seeds;

    public MinHash(int hashes = 64, int bands = 16, int seed = 42)
    {
        if (hashes % bands != 0)
        {
            throw new ArgumentException("The number of hashes must split evenly into bands.", nameof(bands));
        }

        Hashes = hashes;
        Bands = bands;
        var random = new Random(seed);
        seeds = Enumerable.Range(0, hashes).Select(_ => (ulong)random.NextInt64() | 1).ToArray();
    }

    public int Hashes { get; }

    public int Bands { get; }

    /// <summary>The signature; null when the text has fewer characters than a shingle after normalising.</summary>
    public ulong[]? Signature(string text)
    {
        var buffer = ArrayPool<char>.Shared.Rent(Math.Min(text.Length, Routing.TextFeatures.MaxChars) + 2);
        try
        {
            var length = Routing.TextFeatures.Normalise(text, buffer);
            var chars = buffer.AsSpan(0, length);
            var shingles = new HashSet<ulong>();
            for (var i = 0; i + Shingle <= chars.Length; i++)
            {
                var window = chars.Slice(i, Shingle);
                if (window.Contains(' '))
                {
                    continue;
                }

                var h = 14695981039346656037UL;
                foreach (var c in window)
                {
                    h = (h ^ c) * 1099511628211UL;
                }

                shingles.Add(h);
            }

            if (shingles.Count == 0)
            {
                return null;
            }

            var signature = new ulong[Hashes];
            Array.Fill(signature, ulong.MaxValue);
            foreach (var shingle in shingles)
            {
                for (var k = 0; k < Hashes; k++)
                {
                    var v = Mix(shingle * seeds[k]);
                    if (v < signature[k])
                    {
                        signature[k] = v;
                    }
                }
            }

            return signature;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>One key per band: a request is a candidate when any of its keys equals one of another's.</summary>
    public long[] BandKeys(ulong[] signature)
    {
        var rows = Hashes / Bands;
        var keys = new long[Bands];
        for (var b = 0; b < Bands; b++)
        {
            var h = 1469598103934665603UL ^ (ulong)b;
            for (var r = 0; r < rows; r++)
            {
                h = Mix(h ^ signature[b * rows + r]);
            }

            keys[b] = (long)h;
        }

        return keys;
    }

    /// <summary>The estimated Jaccard similarity of the two texts' 3-gram sets.</summary>
    public static double Similarity(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        var same = 0;
        for (var i = 0; i < a.Length; i++)
        {
            same += a[i] == b[i] ? 1 : 0;
        }

        return (double)same / a.Length;
    }

    public static byte[] ToBytes(ulong[] signature)
    {
        var bytes = new byte[signature.Length * 8];
        Buffer.BlockCopy(signature, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    public static ulong[] FromBytes(byte[] bytes)
    {
        var signature = new ulong[bytes.Length / 8];
        Buffer.BlockCopy(bytes, 0, signature, 0, signature.Length * 8);
        return signature;
    }

    private static ulong Mix(ulong x)
    {
        // SplitMix64's finaliser: cheap and well spread.
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}

/// <summary>
/// Candidates for merging (并案): similar text (estimated Jaccard at or above <see cref="MinSimilarity"/>), in the
/// same street or within <see cref="MaxMetres"/>, submitted within <see cref="Window"/> of each other.
/// </summary>
public sealed record DuplicateRules(double MinSimilarity = 0.5, double MaxMetres = 500, TimeSpan? WindowOrDefault = null)
{
    public TimeSpan Window => WindowOrDefault ?? TimeSpan.FromDays(7);

    public static double Metres(double lat1, double lon1, double lat2, double lon2)
    {
        const double R = 6_371_000;
        var dLat = (lat2 - lat1) * Math.PI / 180;
        var dLon = (lon2 - lon1) * Math.PI / 180;
        var a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) + Math.Cos(lat1 * Math.PI / 180) * Math.Cos(lat2 * Math.PI / 180) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * R * Math.Asin(Math.Sqrt(a));
    }
}
