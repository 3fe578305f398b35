using CrossMedia.Core;
using CrossMedia.Data;

namespace CrossMedia.Tests.Training;

/// <summary>
/// A small paired two-media dataset built in the test: class embeddings are random vectors; each
/// item's image and text features are different fixed non-linear maps (tanh of a random projection)
/// of its class embedding plus independent noise per medium, so class structure — and zero-shot transfer through the
/// class embeddings — is learnable.
/// </summary>
internal static class JfseTestData
{
    public static Dataset Build(int seed = 1, int classes = 10, int perClass = 40, int dimV = 48, int dimT = 24, int dimC = 16, double noise = 0.8)
    {
        var rng = new Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var ce = new Matrix(classes, dimC);
        for (int i = 0; i < ce.Data.Length; i++) ce.Data[i] = (float)Gauss();
        var pv = new double[dimV, dimC];
        var pt = new double[dimT, dimC];
        for (int i = 0; i < dimV; i++) for (int j = 0; j < dimC; j++) pv[i, j] = Gauss() / Math.Sqrt(dimC);
        for (int i = 0; i < dimT; i++) for (int j = 0; j < dimC; j++) pt[i, j] = Gauss() / Math.Sqrt(dimC);
        int n = classes * perClass;
        var fv = new Matrix(n, dimV);
        var ft = new Matrix(n, dimT);
        var labels = new int[n];
        var splits = new Split[n];
        for (int k = 0; k < n; k++)
        {
            int c = k % classes;
            labels[k] = c;
            int within = k / classes;
            splits[k] = within < perClass / 2 ? Split.Train : within < perClass * 5 / 8 ? Split.Val : Split.Test;
            // Independent noise per medium: only the class is shared between an item's image and text.
            var latentV = new double[dimC];
            var latentT = new double[dimC];
            for (int j = 0; j < dimC; j++) { latentV[j] = ce[c, j] + noise * Gauss(); latentT[j] = ce[c, j] + noise * Gauss(); }
            for (int i = 0; i < dimV; i++) { double s = 0; for (int j = 0; j < dimC; j++) s += pv[i, j] * latentV[j]; fv[k, i] = (float)Math.Tanh(1.5 * s); }
            for (int i = 0; i < dimT; i++) { double s = 0; for (int j = 0; j < dimC; j++) s += pt[i, j] * latentT[j]; ft[k, i] = (float)Math.Tanh(1.5 * s); }
        }
        var media = new[]
        {
            new Medium("image", fv, null, labels, splits),
            new Medium("text", ft, null, (int[])labels.Clone(), (Split[])splits.Clone()),
        };
        return new Dataset("jfse-test", media, Enumerable.Range(0, classes).Select(c => $"class{c}").ToArray(), ce, paired: true);
    }
}
