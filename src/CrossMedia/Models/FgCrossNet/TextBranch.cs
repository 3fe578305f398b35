using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CrossMedia.Models.FgCrossNet;

/// <summary>
/// FGCrossNet's character CNN that turns a text into a picture for the shared backbone:
/// codes [N, L] → Embedding(70, 16, padding 0) → Conv1d(16 → L/2, k3, p1) → ReLU →
/// Conv1d(L/2 → L, k3, p1) → reshape [N, 1, L, L] → Conv2d(1 → 3, k3, p1) → [N, 3, L, L].
/// </summary>
internal sealed class TextBranch : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embedding;
    private readonly Conv1d conv1;
    private readonly Conv1d conv2;
    private readonly Conv2d conv3;

    /// <summary>Text length L = picture side.</summary>
    public int Length { get; }

    public TextBranch(int length) : base(nameof(TextBranch))
    {
        if (length < 2 || length % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(length), length, "the text length (= input size) must be even and at least 2");
        Length = length;
        embedding = nn.Embedding(CharacterText.VocabularySize, 16, padding_idx: 0);
        conv1 = nn.Conv1d(16, length / 2, 3, padding: 1);
        conv2 = nn.Conv1d(length / 2, length, 3, padding: 1);
        conv3 = nn.Conv2d(1, 3, 3, padding: 1);
        // He initialisation keeps the text "picture" at unit scale (PyTorch's default init shrinks it about
        // tenfold over the three layers), so in the shared backbone's batch norm, whose statistics the
        // concatenated batch of all media sets, text is not squashed next to the unit-scale pictures.
        using (no_grad())
        {
            foreach (var conv in new nn.Module[] { conv1, conv2, conv3 })
            {
                var (weight, bias) = conv switch
                {
                    Conv1d c => (c.weight!, c.bias!),
                    Conv2d c => (c.weight!, c.bias!),
                    _ => throw new InvalidOperationException(),
                };
                nn.init.kaiming_normal_(weight, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
                bias.zero_();
            }
        }
        RegisterComponents();
    }

    /// <summary>Codes [N, L] (int64) → pictures [N, 3, L, L].</summary>
    public override Tensor forward(Tensor codes)
    {
        if (codes.ndim != 2 || codes.shape[1] != Length)
            throw new ArgumentException($"expected codes [N, {Length}], got [{string.Join(", ", codes.shape)}]", nameof(codes));
        using var scope = NewDisposeScope();
        var x = embedding.call(codes).transpose(1, 2);          // [N, 16, L]
        x = conv2.call(F.relu(conv1.call(x)));               // [N, L, L]
        x = x.reshape(codes.shape[0], 1, Length, Length);
        return conv3.call(x).MoveToOuterDisposeScope();
    }
}
