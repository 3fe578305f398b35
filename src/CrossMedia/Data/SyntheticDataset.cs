using CrossMedia.Core;

namespace CrossMedia.Data;

/// <summary>
/// A synthetic cross-media benchmark whose class embeddings carry the class structure, so
/// zero-shot transfer is learnable. Each class c has a latent vector u_c ~ N(0, I); its class
/// embedding is A·u_c plus small noise (A a fixed random linear map). An item of class c has the
/// latent z = u_c + noise·ε, and each medium m observes it through its own fixed random 2-layer
/// network x = W2·tanh(W1·z + b1) + b2. A model that learns feature → class-embedding maps on seen
/// classes therefore generalises to unseen ones. Paired by default: item i of every medium shares z
/// (shared_noise = 1), so CCA-style methods apply; with shared_noise = 0 paired items share only their
/// class, the regime class-embedding methods such as JFSE are built for. With forms = 2 every class
/// appears in two opposite forms ±u_c (as "sport" covers unlike pictures): class means vanish, so no
/// linear map of the features separates the classes, while the class embedding still is A·u_c. Deterministic per seed (its own generator, independent of .NET).
/// </summary>
public static class SyntheticDataset
{
    public static Dataset Create(SyntheticDatasetOptions options, int seed)
    {
        options.Validate();
        var rng = new SeededRandom(options.Seed ?? seed);
        int k = options.Classes, latent = options.LatentDimension;

        var classLatents = Gaussian(rng, k, latent, 1.0);
        var a = Gaussian(rng, options.EmbeddingDimension, latent, 1.0 / Math.Sqrt(latent));
        var embeddings = new Matrix(k, options.EmbeddingDimension);
        for (int c = 0; c < k; c++)
        {
            var e = embeddings.Row(c);
            MultiplyAdd(a, classLatents.RowReadOnly(c), e);
            for (int j = 0; j < e.Length; j++) e[j] += (float)(options.EmbeddingNoise * rng.NextGaussian());
        }

        var networks = options.Dimensions.Select(d => new Network(rng, latent, options.HiddenDimension, d)).ToArray();

        // Items: train then test, class by class.
        var labels = new List<int>();
        var splits = new List<Split>();
        foreach (var (split, perClass) in new[] { (Split.Train, options.TrainPerClass), (Split.Test, options.TestPerClass) })
            for (int c = 0; c < k; c++)
                for (int i = 0; i < perClass; i++) { labels.Add(c); splits.Add(split); }
        int n = labels.Count;
        // Two forms: an item shows its class as +u_c or −u_c (its paired items show the same form).
        var form = Enumerable.Range(0, n).Select(_ => options.Forms == 2 && rng.NextDouble() < 0.5 ? -1f : 1f).ToArray();

        Matrix ItemLatents()
        {
            var z = new Matrix(n, latent);
            for (int i = 0; i < n; i++)
            {
                var row = z.Row(i);
                var u = classLatents.RowReadOnly(labels[i]);
                for (int j = 0; j < latent; j++) row[j] = form[i] * u[j] + (float)(options.Noise * rng.NextGaussian());
            }
            return z;
        }

        // Paired items: z_m = u_c + noise·(√s·ε + √(1−s)·ε_m), ε common to the pair, ε_m per medium.
        Matrix Blend(Matrix shared, Matrix own, double s)
        {
            // u + √s·(shared − u) + √(1−s)·(own − u): shared and own are u plus independent noise of one
            // scale, so the result keeps that scale with a share s of it common to every medium.
            var z = new Matrix(n, latent);
            float a = (float)Math.Sqrt(s), b = (float)Math.Sqrt(1 - s);
            for (int i = 0; i < n; i++)
            {
                var u = classLatents.RowReadOnly(labels[i]);
                var zs = shared.RowReadOnly(i);
                var zo = own.RowReadOnly(i);
                var row = z.Row(i);
                for (int j = 0; j < latent; j++)
                {
                    float centre = form[i] * u[j];
                    row[j] = centre + a * (zs[j] - centre) + b * (zo[j] - centre);
                }
            }
            return z;
        }

        // A medium's view of the latents with each item's distance from its class centre scaled (view_noise).
        Matrix ScaleNoise(Matrix latents, float factor)
        {
            var z = new Matrix(n, latent);
            for (int i = 0; i < n; i++)
            {
                var u = classLatents.RowReadOnly(labels[i]);
                var from = latents.RowReadOnly(i);
                var row = z.Row(i);
                for (int j = 0; j < latent; j++) row[j] = form[i] * u[j] + factor * (from[j] - form[i] * u[j]);
            }
            return z;
        }

        var shared = options.Paired ? ItemLatents() : null;
        var ids = Enumerable.Range(0, n).Select(i => $"{splits[i].Name()}-{labels[i]}-{i}").ToArray();
        var media = new Medium[options.Media.Count];
        for (int m = 0; m < media.Length; m++)
        {
            var z = shared is null ? ItemLatents() : options.SharedNoise >= 1 ? shared : Blend(shared, ItemLatents(), options.SharedNoise);
            if (options.ViewNoise is { } factors && factors[m] != 1) z = ScaleNoise(z, (float)factors[m]);
            media[m] = new Medium(options.Media[m], networks[m].Apply(z), null, labels.ToArray(), splits.ToArray(), ids);
        }
        var classNames = Enumerable.Range(0, k).Select(c => $"class{c:D2}").ToArray();
        return new Dataset("synthetic", media, classNames, embeddings, options.Paired);
    }


    private static Matrix Gaussian(SeededRandom rng, int rows, int cols, double std)
    {
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (float)(std * rng.NextGaussian());
        return m;
    }

    /// <summary>y += W·x for W rows×cols.</summary>
    private static void MultiplyAdd(Matrix w, ReadOnlySpan<float> x, Span<float> y)
    {
        for (int r = 0; r < w.Rows; r++)
        {
            var row = w.RowReadOnly(r);
            float s = 0;
            for (int j = 0; j < row.Length; j++) s += row[j] * x[j];
            y[r] += s;
        }
    }

    /// <summary>A fixed random 2-layer tanh network, one per medium.</summary>
    private sealed class Network
    {
        private readonly Matrix _w1, _w2;
        private readonly float[] _b1, _b2;

        public Network(SeededRandom rng, int input, int hidden, int output)
        {
            _w1 = Gaussian(rng, hidden, input, 1.0 / Math.Sqrt(input));
            _b1 = Gaussian(rng, 1, hidden, 0.1).Data;
            _w2 = Gaussian(rng, output, hidden, 1.0 / Math.Sqrt(hidden));
            _b2 = Gaussian(rng, 1, output, 0.1).Data;
        }

        public Matrix Apply(Matrix z)
        {
            var x = new Matrix(z.Rows, _w2.Rows);
            var h = new float[_w1.Rows];
            for (int i = 0; i < z.Rows; i++)
            {
                _b1.CopyTo(h, 0);
                MultiplyAdd(_w1, z.RowReadOnly(i), h);
                for (int j = 0; j < h.Length; j++) h[j] = MathF.Tanh(h[j]);
                var row = x.Row(i);
                _b2.CopyTo(row);
                MultiplyAdd(_w2, h, row);
            }
            return x;
        }
    }
}
