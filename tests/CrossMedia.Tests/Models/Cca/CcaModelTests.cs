using CrossMedia.Models;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Models.Cca;

namespace CrossMedia.Tests.Models.Cca;

public class CcaModelTests
{
    private static Matrix Random(int rows, int cols, Random rng, Func<int, int, double>? f = null)
    {
        var m = new Matrix(rows, cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                m[i, j] = (float)(f?.Invoke(i, j) ?? rng.NextDouble() * 2 - 1);
        return m;
    }

    private static Medium AsMedium(string name, Matrix m) =>
        new(name, m, null, new int[m.Rows], Enumerable.Repeat(Split.Train, m.Rows).ToArray());

    private static double Correlation(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.Sqrt(saa * sbb);
    }

    private static double[] Column(Matrix m, int c) => Enumerable.Range(0, m.Rows).Select(i => (double)m[i, c]).ToArray();

    [Fact]
    public void Fit_Should_FindAbsolutePearsonCorrelation_ForOneDimensionalMedia()
    {
        var rng = new Random(1);
        var x = Random(200, 1, rng);
        var y = Random(200, 1, rng, (i, _) => -0.7 * x[i, 0] + 0.3 * (rng.NextDouble() - 0.5));
        var model = CcaModel.Fit([("a", x), ("b", y)], new CcaConfig(Regularisation: 0));
        var expected = Math.Abs(Correlation(Column(x, 0), Column(y, 0)));
        Assert.Equal(expected, model.Correlations[0], 6);
    }

    [Fact]
    public void Fit_Should_ProduceWhitenedMaximallyCorrelatedProjections()
    {
        var rng = new Random(2);
        const int n = 500;
        var latent = Random(n, 3, rng);
        var x = Random(n, 6, rng, (i, j) => latent[i, j % 3] * (j + 1) + 0.5 * (rng.NextDouble() - 0.5));
        var y = Random(n, 4, rng, (i, j) => latent[i, (j + 1) % 3] - 0.3 * j + 0.8 * (rng.NextDouble() - 0.5));
        var model = CcaModel.Fit([("a", x), ("b", y)], new CcaConfig(Regularisation: 0));
        var ex = model.Embed(AsMedium("a", x));
        var ey = model.Embed(AsMedium("b", y));
        Assert.Equal(4, model.EmbeddingDimension);
        for (int i = 0; i < 4; i++)
        {
            // Canonical pair i correlates exactly by the reported correlation ...
            Assert.Equal(model.Correlations[i], Correlation(Column(ex, i), Column(ey, i)), 3);
            for (int j = 0; j < 4; j++)
            {
                if (i == j) continue;
                // ... and is uncorrelated with the other canonical variates, within and across media.
                Assert.InRange(Correlation(Column(ex, i), Column(ex, j)), -1e-3, 1e-3);
                Assert.InRange(Correlation(Column(ex, i), Column(ey, j)), -1e-3, 1e-3);
            }
        }
        Assert.True(model.Correlations.Zip(model.Correlations.Skip(1)).All(p => p.First >= p.Second));
        Assert.True(model.Correlations[0] > 0.9);
    }

    [Fact]
    public void Fit_Should_CoupleEveryMedium_WithCorrelationsThatAreTheMeanOverPairsOfMedia_ForThreeMedia()
    {
        // Three media observing two shared latent directions (and noise): multi-set CCA (SUMCOR).
        var rng = new Random(4);
        const int n = 400;
        var latent = Random(n, 2, rng);
        var x = Random(n, 5, rng, (i, j) => latent[i, j % 2] * (j + 1) + 0.6 * (rng.NextDouble() - 0.5));
        var y = Random(n, 3, rng, (i, j) => latent[i, (j + 1) % 2] - 0.4 * j + 0.8 * (rng.NextDouble() - 0.5));
        var z = Random(n, 4, rng, (i, j) => (j < 2 ? latent[i, j] : 0) + (rng.NextDouble() - 0.5));
        var model = CcaModel.Fit([("a", x), ("b", y), ("c", z)], new CcaConfig(Regularisation: 0));
        Assert.Equal(["a", "b", "c"], model.Media.Select(m => m.Name));
        Assert.Equal(3, model.EmbeddingDimension); // the smallest medium's dimension
        var e = new[] { model.Embed(AsMedium("a", x)), model.Embed(AsMedium("b", y)), model.Embed(AsMedium("c", z)) };
        for (int d = 0; d < 2; d++)
        {
            double[] pairs = [Correlation(Column(e[0], d), Column(e[1], d)), Correlation(Column(e[0], d), Column(e[2], d)), Correlation(Column(e[1], d), Column(e[2], d))];
            Assert.All(pairs, r => Assert.True(r > 0.5, $"dimension {d}: pairwise correlations {string.Join(", ", pairs)}"));
            Assert.Equal(pairs.Average(), model.Correlations[d], 3);
        }
        // The two shared directions come first, then the noise.
        Assert.True(model.Correlations[1] > model.Correlations[2] + 0.3, string.Join(", ", model.Correlations));
    }

    [Fact]
    public void SaveAndLoad_Should_GiveIdenticalEmbeddings()
    {
        var rng = new Random(3);
        var x = Random(50, 5, rng);
        var y = Random(50, 3, rng, (i, j) => x[i, j] + 0.1f);
        var model = CcaModel.Fit([("image", x), ("text", y)], new CcaConfig(1e-2, 0, 1));
        var dir = Directory.CreateTempSubdirectory("cca").FullName;
        model.Save(dir);
        var loaded = CcaModel.Load(dir);
        Assert.Equal(model.Embed(AsMedium("text", y)).Data, loaded.Embed(AsMedium("text", y)).Data);
        Assert.Equal(model.Config, loaded.Config);
    }

    [Fact]
    public void Embed_Should_RejectWrongDimension_WithClearError()
    {
        var rng = new Random(4);
        var model = CcaModel.Fit([("image", Random(20, 5, rng)), ("text", Random(20, 3, rng))], new CcaConfig());
        var e = Assert.Throws<InputException>(() => model.Embed(AsMedium("image", Random(4, 7, rng))));
        Assert.Contains("expected 5 columns, found 7", e.Message);
    }

    /// <summary>Rows of very different lengths, so that unit-length scaling changes the problem.</summary>
    private static (Matrix X, Matrix Y) Lengthy(int seed)
    {
        var rng = new Random(seed);
        const int n = 400;
        var latent = Random(n, 3, rng);
        var length = Enumerable.Range(0, n).Select(_ => Math.Exp(4 * rng.NextDouble() - 2)).ToArray();
        var x = Random(n, 6, rng, (i, j) => length[i] * (latent[i, j % 3] * (j + 1) + 0.5 * (rng.NextDouble() - 0.5)));
        var y = Random(n, 4, rng, (i, j) => (latent[i, (j + 1) % 3] + 0.3 * j + 0.8 * (rng.NextDouble() - 0.5)) / length[i]);
        return (x, y);
    }

    [Theory]
    [InlineData(CcaInput.L2)]
    [InlineData(CcaInput.ZScore)]
    public void Embed_Should_NormaliseInputsExactlyAsTrainingDid(CcaInput input)
    {
        var (x, y) = Lengthy(5);
        var model = CcaModel.Fit([("image", x), ("text", y)], new CcaConfig(Regularisation: 0, Input: input));
        var dir = Directory.CreateTempSubdirectory("cca").FullName;
        model.Save(dir);
        var loaded = CcaModel.Load(dir);
        Assert.Equal(input, loaded.Config.Input);
        // Training items embedded through the inference path of the saved model are the training
        // canonical variates: each pair correlates by its reported correlation, and the variates are white.
        var ex = loaded.Embed(AsMedium("image", x));
        var ey = loaded.Embed(AsMedium("text", y));
        for (int i = 0; i < model.EmbeddingDimension; i++)
        {
            Assert.Equal(model.Correlations[i], Correlation(Column(ex, i), Column(ey, i)), 4);
            for (int j = 0; j < i; j++) Assert.InRange(Correlation(Column(ex, i), Column(ex, j)), -1e-3, 1e-3);
        }
        if (input == CcaInput.L2)
        {
            // Only an item's direction counts: a query at ten times the length embeds the same.
            var longer = new Matrix(x.Data.Select(v => v * 10).ToArray(), x.Rows, x.Cols);
            var el = loaded.Embed(AsMedium("image", longer));
            for (int i = 0; i < ex.Data.Length; i++) Assert.Equal(ex.Data[i], el.Data[i], 4);
        }
    }

    [Fact]
    public void Load_Should_ReadAModelSavedBeforeInputNormalisation_AndEmbedAsItDid()
    {
        // model.json as CrossMedia wrote it before the Input setting (1-d image and text, k = 1).
        var dir = Directory.CreateTempSubdirectory("cca-old").FullName;
        File.WriteAllText(Path.Combine(dir, "model.json"), """
            {
              "method": "cca",
              "version": "0.1.0",
              "config": { "Regularisation": 0.001, "Dimensions": 0, "CorrelationPower": 0 },
              "correlations": [ 0.9 ],
              "media": [
                { "name": "image", "input_dimension": 2, "mean": [ 1, 2 ], "projection": [ 0.5, -1 ] },
                { "name": "text", "input_dimension": 1, "mean": [ 3 ], "projection": [ 2 ] }
              ]
            }
            """);
        CrossMedia.Core.FileChecksums.Write(dir, ["model.json"]);
        var model = CcaModel.Load(dir);
        Assert.Equal(CcaInput.None, model.Config.Input);
        // No unit-length scaling: (x - mean) · projection.
        var e = model.Embed(AsMedium("image", new Matrix([3f, 4f, 10f, 20f], 2, 2)));
        Assert.Equal([(3 - 1) * 0.5f - (4 - 2), (10 - 1) * 0.5f - (20 - 2)], e.Data);
    }
}
