using CrossMedia.Torch;
using TorchSharp;

namespace CrossMedia.Tests.Torch;

/// <summary>TorchScript from source (the fused oneDNN ResNet runs on it): loads, calls with tensors, refuses numbers.</summary>
public class TorchScriptSourceTests
{
    private const string Methods =
        "  def twice(self: __torch__.Module, x: Tensor) -> Tensor:\n    return torch.add(x, x)\n" +
        "  def both(self: __torch__.Module, w: List[Tensor]) -> List[Tensor]:\n    return [torch.neg(w[0]), torch.neg(w[1])]\n";

    [Fact]
    public void Invoke_Should_RunTheSourcesMethods_WithTensorsAndTensorLists()
    {
        TorchRuntime.Initialize();
        using var module = TorchScriptSource.Load(Methods);
        using var x = torch.tensor(new float[] { 1, 2 });
        using var y = TorchScriptSource.Invoke(module, "twice", x);
        Assert.Equal([2f, 4f], y.data<float>().ToArray());
        var listed = TorchScriptSource.InvokeTensors(module, "both", [x, y]);
        Assert.Equal([-1f, -2f], listed[0].data<float>().ToArray());
        Assert.Equal([-2f, -4f], listed[1].data<float>().ToArray());
    }

    [Fact]
    public void Invoke_Should_RefuseANumber_WhichTorchSharpWouldTurnIntoAnUnheldScalar()
    {
        TorchRuntime.Initialize();
        using var module = TorchScriptSource.Load(Methods);
        using var x = torch.tensor(new float[] { 1 });
        var e = Assert.Throws<ArgumentException>(() => TorchScriptSource.Invoke(module, "twice", x, 2));
        Assert.Contains("Int32", e.Message);
    }
}
