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
    public void ExplicitDefaults_Should_GiveTheDefaultDataset()
    {
        var a = SyntheticDataset.Create(Small, 4);
        var b = SyntheticDataset.Create(Small.With("shared_noise=1,forms=1"), 4);
        Assert.Equal(a["image"].Features!.Data, b["image"].Features!.Data);
        Assert.Equal(a["text"].Features!.Data, b["text"].Features!.Data);
    }

    [Fact]
    public void SharedNoise_Should_SetHowMuchPairedItemsShareBeyondTheirClass()
    {
        // Within one class only the item noise varies: paired features correlate strongly when the
        // noise is shared and about as little as chance allows when it is not.
        double MaxWithinClassCorrelation(string spec)
        {
            var d = SyntheticDataset.Create(new SyntheticDatasetOptions().With("classes=1,train=400,test=0," + spec), 2);
            var (v, t) = (d["image"].Features!, d["text"].Features!);
            double best = 0;
            for (int j = 0; j < v.Cols; j++)
                for (int k = 0; k < t.Cols; k++)
                    best = Math.Max(best, Math.Abs(Correlation(Column(v, j), Column(t, k))));
            return best;
        }
        double shared = MaxWithinClassCorrelation("shared_noise=1");
        double independent = MaxWithinClassCorrelation("shared_noise=0");
        Assert.True(shared > 0.8, $"shared {shared:F3}");
        Assert.True(independent < 0.3, $"independent {independent:F3}");
    }

    [Fact]
    public void TwoForms_Should_LeaveNoLinearMapFromFeaturesToClassEmbeddings()
    {
        // Training-set accuracy of a least-squares map to the nearest of 10 class embeddings:
        // high with one form per class, near chance (0.1) with two opposite forms.
        double Accuracy(string spec)
        {
            var d = SyntheticDataset.Create(new SyntheticDatasetOptions().With(spec), 3);
            var img = d["image"];
            var e = d.ClassEmbeddings!;
            var rows = Enumerable.Range(0, img.Count).Where(i => img.Splits[i] == Split.Train).ToArray();
            var w = LeastSquares(img.Features!, rows, i => e.RowReadOnly(img.Labels[i]).ToArray(), ridge: 1.0);
            return rows.Count(i => Enumerable.Range(0, d.ClassCount).MinBy(c => Distance(Apply(w, img.Features!.RowReadOnly(i)), e.RowReadOnly(c))) == img.Labels[i])
                   / (double)rows.Length;
        }
        double one = Accuracy("forms=1"), two = Accuracy("forms=2");
        Assert.True(one > 0.8, $"one form {one:F3}");
        Assert.True(two < 0.35, $"two forms {two:F3}");
        Assert.Throws<InputException>(() => new SyntheticDatasetOptions().With("forms=3").Validate());
    }

    private static double[] Column(Matrix m, int j) => Enumerable.Range(0, m.Rows).Select(i => (double)m[i, j]).ToArray();

    private static double Correlation(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
        return sab / Math.Sqrt(saa * sbb);
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
