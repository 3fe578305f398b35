using System.Globalization;
using System.Text;

namespace CrossMedia.Encoders;

/// <summary>
/// BERT's uncased accent stripping (canonical decomposition, then nonspacing marks dropped:
/// "Café" → "Cafe", "東京" unchanged, Hangul syllables → conjoining jamo) without ICU. CrossMedia
/// runs with invariant globalization, where <see cref="string.Normalize()"/> leaves non-ASCII text
/// as it is, so a tokeniser relying on it would turn every accented word into [UNK].
/// </summary>
static partial class AccentFolding
{
    public static string Fold(string text)
    {
        if (Ascii.IsValid(text)) return text;
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            int c = rune.Value;
            if (Map.TryGetValue(c, out var folded)) sb.Append(folded);
            else if (c is >= 0xAC00 and <= 0xD7A3) AppendHangulJamo(sb, c - 0xAC00);
            else if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark) sb.Append(rune.ToString());
        }
        return sb.ToString();
    }

    /// <summary>The Unicode standard's arithmetic decomposition of a Hangul syllable.</summary>
    static void AppendHangulJamo(StringBuilder sb, int s)
    {
        sb.Append((char)(0x1100 + s / 588)).Append((char)(0x1161 + s % 588 / 28));
        if (s % 28 != 0) sb.Append((char)(0x11A7 + s % 28));
    }
}
