using System.Runtime.InteropServices;
using CrossMedia.Models.Backbones;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.Backbones;

/// <summary>
/// A backbone's forward and backward in a child process (`dotnet CrossMedia.Tests.dll backbone NAME`), so that a
/// native fault (SIGFPE in a libtorch kernel, SIGSEGV, ...) fails the test with the backbone, the layer and the
/// signal instead of killing the test host. The child prints "step ..." before every layer runs: forward through
/// module hooks, then each layer's backward alone (last layer first), then the whole network's backward.
/// </summary>
internal static class BackboneChild
{
    public const string Command = "backbone";

    /// <summary>Test-only: a module path at which the child divides by zero in native code (checks the parent's report).</summary>
    public const string FaultVariable = "CROSSMEDIA_TEST_BACKBONE_FAULT_AT";

    /// <summary>Runs the child for backbone <paramref name="name"/>.</summary>
    public static (int Code, string Out, string Err) Run(string name, IReadOnlyDictionary<string, string?>? environment = null) =>
        ChildProcess.RunDotnet(ChildProcess.TestsDll, [Command, name], environment);

    /// <summary>Null when the child passed; else what failed: the signal and the layer, or the child's error.</summary>
    public static string? Failure(string name, (int Code, string Out, string Err) child)
    {
        if (child.Code == 0 && child.Out.TrimEnd().EndsWith("ok", StringComparison.Ordinal)) return null;
        var step = ConvolutionProbe.LastStep(child.Out) ?? "start-up";
        return ConvolutionProbe.FatalSignal(child.Code) is { } signal
            ? $"{name}: the child died from {signal} inside native code in: {step}"
            : $"{name}: the child failed (exit {child.Code}) in: {step}: {child.Err.Trim()}";
    }

    /// <summary>The child's body (see the class summary); exit 0 and "ok" when every check passed.</summary>
    public static int RunInChild(string name)
    {
        try
        {
            TorchRuntime.Initialize(2);
            torch.manual_seed(1);
            using var net = BackboneRegistry.Create(name, 5, BackboneRegistryTests.OptionsFor(name));
            Console.WriteLine($"backends: {NativeBackends.Describe()}");
            net.train();
            var leaves = new List<(string Path, nn.Module<Tensor, Tensor> Module, Tensor Input)>();
            var fault = Environment.GetEnvironmentVariable(FaultVariable);
            foreach (var (path, module) in net.named_modules())
            {
                if (path.Length == 0 || module is not nn.Module<Tensor, Tensor> layer) continue;
                var what = $"{path} ({module.GetType().Name})";
                layer.register_forward_pre_hook((_, x) =>
                {
                    Step($"{what} forward on [{string.Join(", ", x.shape)}]");
                    if (path == fault) Divide(1, 0);
                    return null!;
                });
                if (!module.children().Any())
                    layer.register_forward_hook((_, x, _) =>
                    {
                        leaves.Add((what, layer, x.detach().clone().DetachFromDisposeScope()));
                        return null!;
                    });
            }

            using var scope = NewDisposeScope();
            var features = net.ForwardFeatures(torch.rand(2, 3, 64, 64));
            Assert.Equal(new long[] { 2, net.FeatureDimension }, features.shape);
            var logits = net.ForwardHead(features);
            Assert.Equal(new long[] { 2, 5 }, logits.shape);
            Assert.Equal(5, net.Classes);

            foreach (var (what, layer, input) in Enumerable.Reverse(leaves))
            {
                Step($"{what} backward");
                using (NewDisposeScope())
                    layer.call(input.detach().requires_grad_(true)).sum().backward();
                input.Dispose();
            }
            net.zero_grad();

            Step("the whole network, backward");
            var loss = nn.functional.cross_entropy(logits, torch.tensor(new long[] { 0, 3 }));
            loss.backward();
            Assert.True(torch.isfinite(logits).all().item<bool>());
            var grads = net.parameters().Where(p => p.requires_grad).Select(p => p.grad).ToList();
            Assert.All(grads, g => Assert.NotNull(g));
            Assert.All(grads, g => Assert.True(torch.isfinite(g!).all().item<bool>()));
            // The classifier receives gradient, i.e. the head is really connected.
            Assert.True(net.parameters().Last().grad!.abs().sum().item<float>() > 0);
            Console.WriteLine("ok");
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    private static void Step(string what) => Console.WriteLine("step " + what);

    [DllImport("libc.so.6", EntryPoint = "div")]
    private static extern long Divide(int numerator, int denominator);
}
