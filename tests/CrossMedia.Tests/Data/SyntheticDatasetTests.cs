using CrossMedia.Core;
using CrossMedia.Data;

namespace CrossMedia.Tests.Data;

public class SyntheticDatasetTests
{
    private static readonly SyntheticDatasetOptions Small = new() { TrainPerClass = 20, TestPerClass = 10 };

    [Fact]
    public void Create_Should_BeDeterministicPerSeedAndDifferAcrossSeeds()
    {
        var a = SyntheticDataset.Create(Small, 1);
        var b = SyntheticDataset.Create(Small, 1);
        var c = SyntheticDataset.Create(Small, 2);
        Assert.Equal(a["image"].Features!.Data, b["image"].Features!.Data);
        Assert.Equal(a["text"].Features!.Data, b["text"].Features!.Data);
        Assert.Equal(a.ClassEmbeddings!.Data, b.ClassEmbeddings!.Data);
        Assert.NotEqual(a["image"].Features!.Data, c["image"].Features!.Data);
        Assert.NotEqual(a.ClassEmbeddings!.Data, c.ClassEmbeddings!.Data);
        // Its own seed wins over the load seed.
        Assert.Equal(SyntheticDataset.Create(Small with { Seed = 5 }, 1)["text"].Features!.Data,
            SyntheticDataset.Create(Small with { Seed = 5 }, 2)["text"].Features!.Data);
    }

    [Fact]
    public void Create_Should_MakePairedMediaWithTheRequestedShape()
    {
        var d = SyntheticDataset.Create(new SyntheticDatasetOptions().With("media=image+text+audio,dims=8+6+4,classes=3,train=5,test=2,embedding=7"), 0);
        Assert.True(d.Paired);
        Assert.Equal(["image", "text", "audio"], d.Media.Select(m => m.Name));
        Assert.Equal([8, 6, 4], d.Media.Select(m => m.Dimension));
        Assert.Equal((3, 7), (d.ClassEmbeddings!.Rows, d.ClassEmbeddings.Cols));
        Assert.All(d.Media, m => Assert.Equal(3 * 7, m.Count));
        Assert.Equal(15, d["audio"].Splits.Count(s => s == Split.Train));
        Assert.Equal(d["image"].Labels, d["audio"].Labels);
        Assert.Empty(DatasetValidator.Check(d));
    }

    [Fact]
    public void Create_Should_TieClassEmbeddingsToTheFeatures()
    {
        // Zero-shot learnability: fit a linear map from image features to class embeddings by
        // least squares on classes 0..6 and check that test items of unseen classes 7..9 are
        // nearer their own class embedding than chance (1/3) would give.
        var d = SyntheticDataset.Create(new SyntheticDatasetOptions(), 3);
        var img = d["image"];
        var e = d.ClassEmbeddings!;
        var seen = Enumerable.Range(0, img.Count).Where(i => img.Splits[i] == Split.Train && img.Labels[i] < 7).ToArray();
        var w = LeastSquares(img.Features!, seen, i => e.RowReadOnly(img.Labels[i]).ToArray(), ridge: 1.0);
        var unseen = Enumerable.Range(0, img.Count).Where(i => img.Splits[i] == Split.Test && img.Labels[i] >= 7).ToArray();
        int correct = 0;
        foreach (var i in unseen)
        {
            var p = Apply(w, img.Features!.RowReadOnly(i));
            int best = Enumerable.Range(7, 3).MinBy(c => Distance(p, e.RowReadOnly(c)));
            if (best == img.Labels[i]) correct++;
        }
        double accuracy = correct / (double)unseen.Length;
        Assert.True(accuracy > 0.6, $"unseen-class accuracy {accuracy:F2}");
    }

    [Fact]
    public void With_Should_RejectUnknownKeys()
    {
        var ex = Assert.Throws<InputException>(() => new SyntheticDatasetOptions().With("clases=3"));
        Assert.Equal("clases", ex.Field);
    }

    private static double Distance(float[] a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int j = 0; j < a.Length; j++) s += (a[j] - b[j]) * (a[j] - b[j]);
        return s;
    }

    private static float[] Apply(double[,] w, ReadOnlySpan<float> x)
    {
        int d = x.Length, k = w.GetLength(1);
        var y = new float[k];
        for (int c = 0; c < k; c++)
        {
            double s = w[d, c];
            for (int j = 0; j < d; j++) s += x[j] * w[j, c];
            y[c] = (float)s;
        }
        return y;
    }

    /// <summary>Ridge regression with a bias row, solved by Gaussian elimination (independent of the generator).</summary>
    private static double[,] LeastSquares(Matrix x, int[] rows, Func<int, float[]> target, double ridge)
    {
        int d = x.Cols + 1, k = target(rows[0]).Length;
        var a = new double[d, d + k];
        foreach (var i in rows)
        {
            var xi = x.RowReadOnly(i).ToArray().Select(v => (double)v).Append(1.0).ToArray();
            var t = target(i);
            for (int p = 0; p < d; p++)
            {
                for (int q = 0; q < d; q++) a[p, q] += xi[p] * xi[q];
                for (int c = 0; c < k; c++) a[p, d + c] += xi[p] * t[c];
            }
        }
        for (int p = 0; p < d - 1; p++) a[p, p] += ridge;
        for (int col = 0; col < d; col++)
        {
            int pivot = Enumerable.Range(col, d - col).MaxBy(r => Math.Abs(a[r, col]));
            for (int q = 0; q < d + k; q++) (a[col, q], a[pivot, q]) = (a[pivot, q], a[col, q]);
            for (int r = 0; r < d; r++)
            {
                if (r == col) continue;
                double f = a[r, col] / a[col, col];
                for (int q = col; q < d + k; q++) a[r, q] -= f * a[col, q];
            }
        }
        var w = new double[d, k];
        for (int p = 0; p < d; p++) for (int c = 0; c < k; c++) w[p, c] = a[p, d + c] / a[p, p];
        return w;
    }
}
