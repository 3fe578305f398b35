using System.Buffers.Binary;
using System.Text;

namespace CrossMedia.Bench.Fuzz;

/// <summary>A numeric field of a seed file that holds a size, count or dimension (a target for huge values).</summary>
public readonly record struct SizeField(int Offset, int Width, bool BigEndian);

/// <summary>One change to a file's bytes: what it was and the first byte it touched (the length for appends).</summary>
public readonly record struct Mutation(string Kind, int Offset, int Length)
{
    public override string ToString() => $"{Kind}@{Offset}" + (Length > 0 ? $"+{Length}" : "");
}

/// <summary>
/// Byte-level mutations of valid seed files: bit flips, interesting byte values, truncation,
/// insertion and deletion, duplicated ranges, appended garbage, and huge values written into the
/// seed's size fields or into random aligned words; text seeds also get token-level edits
/// (numbers replaced by NaN, infinities, huge or malformed numbers, removed delimiters, long lines).
/// </summary>
public static class Mutator
{
    private static readonly byte[] InterestingBytes = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0x20, 0x0A, 0x22, 0x2C];
    private static readonly ulong[] HugeValues =
        [0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 1UL << 28, 1UL << 31, 1UL << 32, 1UL << 40, 1UL << 62, ulong.MaxValue, 0, 1, 0x10000];
    private static readonly string[] OddNumbers =
        ["nan", "NaN", "inf", "-inf", "Infinity", "1e39", "-1e39", "1e308", "1e400", "99999999999999999999", "-0", "0x10", "1,5", "", " ", "1e", "--1", "+", "٣", "1e-50", "2147483648", "-2147483649", "\u0000"];

    /// <summary>Applies 1–3 random mutations (sometimes more) and returns the new bytes.</summary>
    public static byte[] Mutate(Random rng, byte[] seed, IReadOnlyList<SizeField> fields, bool text, List<Mutation> log)
    {
        var bytes = seed;
        int count = rng.Chance(0.1) ? 4 + rng.Next(8) : 1 + rng.Next(3);
        for (int i = 0; i < count; i++) bytes = MutateOnce(rng, bytes, fields, text, log);
        return bytes;
    }

    public static byte[] MutateOnce(Random rng, byte[] b, IReadOnlyList<SizeField> fields, bool text, List<Mutation> log)
    {
        int choice = rng.Next(text ? 12 : 10);
        if (b.Length == 0) choice = 6;
        switch (choice)
        {
            case 0 or 1:
            {
                var r = (byte[])b.Clone();
                int at = rng.Next(r.Length), bits = 1 + (rng.Chance(0.3) ? rng.Next(7) : 0);
                for (int k = 0; k < bits; k++) r[at] ^= (byte)(1 << rng.Next(8));
                log.Add(new("flip", at, 1));
                return r;
            }
            case 2:
            {
                var r = (byte[])b.Clone();
                int at = rng.Next(r.Length);
                r[at] = rng.Pick(InterestingBytes);
                log.Add(new("set", at, 1));
                return r;
            }
            case 3:
            {
                int at = rng.Chance(0.2) ? 0 : rng.Next(b.Length);
                log.Add(new("truncate", at, 0));
                return b[..at];
            }
            case 4:
            {
                int at = rng.Next(b.Length + 1), n = 1 + rng.Next(rng.Chance(0.1) ? 4096 : 16);
                log.Add(new("insert", at, n));
                return [.. b[..at], .. rng.Bytes(n), .. b[at..]];
            }
            case 5:
            {
                int at = rng.Next(b.Length), n = 1 + rng.Next(Math.Min(64, b.Length - at));
                log.Add(new("delete", at, n));
                return [.. b[..at], .. b[(at + n)..]];
            }
            case 6:
            {
                int n = 1 + rng.Next(rng.Chance(0.2) ? 2048 : 32);
                log.Add(new("append", b.Length, n));
                return [.. b, .. rng.Bytes(n)];
            }
            case 7:
            {
                int at = rng.Next(b.Length), n = 1 + rng.Next(Math.Min(256, b.Length - at));
                log.Add(new("duplicate", at + n, n)); // n bytes inserted at at + n
                return [.. b[..(at + n)], .. b[at..(at + n)], .. b[(at + n)..]];
            }
            case 8 or 9:
                return HugeValue(rng, b, fields, log);
            default:
                return TextEdit(rng, b, log);
        }
    }

    /// <summary>Writes a huge (or zero) value into a size field of the seed, else into a random aligned word;
    /// always changes something and logs it (callers rely on one logged mutation per call).</summary>
    public static byte[] HugeValue(Random rng, byte[] b, IReadOnlyList<SizeField> fields, List<Mutation> log)
    {
        var r = (byte[])b.Clone();
        var usable = fields.Where(f => f.Offset + f.Width <= r.Length).ToArray();
        SizeField field = usable.Length > 0 && rng.Chance(0.8)
            ? rng.Pick(usable)
            : new SizeField(rng.Next(Math.Max(1, r.Length / 4)) * 4, rng.Chance(0.5) ? 4 : 8, rng.Chance(0.3));
        if (field.Offset + field.Width > r.Length)
        {
            // A random word past the end (the last word of a file whose length is not a multiple of 4, or any word
            // of a file under 8 bytes): moved back to fit, narrowed when the file is shorter than the word.
            int width = new[] { field.Width, 4, 2, 1 }.First(w => w <= r.Length);
            field = field with { Offset = Math.Min(field.Offset, (r.Length - width) & ~3), Width = width };
        }
        ulong v = rng.Pick(HugeValues);
        var span = r.AsSpan(field.Offset, field.Width);
        switch (field.Width, field.BigEndian)
        {
            case (1, _): span[0] = (byte)v; break;
            case (2, false): BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)v); break;
            case (2, true): BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)v); break;
            case (4, false): BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)v); break;
            case (4, true): BinaryPrimitives.WriteUInt32BigEndian(span, (uint)v); break;
            case (8, false): BinaryPrimitives.WriteUInt64LittleEndian(span, v); break;
            default: BinaryPrimitives.WriteUInt64BigEndian(span, v); break;
        }
        log.Add(new($"huge{field.Width * 8}={v}", field.Offset, field.Width));
        return r;
    }

    /// <summary>Token-level edits of text files: a number replaced by an odd one, a delimiter removed or added, a very long line.</summary>
    private static byte[] TextEdit(Random rng, byte[] b, List<Mutation> log)
    {
        var s = Encoding.Latin1.GetString(b);
        int at = rng.Next(s.Length + 1);
        switch (rng.Next(4))
        {
            case 0:
            {
                // Replace the token around `at` (digits, signs, dots, letters) by an odd number.
                int start = at, end = at;
                while (start > 0 && !IsSeparator(s[start - 1])) start--;
                while (end < s.Length && !IsSeparator(s[end])) end++;
                var odd = rng.Pick(OddNumbers);
                log.Add(new($"token={CaseResult.Short(odd)}", start, end - start));
                return Encoding.UTF8.GetBytes(s[..start] + odd + s[end..]);
            }
            case 1:
            {
                int sep = s.IndexOfAny([',', '\t', ' ', '\n'], Math.Min(at, s.Length));
                if (sep < 0) sep = s.Length == 0 ? 0 : s.Length - 1;
                log.Add(new("drop-separator", sep, 1));
                return s.Length == 0 ? b : Encoding.Latin1.GetBytes(s.Remove(sep, 1));
            }
            case 2:
            {
                var add = rng.Pick(new[] { ",", "\t", " ", "\n", "\r\n", "#", "\"", "\uFEFF", "\u0000" });
                log.Add(new($"insert-text={CaseResult.Short(add)}", at, add.Length));
                return Encoding.UTF8.GetBytes(s[..at] + add + s[at..]);
            }
            default:
            {
                int n = rng.Chance(0.5) ? 1 << 16 : 1 << 20;
                log.Add(new("long-line", at, n));
                return Encoding.Latin1.GetBytes(s[..at] + new string(rng.Chance(0.5) ? '1' : 'x', n) + s[at..]);
            }
        }
    }

    /// <summary>Raw JSON for a value of the wrong kind, a huge or odd number, NaN, deep nesting, a long string or a lone surrogate.</summary>
    public static string OddJson(Random rng) => rng.Next(18) switch
    {
        0 => "null",
        1 => "true",
        2 => "12345678901234567890123",
        3 => "1e400",
        4 => "-1",
        5 => "NaN",
        6 => "\"../../../../etc/passwd\"",
        7 => "\"/dev/zero\"",
        8 => new string('[', 300) + new string(']', 300),
        9 => "{\"unknown_field\": 1}",
        10 => "[]",
        11 => "\"" + new string('x', 20_000) + "\"",
        12 => "1.5",
        13 => "2147483648",
        14 => "[1e39, 1e39, 1e39]",
        15 => "\"\\ud800\"",
        16 => "1e10",
        _ => "\"\"",
    };

    /// <summary>A placeholder to put into a JSON tree where <see cref="RenderJson"/> then writes raw (possibly invalid) JSON.</summary>
    public const string JsonMarker = "@@fuzz@@";

    public static string RenderJson(System.Text.Json.Nodes.JsonNode root, string raw) => root.ToJsonString().Replace($"\"{JsonMarker}\"", raw);

    private static bool IsSeparator(char c) => c is ',' or '\t' or ' ' or '\n' or '\r' or '[' or ']' or '{' or '}' or ':' or '(' or ')' or '\'';
}
