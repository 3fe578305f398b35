using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Models.Cca;
using CrossMedia.Training;
using Xunit.Abstractions;

namespace CrossMedia.Tests.Training;

[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class CcaTrainerTests(ITestOutputHelper output)
{
    /// <summary>
    /// Two paired media of <paramref name="classes"/> classes. Each item has a latent vector (its class
    /// centroid plus item noise) that both of its media observe in their first <paramref name="signal"/>
    /// columns (scaled by <paramref name="signalScale"/>, with a little independent noise); the other
    /// columns are noise independent across media, the first <paramref name="loud"/> of them scaled by
    /// <paramref name="loudScale"/>, the rest by 1.
    /// </summary>
    internal static Dataset Planted(int seed, int classes, int trainPerClass, int valPerClass, int signal, int noise,
        double signalScale, int loud = 0, double loudScale = 1)
    {
        var rng = new Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var centroids = new double[classes, signal];
        for (int c = 0; c < classes; c++) for (int j = 0; j < signal; j++) centroids[c, j] = Gauss();
        int perClass = trainPerClass + valPerClass, n = classes * perClass, d = signal + noise;
        var fa = new Matrix(n, d);
        var fb = new Matrix(n, d);
        var labels = new int[n];
        var splits = new Split[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % classes;
            labels[i] = c;
            splits[i] = i / classes < trainPerClass ? Split.Train : Split.Val;
            for (int j = 0; j < signal; j++)
            {
                double z = centroids[c, j] + 0.5 * Gauss();
                fa[i, j] = (float)(signalScale * (z + 0.2 * Gauss()));
                fb[i, j] = (float)(signalScale * (z + 0.2 * Gauss()));
            }
            for (int j = 0; j < noise; j++)
            {
                double s = j < loud ? loudScale : 1;
                fa[i, signal + j] = (float)(s * Gauss());
                fb[i, signal + j] = (float)(s * Gauss());
            }
        }
        return new Dataset("planted", [new Medium("a", fa, null, labels, splits), new Medium("b", fb, null, (int[])labels.Clone(), (Split[])splits.Clone())],
            Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray(), paired: true);
    }

    private static readonly RetrievalOptions Cosine = new(Metric.Cosine);

    /// <summary>Signal in two quiet columns, loud independent noise elsewhere, many training items: heavy ridges (towards PLS) chase the noise.</summary>
    private static Dataset NeedsLittleRegularisation() => Planted(1, 6, 100, 30, 2, 4, 0.1, loud: 4, loudScale: 10);

    /// <summary>Three signal columns among 60 noise columns with 5 training items per class: light ridges overfit.</summary>
    private static Dataset NeedsHeavyRegularisation() => Planted(1, 6, 5, 30, 3, 60, 3);

    private void Show(CcaTrainer.Result r)
    {
        foreach (var g in r.Candidates.GroupBy(c => c.Config.Regularisation).OrderBy(g => g.Key))
            output.WriteLine($"reg {g.Key:g3}: best val {g.Max(c => c.ValidationMap):F4}");
        output.WriteLine($"chosen {r.Model.Config}; warnings: {string.Join(" | ", r.Warnings)}");
    }

    private static bool Interior(double chosen) => chosen > CcaTrainer.RegularisationGrid[0] && chosen < CcaTrainer.RegularisationGrid[^1];

    [Fact]
    public void Fit_Should_ChooseALightInteriorRidge_WhenTheSignalHidesInQuietDirections()
    {
        var result = CcaTrainer.Fit(NeedsLittleRegularisation(), null, Cosine, new CcaSearch(Input: CcaInput.None));
        Show(result);
        var reg = result.Model.Config.Regularisation;
        Assert.True(reg <= 1e-3 && Interior(reg), $"chose {reg}");
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Fit_Should_ChooseAHeavyInteriorRidge_WhenTrainingItemsAreFewerThanDimensions()
    {
        var result = CcaTrainer.Fit(NeedsHeavyRegularisation(), null, Cosine, new CcaSearch(Input: CcaInput.None));
        Show(result);
        var reg = result.Model.Config.Regularisation;
        Assert.True(reg >= 10 && Interior(reg), $"chose {reg}");
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Fit_Should_WarnNamingTheParameterAndEdge_WhenTheChoiceIsAnEdgeOfItsGrid()
    {
        // The grid CrossMedia searched before: the heavy-ridge problem wants more than its top, the light one less than its bottom.
        double[] oldGrid = [1e-4, 1e-3, 1e-2, 1e-1, 1];
        var heavy = CcaTrainer.Fit(NeedsHeavyRegularisation(), null, Cosine, new CcaSearch(Input: CcaInput.None, RegularisationGrid: oldGrid));
        Assert.Equal(1, heavy.Model.Config.Regularisation);
        var warning = Assert.Single(heavy.Warnings);
        Assert.Contains("regularisation", warning);
        Assert.Contains("top edge", warning);
        var light = CcaTrainer.Fit(NeedsLittleRegularisation(), null, Cosine, new CcaSearch(Input: CcaInput.None, RegularisationGrid: oldGrid));
        Assert.Equal(1e-4, light.Model.Config.Regularisation);
        Assert.Contains("bottom edge", Assert.Single(light.Warnings));
    }

    [Fact]
    public void Fit_Should_ChooseThePlantedNumberOfDimensions()
    {
        // Four latent directions shared by both media, twelve columns of noise independent across media.
        var result = CcaTrainer.Fit(Planted(1, 12, 40, 20, 4, 12, 1), null, Cosine, new CcaSearch(CorrelationPower: 0, Input: CcaInput.None));
        Show(result);
        Assert.Equal(4, result.Model.Config.Dimensions);
        Assert.Equal(4, result.Model.EmbeddingDimension);
    }

    [Fact]
    public void Fit_Should_KeepFixedSettings_AndSearchOnlyTheOthers()
    {
        var result = CcaTrainer.Fit(Planted(1, 12, 40, 20, 4, 12, 1), null, Cosine, new CcaSearch(Regularisation: 0.5, CorrelationPower: 1));
        Assert.All(result.Candidates, c => Assert.Equal((0.5, 1.0, CcaInput.L2), (c.Config.Regularisation, c.Config.CorrelationPower, c.Config.Input)));
        Assert.Equal(CcaTrainer.DimensionGrid(16), result.Candidates.Select(c => c.Config.Dimensions).Order());
        Assert.Empty(result.Warnings);
    }
}
