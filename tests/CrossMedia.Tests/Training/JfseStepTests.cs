using CrossMedia.Models.Jfse;
using CrossMedia.Torch;
using CrossMedia.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Training;

[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class JfseStepTests
{
    [Fact]
    public void Run_Should_LeaveNoTensorAlive_OnceTheOptimiserStateExists()
    {
        TorchRuntime.Initialize(1);
        torch.random.manual_seed(1);
        var arch = new JfseArchitecture([12, 6], 5, 16, 4);
        using var nets = new JfseNetworks(arch);
        using var step = new JfseStep(nets, new JfseTrainingOptions(BatchSize: 8, Hidden: 16, NoiseDimension: 4, CriticSteps: 2), CPU);
        nets.train();
        using var xv = torch.rand(20, 12);
        using var xt = torch.rand(20, 6);
        using var y = torch.tensor(Enumerable.Range(0, 20).Select(i => (long)(i % 3)).ToArray());
        using var classes = torch.rand(5, 5);
        using var gen = new torch.Generator(3);
        long[] batch = [0, 3, 5, 7, 11, 13, 17, 19];
        long[] unseen = [3, 4, 3];

        long Live() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        step.Run(0.5, gen, [new(xv, y, batch), new(xt, y, batch)], classes, unseen); // creates the optimisers' state
        long before = Live();
        using (torch.zeros(1)) Assert.Equal(before + 1, Live()); // the counter sees a tensor that is alive
        for (int i = 0; i < 3; i++)
            step.Run(0.5, gen, [new(xv, y, batch), new(xt, y, batch)], classes, unseen);
        Assert.Equal(before, Live());
    }
}
