using CrossMedia.Models.Losses;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.Losses;

public class WassersteinLossTests
{
    public WassersteinLossTests() => TorchRuntime.Initialize(1);

    // Reference values from Debian's PyTorch 1.13 (/usr/bin/python3), float64:
    //   W1=[[0.5,-0.3,0.8,0.1],[-0.7,0.2,0.4,-0.6]]; b1=[0.05,-0.1]; W2=[[1.2,-0.9]]; b2=[0.3]
    //   real=[[0.1,0.9,0.4],[0.7,0.2,0.5],[0.3,0.3,0.8]]; syn=[[0.6,0.1,0.2],[0.2,0.8,0.9],[0.5,0.4,0.1]]
    //   c=[[1],[-1],[0.5]]; alpha=[[0.25],[0.5],[0.9]]
    //   D = lambda x,c: leaky_relu(cat([x,c],1)@W1.T+b1, 0.2)@W2.T+b2
    //   xh=(alpha*real+(1-alpha)*syn).requires_grad_(True)
    //   g=torch.autograd.grad(D(xh,c).sum(), xh, create_graph=True)[0]
    //   gp=((((g**2).sum(1)+1e-12).sqrt()-1)**2).mean()
    //   full=D(syn,c).mean()-D(real,c).mean()+10*gp
    //   torch.autograd.grad(full,[W1,b1,W2,b2])
    private const double ExpectedPenalty = 0.10438836128238899;
    private const double ExpectedFull = 0.8062836128238897;
    private static readonly double[] ExpectedGradW1 = [5.2749045299119866, -2.5381492842015905, 3.8365471601622954, 0.0, -2.562250519279691, 1.0669240296124842, -1.5939283373379507, 0.0];
    private static readonly double[] ExpectedGradW2 = [5.390112315288589, -1.5215431494256673];

    private static (Tensor W1, Tensor b1, Tensor W2, Tensor b2) Parameters() => (
        tensor(new double[] { 0.5, -0.3, 0.8, 0.1, -0.7, 0.2, 0.4, -0.6 }, [2, 4]).requires_grad_(true),
        tensor(new double[] { 0.05, -0.1 }).requires_grad_(true),
        tensor(new double[] { 1.2, -0.9 }, [1, 2]).requires_grad_(true),
        tensor(new double[] { 0.3 }).requires_grad_(true));

    [Fact]
    public void GradientPenalty_Should_MatchPyTorchValueAndGradientWrtCriticParameters()
    {
        using var scope = NewDisposeScope();
        var (w1, b1, w2, b2) = Parameters();
        Tensor Critic(Tensor x, Tensor c) =>
            nn.functional.leaky_relu(cat([x, c], 1).matmul(w1.t()) + b1, 0.2).matmul(w2.t()) + b2;
        var real = tensor(new double[] { 0.1, 0.9, 0.4, 0.7, 0.2, 0.5, 0.3, 0.3, 0.8 }, [3, 3]);
        var syn = tensor(new double[] { 0.6, 0.1, 0.2, 0.2, 0.8, 0.9, 0.5, 0.4, 0.1 }, [3, 3]);
        var c = tensor(new double[] { 1.0, -1.0, 0.5 }, [3, 1]);
        var alpha = tensor(new double[] { 0.25, 0.5, 0.9 }, [3, 1]);

        var penalty = WassersteinLoss.GradientPenalty(Critic, real, syn, c, alpha);
        Assert.Equal(ExpectedPenalty, penalty.item<double>(), 12);

        var full = WassersteinLoss.CriticWithPenalty(Critic, real, syn, c, alpha, 10.0);
        Assert.Equal(ExpectedFull, full.item<double>(), 12);
        full.backward();
        var gw1 = w1.grad!.data<double>().ToArray();
        for (int i = 0; i < gw1.Length; i++) Assert.Equal(ExpectedGradW1[i], gw1[i], 10);
        var gw2 = w2.grad!.data<double>().ToArray();
        for (int i = 0; i < gw2.Length; i++) Assert.Equal(ExpectedGradW2[i], gw2[i], 10);
        // b1 only moves the LeakyReLU kinks and b2 shifts every score equally: both gradients vanish.
        Assert.All(b1.grad!.data<double>().ToArray(), g => Assert.Equal(0.0, g, 12));
        Assert.Equal(0.0, b2.grad!.item<double>(), 12);
    }

    [Fact]
    public void GradientPenalty_Should_BeZeroForACriticWithUnitGradient()
    {
        // D(x) = x·u with ‖u‖ = 1 has ‖∇D‖ = 1 everywhere: no penalty.
        using var scope = NewDisposeScope();
        var u = tensor(new double[] { 0.6, 0.8 }, [2, 1]);
        Tensor Critic(Tensor x, Tensor c) => x.matmul(u);
        var real = tensor(new double[] { 1, 2, 3, 4 }, [2, 2]);
        var syn = tensor(new double[] { -1, 0, 5, 1 }, [2, 2]);
        var p = WassersteinLoss.GradientPenalty(Critic, real, syn, zeros(2, 1, float64), tensor(new double[] { 0.3, 0.6 }, [2, 1]));
        Assert.Equal(0.0, p.item<double>(), 10);
    }

    [Fact]
    public void CriticAndGenerator_Should_BeMeanDifferences()
    {
        using var scope = NewDisposeScope();
        var syn = tensor(new float[] { 1, 2, 3 });
        var real = tensor(new float[] { 4, 6 });
        Assert.Equal(2f - 5f, WassersteinLoss.Critic(syn, real).item<float>(), 6);
        Assert.Equal(-2f, WassersteinLoss.Generator(syn).item<float>(), 6);
    }
}
