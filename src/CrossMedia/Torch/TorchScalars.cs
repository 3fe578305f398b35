using TorchSharp;

namespace CrossMedia.Torch;

/// <summary>
/// The one way numbers reach libtorch in CrossMedia: as a <see cref="Scalar"/> that someone holds
/// until the call returns. A Scalar is a native object with a finaliser; one made implicitly from a C#
/// number (<c>x.pow(2)</c>, <c>t - 1</c>, <c>w * loss</c>, and inside TorchSharp: <c>a + b</c> passes
/// a temporary alpha = 1, <c>leaky_relu(x, 0.2)</c> converts its slope, <c>optim.SGD</c> its learning
/// rate, <c>BatchNorm2d</c> its batch counter's 1) is unreachable while native code reads it, so a
/// garbage collection at that moment frees it under libtorch: random aborts in long training runs.
/// <list type="bullet">
/// <item>Numbers that never change: <c>static readonly</c> Scalars, the common ones here, others beside
/// the code they belong to. Never disposed (they live as long as the process), so any thread may use them.</item>
/// <item>Numbers that change (loss weights, learning rates, λ): <c>using var s = value.ToScalar();</c>
/// in the method that calls torch, or a field of an owner that disposes it with itself.</item>
/// <item>Additions name their alpha (<c>a.add(b, One)</c>): TorchSharp's one-argument <c>add</c> and
/// <c>+</c> make a temporary one.</item>
/// </list>
/// <c>TemporaryScalarTests</c> scans the compiled assemblies and names file:line of any call that breaks this.
/// </summary>
internal static class TorchScalars
{
    public static readonly Scalar Zero = 0L.ToScalar();
    public static readonly Scalar One = 1L.ToScalar();
    public static readonly Scalar Two = 2L.ToScalar();
    public static readonly Scalar MinusOne = (-1L).ToScalar();
    /// <summary>1e-12: a floor for norms and distances before a square root or a division.</summary>
    public static readonly Scalar Tiny = 1e-12.ToScalar();
    public static readonly Scalar PositiveInfinity = double.PositiveInfinity.ToScalar();
}
