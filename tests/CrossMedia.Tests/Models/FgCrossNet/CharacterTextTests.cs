using CrossMedia.Models.FgCrossNet;
using CrossMedia.Torch;

namespace CrossMedia.Tests.Models.FgCrossNet;

public class CharacterTextTests
{
    [Fact]
    public void Encode_Should_LowerCaseMapDropAndPad()
    {
        // a=1, b=2, z=26, '0'=27, '9'=36, ','=37, '{'=67, '}'=68; 'é', ' ' and '\n' are dropped.
        var codes = CharacterText.Encode("Ab z\n09,é{}", 12);
        Assert.Equal(new long[] { 1, 2, 26, 27, 36, 37, 67, 68, 0, 0, 0, 0 }, codes);
    }

    [Fact]
    public void Encode_Should_KeepTheWholeText_AcrossLines_AndTruncate()
    {
        // The reference kept only the last line; every line counts here, cut at L.
        var codes = CharacterText.Encode("ab\ncd\nef", 5);
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, codes);
    }

    [Fact]
    public void Alphabet_Should_MapEverySymbolToItsIndexPlusOne()
    {
        var codes = CharacterText.Encode(CharacterText.Alphabet, CharacterText.Alphabet.Length);
        Assert.Equal(Enumerable.Range(1, CharacterText.Alphabet.Length).Select(i => (long)i), codes);
        Assert.Equal(68, CharacterText.Alphabet.Distinct().Count());
        Assert.True(codes.Max() < CharacterText.VocabularySize);
    }

    [Fact]
    public void Encode_Should_PrependAnEvenNumberOfPaddingUpToEight_WhenAugmenting()
    {
        var rng = new Random(5);
        var seen = new HashSet<int>();
        for (var i = 0; i < 200; i++)
        {
            var codes = CharacterText.Encode("abc", 16, rng);
            var lead = Array.FindIndex(codes, c => c != 0);
            Assert.True(lead is >= 0 and <= 8 && lead % 2 == 0, $"lead {lead}");
            Assert.Equal(new long[] { 1, 2, 3 }, codes.Skip(lead).Take(3));
            Assert.All(codes.Skip(lead + 3), c => Assert.Equal(0, c));
            seen.Add(lead);
        }
        Assert.Equal(new[] { 0, 2, 4, 6, 8 }, seen.Order());
    }

    [Fact]
    public void EncodeBatch_Should_StackRows()
    {
        TorchRuntime.Initialize(2);
        using var t = CharacterText.EncodeBatch(["a", "bc"], 3);
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(new long[] { 1, 0, 0, 2, 3, 0 }, t.data<long>().ToArray());
    }
}
