using CrossMedia.Tests.Models.Backbones;
using CrossMedia.Torch;

namespace CrossMedia.Tests.Torch;

/// <summary>
/// The start-up probe's decision without an affected CPU: the probe child is made to die from a real SIGFPE
/// (a native integer division by zero, as oneDNN's on some AMD EPYC CPUs) only while oneDNN is on, or always.
/// </summary>
[Collection(nameof(TorchRuntimeTests))]
public sealed class ConvolutionProbeTests : IDisposable
{
    private readonly string _cache = Path.Combine(Path.GetTempPath(), $"cm-probe-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_cache)) Directory.Delete(_cache, recursive: true);
    }

    private (ProbeVerdict Verdict, int Children) Probe(string? fault)
    {
        var children = 0;
        var verdict = ConvolutionProbe.Probe(1, _cache, threads =>
        {
            children++;
            var psi = ConvolutionProbe.Launcher(ChildProcess.CliDll, threads);
            if (fault is null) psi.Environment.Remove(ConvolutionProbe.FaultVariable);
            else psi.Environment[ConvolutionProbe.FaultVariable] = fault;
            return psi;
        });
        return (verdict, children);
    }

    [Fact]
    public void Probe_Should_RouteAwayFromOneDnn_WhenTheChildDiesOnlyWithOneDnn_AndCacheTheVerdict()
    {
        var (verdict, children) = Probe("mkldnn");
        Assert.Equal(ProbeOutcome.OneDnnCrashed, verdict.Outcome);
        Assert.Equal("SIGFPE", verdict.Signal);
        Assert.Equal($"an injected native division by zero ({ConvolutionProbe.FaultVariable}=mkldnn), forward", verdict.Step);
        Assert.Equal(2, children); // with the defaults, then with oneDNN and NNPACK off
        var notice = verdict.Notice!;
        Assert.DoesNotContain('\n', notice);
        Assert.Contains("oneDNN convolutions crash on this CPU (a probe died with SIGFPE in: an injected native division by zero", notice);
        Assert.Contains("oneDNN and NNPACK off", notice);
        Assert.Contains("CROSSMEDIA_MKLDNN=1", notice);

        var (again, childrenAgain) = Probe("mkldnn");
        Assert.Equal(verdict, again);
        Assert.Equal(0, childrenAgain);
    }

    [Fact]
    public void Probe_Should_SayTheRunMayStillCrash_WhenTheChildDiesEvenWithoutOneDnn()
    {
        var (verdict, children) = Probe("always");
        Assert.Equal(ProbeOutcome.CrashedWithoutOneDnn, verdict.Outcome);
        Assert.Equal("SIGFPE", verdict.Signal);
        Assert.Equal(2, children);
        Assert.Contains("even with oneDNN and NNPACK off", verdict.Notice);
        Assert.Contains("try one thread", verdict.Notice);
    }

    [Fact]
    public void Probe_Should_RunEveryConvolutionShape_OnThisMachine()
    {
        var (verdict, children) = Probe(null);
        // On a CPU where oneDNN crashes the verdict routes away from it; only a crash without oneDNN, or a probe that cannot run, is a failure.
        Assert.True(verdict.Outcome is ProbeOutcome.Passed or ProbeOutcome.OneDnnCrashed, $"{verdict}");
        Assert.Equal(verdict.Outcome == ProbeOutcome.Passed ? 1 : 2, children);
    }

    [Fact]
    public void Apply_Should_TurnOneDnnAndNnpackOff_OnlyForACrashVerdict()
    {
        TorchRuntime.Initialize(2);
        var (mkldnn, nnpack) = (NativeBackends.Mkldnn, NativeBackends.Nnpack);
        try
        {
            (NativeBackends.Mkldnn, NativeBackends.Nnpack) = (true, true);
            Assert.Null(ConvolutionProbe.Apply(new ProbeVerdict(ProbeOutcome.Passed)));
            Assert.Null(ConvolutionProbe.Apply(new ProbeVerdict(ProbeOutcome.Inconclusive)));
            Assert.Equal("oneDNN on, NNPACK on", NativeBackends.Describe());
            var notice = ConvolutionProbe.Apply(new ProbeVerdict(ProbeOutcome.OneDnnCrashed, "SIGFPE", "a step"));
            Assert.StartsWith("warning: libtorch's oneDNN convolutions crash on this CPU", notice);
            Assert.Equal("oneDNN off, NNPACK off", NativeBackends.Describe());
        }
        finally
        {
            (NativeBackends.Mkldnn, NativeBackends.Nnpack) = (mkldnn, nnpack);
        }
    }

    [Fact]
    public void BuildingABackbone_Should_ProbeRouteAndSaySo_InAFreshProcess()
    {
        // The whole path: Backbone's constructor → probe child (the CLI) → oneDNN off → one line → the network runs.
        var child = BackboneChild.Run("resnet18", new Dictionary<string, string?>
        {
            ["XDG_CACHE_HOME"] = _cache,
            [ConvolutionProbe.FaultVariable] = "mkldnn",
            [ConvolutionProbe.OverrideVariable] = null,
        });
        Assert.True(BackboneChild.Failure("resnet18", child) is null, BackboneChild.Failure("resnet18", child));
        Assert.Contains("backends: oneDNN off, NNPACK off", child.Out);
        var warnings = child.Err.Split('\n').Where(l => l.StartsWith("warning:", StringComparison.Ordinal)).ToList();
        Assert.Single(warnings);
        Assert.Contains("SIGFPE", warnings[0]);
        Assert.Single(Directory.GetFiles(Path.Combine(_cache, "crossmedia", "convolution-probe")));
    }

    [Theory]
    [InlineData("0", "backends: oneDNN off, NNPACK off")]
    [InlineData("1", "backends: oneDNN on, NNPACK on")]
    public void Override_Should_SetTheBackendsWithoutProbing(string value, string expected)
    {
        var child = BackboneChild.Run("resnet18", new Dictionary<string, string?>
        {
            ["XDG_CACHE_HOME"] = _cache,
            [ConvolutionProbe.FaultVariable] = "always", // a probe would report a crash
            [ConvolutionProbe.OverrideVariable] = value,
        });
        Assert.True(BackboneChild.Failure("resnet18", child) is null, BackboneChild.Failure("resnet18", child));
        Assert.Contains(expected, child.Out);
        Assert.DoesNotContain("warning:", child.Err);
        Assert.False(Directory.Exists(_cache));
    }

    [Fact]
    public void Override_Should_NameTheVariable_WhenItsValueIsUnknown()
    {
        var child = BackboneChild.Run("resnet18", new Dictionary<string, string?> { [ConvolutionProbe.OverrideVariable] = "yes" });
        Assert.Equal(1, child.Code);
        Assert.Contains("CROSSMEDIA_MKLDNN: expected 0 (oneDNN and NNPACK off), 1 (on) or auto, found 'yes'", child.Err);
    }
}
