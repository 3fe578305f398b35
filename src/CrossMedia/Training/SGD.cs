using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Training;

/// <summary>
/// TorchSharp's SGD (momentum, dampening, weight decay, Nesterov) with the same arithmetic and state,
/// whose step holds its Scalars: TorchSharp's converts the learning rate and momentum to temporaries
/// that a garbage collection can free while libtorch reads them (see <see cref="TorchScalars"/>).
/// Named SGD on purpose, like <see cref="Adam"/>: TorchSharp writes the type's short name into
/// optimizer state files, so checkpoints stay interchangeable with torch.optim.SGD.
/// </summary>
internal sealed class SGD : TorchSharp.Modules.SGD
{
    public SGD(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(parameters, lr, momentum, dampening, weightDecay, nesterov)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double momentum = o.momentum!.Value, dampening = o.dampening!.Value, weightDecay = o.weight_decay!.Value;
        bool nesterov = o.nesterov!.Value, maximize = o.maximize!.Value;
        double lr = o.LearningRate!.Value;
        using Scalar decay = weightDecay.ToScalar(), mu = momentum.ToScalar(), keep = (1 - dampening).ToScalar(),
            stepSize = (maximize ? lr : -lr).ToScalar();
        foreach (var param in group.Parameters)
        {
            using var scope = NewDisposeScope(); // this parameter's temporaries die here
            var grad = param.grad;
            if (grad is null) continue;
            var state = (State)_state[param.Handle];
            if (weightDecay != 0) grad = grad.add(param, alpha: decay);
            if (momentum != 0)
            {
                var buffer = state.momentum_buffer;
                if (buffer is null) state.momentum_buffer = buffer = grad.clone().detach().DetachFromDisposeScope();
                else buffer.mul_(mu).add_(grad, alpha: keep);
                grad = nesterov ? grad.add(buffer, alpha: mu) : buffer;
            }
            param.add_(grad, alpha: stepSize);
        }
    }, closure);
}
