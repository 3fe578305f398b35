namespace CrossMedia.Media;

/// <summary>
/// In-place iterative radix-2 Cooley–Tukey FFT (decimation in time: bit-reversal permutation,
/// then log2(n) butterfly stages) for power-of-two lengths, in double precision. Twiddle factors
/// are computed per stage from exact angles rather than by repeated multiplication, so the error
/// does not grow with the stage length.
/// </summary>
internal static class Fft
{
    /// <summary>Forward transform X[k] = Σ x[t]·e^(−2πi·kt/n) of (re, im), in place.</summary>
    public static void Forward(double[] re, double[] im)
    {
        int n = re.Length;
        if (im.Length != n) throw new ArgumentException("real and imaginary parts differ in length");
        if (n == 0 || (n & (n - 1)) != 0) throw new ArgumentException($"FFT length must be a power of two, got {n}");
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j |= bit;
            if (i < j)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }
        for (int len = 2; len <= n; len <<= 1)
        {
            int half = len >> 1;
            double step = -2 * Math.PI / len;
            for (int k = 0; k < half; k++)
            {
                double wr = Math.Cos(step * k), wi = Math.Sin(step * k);
                for (int s = k; s < n; s += len)
                {
                    int t = s + half;
                    double xr = re[t] * wr - im[t] * wi;
                    double xi = re[t] * wi + im[t] * wr;
                    re[t] = re[s] - xr;
                    im[t] = im[s] - xi;
                    re[s] += xr;
                    im[s] += xi;
                }
            }
        }
    }
}
