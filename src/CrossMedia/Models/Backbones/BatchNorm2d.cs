using CrossMedia.Torch;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CrossMedia.Models.Backbones;

/// <summary>
/// TorchSharp's BatchNorm2d with the same state (weight, bias, running_mean, running_var,
/// num_batches_tracked) and arithmetic, whose training forward counts batches with a held Scalar:
/// TorchSharp's own adds a temporary 1 on every call (see <see cref="TorchScalars"/>).
/// </summary>
public sealed class BatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1)
    : TorchSharp.Modules.BatchNorm(features, eps, momentum, true, true, null, null, nameof(BatchNorm2d))
{
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        double factor = momentum ?? 0;
        if (training && num_batches_tracked is { } batches)
        {
            batches.add_(TorchScalars.One, TorchScalars.One);
            factor = momentum ?? 1.0 / batches.item<long>(); // no momentum: the cumulative average
        }
        return F.batch_norm(input, running_mean, running_var, weight, bias, training, factor, eps);
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input (got {input.ndim}D input)");
    }
}
