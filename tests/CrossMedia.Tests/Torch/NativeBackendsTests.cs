using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Torch;

/// <remarks>Switches libtorch's process-wide backends: runs outside the parallel torch tests.</remarks>
[Collection(nameof(TorchRuntimeTests))]
public class NativeBackendsTests
{
    [Fact]
    public void Switches_Should_RoundTrip_AndGiveTheSameOneByOneConvolution_WithAndWithoutOneDnn()
    {
        TorchRuntime.Initialize(2);
        var (mkldnn, nnpack) = (NativeBackends.Mkldnn, NativeBackends.Nnpack);
        try
        {
            torch.manual_seed(3);
            using var x = torch.randn(2, 256, 8, 8);
            using var w = torch.randn(64, 256, 1, 1);
            NativeBackends.Mkldnn = true;
            Assert.True(NativeBackends.Mkldnn);
            using var withOneDnn = nn.functional.conv2d(x, w);
            NativeBackends.Mkldnn = false;
            NativeBackends.Nnpack = false;
            Assert.False(NativeBackends.Mkldnn);
            Assert.False(NativeBackends.Nnpack);
            Assert.Equal("oneDNN off, NNPACK off", NativeBackends.Describe());
            using var without = nn.functional.conv2d(x, w);
            Assert.True(withOneDnn.allclose(without, rtol: 1e-4, atol: 1e-4), "a 1×1 convolution differs with and without oneDNN");
            NativeBackends.Nnpack = true;
            Assert.True(NativeBackends.Nnpack);
        }
        finally
        {
            (NativeBackends.Mkldnn, NativeBackends.Nnpack) = (mkldnn, nnpack);
        }
    }
}
