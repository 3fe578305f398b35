using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.FgCrossNet;

/// <summary>
/// FGCrossNet's text input: the lower-cased characters of the WHOLE text mapped to the
/// character-CNN alphabet as index + 1 (0 = padding; characters outside the alphabet dropped),
/// then padded or truncated to the network's input size L.
/// </summary>
/// <remarks>
/// The spec's alphabet string has 68 distinct symbols; the "69" it mentions (and the Embedding
/// of 70 rows) come from Zhang et al.'s character-CNN alphabet, which lists '-' twice. We use the
/// string as written, so index 69 is simply never produced.
/// </remarks>
internal static class CharacterText
{
    /// <summary>The alphabet; a character's code is its index here + 1.</summary>
    public const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789,;.!?:'\"/\\|_@#$%^&*~`+-=<>()[]{}";

    /// <summary>Rows of the embedding table (codes 0..69).</summary>
    public const int VocabularySize = 70;

    /// <summary>Training augmentation: at most this many padding symbols are prepended (an even number).</summary>
    public const int MaxPrependedPadding = 8;

    private static readonly int[] Codes = BuildCodes();

    private static int[] BuildCodes()
    {
        var codes = new int[char.MaxValue + 1];
        for (var i = 0; i < Alphabet.Length; i++)
            if (codes[Alphabet[i]] == 0) codes[Alphabet[i]] = i + 1;
        return codes;
    }

    /// <summary>
    /// Encodes <paramref name="text"/> to <paramref name="length"/> codes. With <paramref name="augment"/>
    /// a random even number 0–8 of padding codes is prepended first (training augmentation).
    /// </summary>
    public static long[] Encode(string text, int length, Random? augment = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var result = new long[length];
        var at = augment is null ? 0 : augment.Next(MaxPrependedPadding / 2 + 1) * 2;
        foreach (var ch in text)
        {
            if (at >= length) break;
            var code = Codes[char.ToLowerInvariant(ch)];
            if (code != 0) result[at++] = code;
        }
        return result;
    }

    /// <summary>Encodes several texts into an int64 tensor [N, length] (CPU).</summary>
    public static Tensor EncodeBatch(IReadOnlyList<string> texts, int length, Random? augment = null)
    {
        var data = new long[texts.Count * length];
        for (var i = 0; i < texts.Count; i++)
            Encode(texts[i], length, augment).CopyTo(data, i * length);
        return torch.tensor(data, [texts.Count, length], ScalarType.Int64);
    }
}
