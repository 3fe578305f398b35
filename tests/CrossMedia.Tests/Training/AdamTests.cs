using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace CrossMedia.Tests.Training;

/// <remarks>Seeds the global torch generator: runs outside the parallel torch tests.</remarks>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class AdamTests
{
    public AdamTests() => TorchRuntime.Initialize(1);

    private static Parameter[] Initial()
    {
        torch.manual_seed(5);
        return [new Parameter(torch.randn(7, 5)), new Parameter(torch.randn(5))];
    }

    private static Parameter[] Copy(Parameter[] ps) => ps.Select(p => new Parameter(p.detach().clone())).ToArray();

    private static void Backward(Parameter[] ps, Tensor x)
    {
        using var scope = NewDisposeScope();
        (x.matmul(ps[0]) + ps[1]).tanh().pow(2).sum().backward();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Step_Should_MatchTorchSharpAdamBitForBit(bool amsgrad)
    {
        var start = Initial();
        Parameter[] ours = Copy(start), theirs = Copy(start);
        using var x = torch.randn(9, 7);
        using var a = new CrossMedia.Training.Adam(ours, 1e-2, 0.5, 0.999, amsgrad: amsgrad);
        using var b = torch.optim.Adam(theirs, 1e-2, 0.5, 0.999, amsgrad: amsgrad);
        for (int step = 0; step < 4; step++)
        {
            a.zero_grad(); b.zero_grad();
            Backward(ours, x); Backward(theirs, x);
            a.step(); b.step();
        }
        for (int i = 0; i < ours.Length; i++)
        {
            Assert.False(ours[i].eq(start[i]).all().item<bool>()); // the parameters did move
            Assert.True(ours[i].eq(theirs[i]).all().item<bool>());
        }
    }

    [Fact]
    public void SavedState_Should_LoadIntoTorchSharpAdam()
    {
        var ps = Copy(Initial());
        using var x = torch.randn(9, 7);
        using var a = new CrossMedia.Training.Adam(ps, 1e-2, 0.5, 0.999);
        Backward(ps, x);
        a.step();
        var path = Path.Combine(Path.GetTempPath(), $"adam-{Guid.NewGuid():N}.bin");
        try
        {
            a.save_state_dict(path);
            using var b = torch.optim.Adam(Copy(ps), 1e-2, 0.5, 0.999);
            b.load_state_dict(path); // throws on an optimizer-type mismatch
            var sa = (TorchSharp.Modules.Adam.State)a.state_dict().State[0];
            var sb = (TorchSharp.Modules.Adam.State)b.state_dict().State[0];
            Assert.Equal(1, sb.step);
            Assert.True(sa.exp_avg_sq.eq(sb.exp_avg_sq).all().item<bool>());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
