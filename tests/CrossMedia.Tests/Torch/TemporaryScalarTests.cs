namespace CrossMedia.Tests.Torch;

/// <summary>
/// Keeps the rule of <see cref="CrossMedia.Torch.TorchScalars"/>: no number reaches libtorch as a
/// Scalar (or tensor) that nothing holds, in any assembly built from src/.
/// </summary>
public class TemporaryScalarTests
{
    private static readonly string[] Assemblies = ["CrossMedia.dll", "CrossMedia.Cli.dll", "CrossMedia.Service.dll"];

    [Fact]
    public void SourceAssemblies_Should_HandLibtorchNoTemporaryScalar()
    {
        var hazardous = TemporaryScalarScan.HazardousTorchSharpMembers(typeof(TorchSharp.Scalar).Assembly.Location);
        var dir = Path.GetDirectoryName(typeof(TemporaryScalarTests).Assembly.Location)!;
        var findings = Assemblies.SelectMany(a => TemporaryScalarScan.Scan(Path.Combine(dir, a), hazardous)).Distinct().ToList();
        Assert.True(findings.Count == 0,
            $"{findings.Count} call(s) hand libtorch a temporary Scalar (hold it: see TorchScalars):\n" + string.Join("\n", findings));
    }

    [Fact]
    public void Scan_Should_KnowTorchSharpMembersThatMakeTemporaries_AndNotTheSafeOverloads()
    {
        var hazardous = TemporaryScalarScan.HazardousTorchSharpMembers(typeof(TorchSharp.Scalar).Assembly.Location);
        // One-argument add passes alpha = 1; the operator calls it; leaky_relu converts its slope; BatchNorm counts with 1.
        Assert.Contains("TorchSharp.torch+Tensor::add(TorchSharp.torch+Tensor)", hazardous);
        Assert.Contains("TorchSharp.torch+Tensor::op_Addition(TorchSharp.torch+Tensor,TorchSharp.torch+Tensor)", hazardous);
        Assert.Contains("TorchSharp.torch+nn+functional::leaky_relu(TorchSharp.torch+Tensor,Double,Boolean)", hazardous);
        Assert.Contains("TorchSharp.Modules.SGD::step(System.Func`1<TorchSharp.torch+Tensor>)", hazardous);
        Assert.Contains("TorchSharp.Modules.BatchNorm::forward(TorchSharp.torch+Tensor)", hazardous);
        Assert.DoesNotContain("TorchSharp.torch+Tensor::add(TorchSharp.torch+Tensor,TorchSharp.Scalar)", hazardous);
        Assert.DoesNotContain("TorchSharp.torch+Tensor::mul(TorchSharp.Scalar)", hazardous);
        Assert.DoesNotContain("TorchSharp.torch+Tensor::leaky_relu(TorchSharp.Scalar)", hazardous);
    }
}
