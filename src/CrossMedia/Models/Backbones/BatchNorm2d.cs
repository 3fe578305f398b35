using CrossMedia.Torch;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CrossMedia.Models.Backbones;

/// <summary>
/// TorchSharp's BatchNorm2d with the same state (weight, bias, running_mean, running_var,
/// num_batches_tracked) and arithmetic, whose training forward counts batches with a held Scalar:
/// TorchSharp's own adds a temporary 1 on every call (see <see cref="TorchScalars"/>).
/// </summary>
internal sealed class BatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1)
    : TorchSharp.Modules.BatchNorm(features, eps, momentum, true, true, null, null, nameof(BatchNorm2d))
{
    /// <summary>
    /// While true, training forwards make the running statistics the plain average over every batch
    /// since <see cref="TorchSharp.Modules.NormBase.reset_running_stats"/> (the momentum is ignored): for
    /// re-estimating them after training (<see cref="Recalibrate"/>).
    /// </summary>
    public bool CumulativeAverage { get; set; }

    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        double factor = momentum ?? 0;
        if (training && num_batches_tracked is { } batches)
        {
            batches.add_(TorchScalars.One, TorchScalars.One);
            // No momentum (or recalibrating): the cumulative average.
            factor = momentum is { } m && !CumulativeAverage ? m : 1.0 / batches.item<long>();
        }
        return F.batch_norm(input, running_mean, running_var, weight, bias, training, factor, eps);
    }

    /// <summary>
    /// Replaces the running statistics of every <see cref="BatchNorm2d"/> in <paramref name="network"/> by
    /// their average over the batches <paramref name="forwardBatches"/> runs through it (in train mode,
    /// without gradients; the network's mode is restored). Evaluation normalises with the running
    /// statistics, training with each batch's: a moving average with a small momentum (Keras' 0.99 =
    /// 0.01 here) over a short fine-tuning still holds mostly the pretrained statistics, and then eval
    /// mode computes something else than what was trained.
    /// </summary>
    public static void Recalibrate(nn.Module network, Action forwardBatches)
    {
        var norms = network.modules().OfType<BatchNorm2d>().ToArray();
        bool wasTraining = network.training;
        try
        {
            foreach (var n in norms)
            {
                n.reset_running_stats();
                n.CumulativeAverage = true;
            }
            network.train();
            using (no_grad()) forwardBatches();
        }
        finally
        {
            foreach (var n in norms) n.CumulativeAverage = false;
            network.train(wasTraining);
        }
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input (got {input.ndim}D input)");
    }
}
