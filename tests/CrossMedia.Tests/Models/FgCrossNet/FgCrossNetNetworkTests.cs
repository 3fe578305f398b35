using CrossMedia.Models.Backbones;
using CrossMedia.Models.FgCrossNet;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.FgCrossNet;

/// <remarks>Seeds the global torch generator: runs outside the parallel torch tests.</remarks>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class FgCrossNetNetworkTests
{
    public FgCrossNetNetworkTests() => TorchRuntime.Initialize(2);

    [Fact]
    public void TextBranch_Should_FollowTheSpecShapes()
    {
        using var branch = new TextBranch(64);
        var sd = branch.state_dict();
        Assert.Equal(new long[] { 70, 16 }, sd["embedding.weight"].shape);
        Assert.Equal(new long[] { 32, 16, 3 }, sd["conv1.weight"].shape);
        Assert.Equal(new long[] { 64, 32, 3 }, sd["conv2.weight"].shape);
        Assert.Equal(new long[] { 3, 1, 3, 3 }, sd["conv3.weight"].shape);
        // Padding code 0 embeds to zeros.
        Assert.Equal(0f, sd["embedding.weight"][0].abs().sum().item<float>());
        using var codes = CharacterText.EncodeBatch(["a bird", "another bird with a long tail"], 64);
        using var pictures = branch.call(codes);
        Assert.Equal(new long[] { 2, 3, 64, 64 }, pictures.shape);
    }

    [Fact]
    public void TextBranch_Should_StartAtTheScaleOfNormalisedPictures()
    {
        // Pictures enter the shared backbone normalised (per-channel std ≈ 1); text pictures at
        // PyTorch's default initialisation come out about ten times smaller and drown in the shared
        // batch norm. Random full-length texts, fixed seed.
        torch.random.manual_seed(7);
        using var branch = new TextBranch(64);
        var rng = new Random(7);
        var texts = Enumerable.Range(0, 16).Select(_ => new string(Enumerable.Range(0, 64).Select(_ => (char)('a' + rng.Next(26))).ToArray())).ToArray();
        using var codes = CharacterText.EncodeBatch(texts, 64);
        using var pictures = branch.call(codes);
        double std = pictures.std().item<float>();
        Assert.InRange(std, 0.4, 2.5);
    }

    [Fact]
    public void Network_Should_ShareOneBackbone_ForPicturesAndText()
    {
        torch.manual_seed(2);
        using var net = FgCrossNetNetwork.Create("resnet18", 5, new BackboneOptions(64));
        net.train();
        using var scope = NewDisposeScope();
        var pictures = net.EncodePictures(torch.rand(3, 3, 64, 64));
        var text = net.EncodeText(CharacterText.EncodeBatch(["white head", "red wings"], 64));
        Assert.Equal(new long[] { 3, 5 }, pictures.shape);
        Assert.Equal(new long[] { 2, 5 }, text.shape);
        Assert.Equal(new long[] { 5, 5 }, net.Centers.shape);

        var labels = torch.tensor(new long[] { 0, 1, 2, 3, 4 });
        var all = torch.cat([pictures, text], 0);
        var loss = nn.functional.cross_entropy(all, labels).add(CenterLoss.Compute(all, labels, net.Centers));
        loss.backward();
        // Both media reach the one backbone; the text branch learns through it.
        var sd = net.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Contains("backbone.conv1.weight", sd.Keys);
        Assert.Contains("text.conv3.weight", sd.Keys);
        Assert.Contains("centers.centers", sd.Keys);
        Assert.True(sd["text.embedding.weight"].grad!.abs().sum().item<float>() > 0);
        Assert.True(sd["backbone.fc.weight"].grad!.abs().sum().item<float>() > 0);
        Assert.True(sd["centers.centers"].grad!.abs().sum().item<float>() > 0);
    }
}
