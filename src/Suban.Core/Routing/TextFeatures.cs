using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Suban.Core.Routing;

/// <summary>
/// Turns text into hashed features without a word segmenter: character n-grams of the normalised text (Chinese
/// carries most of its meaning in 2–3 character runs) plus whole Latin words. Normalisation folds full-width forms,
/// case and digits (0), Traditional characters to Simplified (a message from Hong Kong or Taiwan reads like one
/// from Shenzhen), and turns punctuation into boundaries, so "8600元" and "３千元" share their "0元".
/// </summary>
public sealed class TextFeatures(int minN = 1, int maxN = 4)
{
    /// <summary>Longest text read; the opening of a long message says what it is about.</summary>
    public const int MaxChars = 4000;

    public int MinN { get; } = minN;

    public int MaxN { get; } = maxN;

    /// <summary>Normalised characters into <paramref name="buffer"/>; returns how many.</summary>
    public static int Normalise(ReadOnlySpan<char> text, Span<char> buffer)
    {
        var length = 0;
        var lastWasBoundary = true;
        buffer[length++] = ' ';
        foreach (var raw in text.Length > MaxChars ? text[..MaxChars] : text)
        {
            if (length >= buffer.Length - 1)
            {
                break;
            }

            var c = Fold(raw);
            if (c == ' ')
            {
                if (!lastWasBoundary)
                {
                    buffer[length++] = ' ';
                    lastWasBoundary = true;
                }

                continue;
            }

            buffer[length++] = c;
            lastWasBoundary = false;
        }

        if (!lastWasBoundary)
        {
            buffer[length++] = ' ';
        }

        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static char Fold(char c)
    {
        if (c is >= '\uFF01' and <= '\uFF5E')
        {
            c = (char)(c - 0xFEE0);
        }
        else if (c == '\u3000')
        {
            return ' ';
        }

        if (c < 128)
        {
            if (char.IsAsciiDigit(c))
            {
                return '0';
            }

            if (char.IsAsciiLetter(c))
            {
                return char.ToLowerInvariant(c);
            }

            return ' ';
        }

        var category = char.GetUnicodeCategory(c);
        return category switch
        {
            UnicodeCategory.DecimalDigitNumber => '0',
            UnicodeCategory.OtherLetter => Simplified[c],
            UnicodeCategory.LowercaseLetter or UnicodeCategory.UppercaseLetter or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => char.ToLowerInvariant(c),
            _ => ' ',
        };
    }

    /// <summary>Every BMP character to its Simplified form (itself when it has none): one array read per character.</summary>
    private static readonly char[] Simplified = LoadSimplified();

    /// <summary>Traditional → Simplified pairs from OpenCC's character table, embedded in the assembly.</summary>
    private static char[] LoadSimplified()
    {
        var map = new char[char.MaxValue + 1];
        for (var i = 0; i < map.Length; i++)
        {
            map[i] = (char)i;
        }

        using var stream = typeof(TextFeatures).Assembly.GetManifestResourceStream("Suban.Core.Routing.t2s.txt")
            ?? throw new InvalidOperationException("The Traditional→Simplified table is missing from the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 2 && line[0] != '#')
            {
                map[line[0]] = line[1];
            }
        }

        return map;
    }

    /// <summary>The text with Traditional characters in their Simplified form (for showing what the model read).</summary>
    public static string ToSimplified(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = Simplified[source[i]];
        }
    });

    /// <summary>Calls <paramref name="sink"/> with the hash of every feature occurrence in <paramref name="text"/>.</summary>
    public void Hashes<TSink>(ReadOnlySpan<char> text, ref TSink sink)
        where TSink : struct, IHashSink
    {
        Span<char> buffer = text.Length + 2 <= 1024 ? stackalloc char[text.Length + 2] : new char[Math.Min(text.Length, MaxChars) + 2];
        var length = Normalise(text, buffer);
        var chars = buffer[..length];

        for (var i = 0; i < chars.Length; i++)
        {
            var hash = 14695981039346656037UL;
            for (var n = 1; n <= MaxN && i + n <= chars.Length; n++)
            {
                var c = chars[i + n - 1];
                hash = (hash ^ c) * 1099511628211UL;
                if (n >= MinN && !(n == 1 && c == ' '))
                {
                    sink.Add(hash ^ ((ulong)n << 56));
                }
            }
        }

        // Latin words whole: "wifi", "app", "etc" mean more than their letters.
        var start = -1;
        for (var i = 0; i <= chars.Length; i++)
        {
            var isLatin = i < chars.Length && chars[i] < 128 && char.IsAsciiLetterOrDigit(chars[i]);
            if (isLatin && start < 0)
            {
                start = i;
            }
            else if (!isLatin && start >= 0)
            {
                if (i - start > MaxN)
                {
                    var hash = 0xCBF29CE484222325UL ^ 0x5757UL;
                    for (var j = start; j < i; j++)
                    {
                        hash = (hash ^ chars[j]) * 1099511628211UL;
                    }

                    sink.Add(hash);
                }

                start = -1;
            }
        }
    }

    /// <summary>The readable n-gram behind a feature, for explanations: recomputed, never stored.</summary>
    public IEnumerable<(ulong Hash, string Text)> Describe(string text)
    {
        var buffer = new char[Math.Min(text.Length, MaxChars) + 2];
        var length = Normalise(text, buffer);
        for (var i = 0; i < length; i++)
        {
            var hash = 14695981039346656037UL;
            for (var n = 1; n <= MaxN && i + n <= length; n++)
            {
                hash = (hash ^ buffer[i + n - 1]) * 1099511628211UL;
                if (n >= MinN)
                {
                    yield return (hash ^ ((ulong)n << 56), new string(buffer, i, n).Trim());
                }
            }
        }
    }
}

public interface IHashSink
{
    void Add(ulong hash);
}
