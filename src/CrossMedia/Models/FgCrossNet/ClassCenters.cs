using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CrossMedia.Models.FgCrossNet;

/// <summary>The learned class centres of the center loss: a [classes, dimension] parameter <c>centers</c>.</summary>
internal sealed class ClassCenters : nn.Module
{
    private readonly Parameter centers;

    public ClassCenters(int classes, int dimension) : base(nameof(ClassCenters))
    {
        // Standard-normal start, as in Wen et al.'s and the reference's implementation.
        centers = new Parameter(torch.randn(classes, dimension));
        RegisterComponents();
    }

    public Parameter Centers => centers;
}
