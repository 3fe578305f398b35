namespace CrossMedia.Media;

/// <summary>
/// Resize, centre crop and normalisation of RGB pictures, following the conventions of
/// torchvision's PIL path so inputs match what ImageNet backbones were trained on: bilinear
/// resampling with a triangle filter widened by the scale factor when shrinking (PIL's
/// antialiased BILINEAR), shorter side sized with truncation, crop offsets rounded half to even.
/// </summary>
internal static class ImageTransform
{
    /// <summary>Resize, crop and normalise: the whole image path after decoding. Returns CHW floats.</summary>
    public static float[] Preprocess(RgbImage image, MediaPreprocessing p)
    {
        var resized = p.Resize == ResizeMode.Square
            ? Resize(image, p.ResizeSize, p.ResizeSize)
            : ResizeShorterSide(image, p.ResizeSize);
        return Normalize(CenterCrop(resized, p.InputSize, p.InputSize), p.Mean, p.Std);
    }

    /// <summary>Scales so the shorter side is <paramref name="size"/> (the longer side truncated, like torchvision).</summary>
    public static RgbImage ResizeShorterSide(RgbImage image, int size)
    {
        int w = image.Width, h = image.Height;
        if (w <= h) return Resize(image, size, Math.Max(1, (int)((long)size * h / w)));
        return Resize(image, Math.Max(1, (int)((long)size * w / h)), size);
    }

    /// <summary>Bilinear (triangle-filter) resampling to <paramref name="width"/>×<paramref name="height"/>, separable, in float.</summary>
    public static RgbImage Resize(RgbImage image, int width, int height)
    {
        if (width == image.Width && height == image.Height) return image;
        var horizontal = ResampleRows(image.Pixels, image.Width, image.Height, width);
        var vertical = ResampleColumns(horizontal, width, image.Height, height);
        return new RgbImage(width, height, vertical);
    }

    /// <summary>The centred <paramref name="width"/>×<paramref name="height"/> window; offsets rounded half to even as torchvision does.</summary>
    public static RgbImage CenterCrop(RgbImage image, int width, int height)
    {
        if (width > image.Width || height > image.Height)
            throw new ArgumentException($"crop {width}x{height} is larger than the image {image.Width}x{image.Height}");
        int left = (int)Math.Round((image.Width - width) / 2.0, MidpointRounding.ToEven);
        int top = (int)Math.Round((image.Height - height) / 2.0, MidpointRounding.ToEven);
        var px = new float[width * height * 3];
        for (int y = 0; y < height; y++)
            Array.Copy(image.Pixels, ((top + y) * image.Width + left) * 3, px, y * width * 3, width * 3);
        return new RgbImage(width, height, px);
    }

    /// <summary>HWC 0..255 → CHW (v/255 − mean[c]) / std[c].</summary>
    public static float[] Normalize(RgbImage image, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        int n = image.Width * image.Height;
        var chw = new float[3 * n];
        for (int c = 0; c < 3; c++)
        {
            float m = mean[c], s = std[c];
            for (int i = 0; i < n; i++) chw[c * n + i] = (image.Pixels[i * 3 + c] / 255f - m) / s;
        }
        return chw;
    }

    /// <summary>Filter taps for resampling a line of <paramref name="inSize"/> samples to <paramref name="outSize"/>.</summary>
    internal static (int[] Start, int[] Count, float[][] Weights) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = filterScale; // triangle filter support 1, widened when shrinking
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new float[outSize][];
        for (int o = 0; o < outSize; o++)
        {
            double center = (o + 0.5) * scale;
            int lo = Math.Max((int)(center - support + 0.5), 0);
            int hi = Math.Min((int)(center + support + 0.5), inSize);
            var w = new double[Math.Max(hi - lo, 1)];
            double sum = 0;
            for (int i = lo; i < hi; i++)
            {
                double t = Math.Abs((i - center + 0.5) / filterScale);
                w[i - lo] = t < 1 ? 1 - t : 0;
                sum += w[i - lo];
            }
            if (sum <= 0) { w[0] = 1; sum = 1; hi = lo + 1; }
            start[o] = lo;
            count[o] = hi - lo;
            weights[o] = w.Select(v => (float)(v / sum)).ToArray();
        }
        return (start, count, weights);
    }

    private static float[] ResampleRows(float[] src, int inW, int h, int outW)
    {
        if (inW == outW) return src;
        var (start, count, weights) = Coefficients(inW, outW);
        var dst = new float[outW * h * 3];
        for (int y = 0; y < h; y++)
        {
            int row = y * inW * 3, orow = y * outW * 3;
            for (int o = 0; o < outW; o++)
            {
                float r = 0, g = 0, b = 0;
                var w = weights[o];
                for (int k = 0; k < count[o]; k++)
                {
                    int s = row + (start[o] + k) * 3;
                    r += src[s] * w[k];
                    g += src[s + 1] * w[k];
                    b += src[s + 2] * w[k];
                }
                dst[orow + o * 3] = r;
                dst[orow + o * 3 + 1] = g;
                dst[orow + o * 3 + 2] = b;
            }
        }
        return dst;
    }

    private static float[] ResampleColumns(float[] src, int w, int inH, int outH)
    {
        if (inH == outH) return src;
        var (start, count, weights) = Coefficients(inH, outH);
        var dst = new float[w * outH * 3];
        int stride = w * 3;
        for (int o = 0; o < outH; o++)
        {
            var wt = weights[o];
            int orow = o * stride;
            for (int k = 0; k < count[o]; k++)
            {
                int srow = (start[o] + k) * stride;
                float f = wt[k];
                for (int i = 0; i < stride; i++) dst[orow + i] += src[srow + i] * f;
            }
        }
        return dst;
    }
}
