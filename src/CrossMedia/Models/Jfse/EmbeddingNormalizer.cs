using CrossMedia.Core;

namespace CrossMedia.Models.Jfse;

/// <summary>
/// Turns one medium's raw regressor outputs into retrieval embeddings: the post-processing, then
/// (optionally) a z-score with mean and standard deviation of the training embeddings, as the
/// reference does per modality before cosine ranking. All statistics come from training data.
/// </summary>
/// <param name="PostProcessing">Which of the four post-processings.</param>
/// <param name="Scaler">Min-max scaler of the (softmaxed) training embeddings; null for Raw/Softmax.</param>
/// <param name="Mean">Per-component mean for the z-score; null when z-scoring is off.</param>
/// <param name="Std">Per-component standard deviation for the z-score; null when z-scoring is off.</param>
internal sealed record EmbeddingNormalizer(EmbeddingPostProcessing PostProcessing, MinMaxScaler? Scaler, float[]? Mean, float[]? Std)
{
    /// <summary>Fits the normaliser on the training embeddings of one medium.</summary>
    public static EmbeddingNormalizer Fit(Matrix trainingEmbeddings, EmbeddingPostProcessing post, bool zScore)
    {
        var x = trainingEmbeddings;
        if (post is EmbeddingPostProcessing.Softmax or EmbeddingPostProcessing.Both) x = Softmax(x);
        MinMaxScaler? scaler = null;
        if (post is EmbeddingPostProcessing.MinMax or EmbeddingPostProcessing.Both)
        {
            scaler = MinMaxScaler.Fit(x);
            x = scaler.Apply(x);
        }
        if (!zScore) return new EmbeddingNormalizer(post, scaler, null, null);
        var mean = new double[x.Cols];
        var sq = new double[x.Cols];
        for (int i = 0; i < x.Rows; i++)
        {
            var r = x.RowReadOnly(i);
            for (int j = 0; j < r.Length; j++) { mean[j] += r[j]; sq[j] += (double)r[j] * r[j]; }
        }
        var m = new float[x.Cols];
        var s = new float[x.Cols];
        for (int j = 0; j < x.Cols; j++)
        {
            var mu = mean[j] / Math.Max(1, x.Rows);
            var variance = Math.Max(0, sq[j] / Math.Max(1, x.Rows) - mu * mu);
            m[j] = (float)mu;
            s[j] = (float)Math.Sqrt(variance);
        }
        return new EmbeddingNormalizer(post, scaler, m, s);
    }

    public Matrix Apply(Matrix embeddings)
    {
        var x = embeddings;
        if (PostProcessing is EmbeddingPostProcessing.Softmax or EmbeddingPostProcessing.Both) x = Softmax(x);
        if (Scaler is not null) x = Scaler.Apply(x);
        if (Mean is null || Std is null) return x;
        var result = new Matrix(x.Rows, x.Cols);
        for (int i = 0; i < x.Rows; i++)
        {
            var src = x.RowReadOnly(i);
            var dst = result.Row(i);
            // A component that is constant in training carries no information: centre it only.
            for (int j = 0; j < src.Length; j++) dst[j] = (src[j] - Mean[j]) / (Std[j] > 1e-12f ? Std[j] : 1f);
        }
        return result;
    }

    /// <summary>Row-wise softmax (numerically stable).</summary>
    public static Matrix Softmax(Matrix x)
    {
        var result = new Matrix(x.Rows, x.Cols);
        for (int i = 0; i < x.Rows; i++)
        {
            var src = x.RowReadOnly(i);
            var dst = result.Row(i);
            float max = float.NegativeInfinity;
            foreach (var v in src) max = Math.Max(max, v);
            double sum = 0;
            for (int j = 0; j < src.Length; j++) { var e = Math.Exp(src[j] - max); dst[j] = (float)e; sum += e; }
            for (int j = 0; j < src.Length; j++) dst[j] = (float)(dst[j] / sum);
        }
        return result;
    }
}
