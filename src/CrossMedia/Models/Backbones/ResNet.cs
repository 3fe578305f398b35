// ResNet: "Deep Residual Learning for Image Recognition", K. He, X. Zhang, S. Ren, J. Sun, CVPR 2016
// (https://arxiv.org/abs/1512.03385). Layout and state-dict names as in torchvision's ResNet
// (the "v1.5" variant: a bottleneck block downsamples in its 3×3 convolution), so ImageNet
// checkpoints published with the usual PyTorch names load without renaming.
using CrossMedia.Models.Weights;
using CrossMedia.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CrossMedia.Models.Backbones;

// ---------------------------------------------------------------- blocks

/// <summary>Two 3×3 convolutions with an identity (or 1×1 projection) shortcut; ResNet-18/34.</summary>
internal sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    public const int Expansion = 1;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;

    public BasicBlock(int inChannels, int channels, int stride, Sequential? downsample) : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inChannels, channels, 3, stride: stride, padding: 1, bias: false);
        bn1 = new BatchNorm2d(channels);
        conv2 = nn.Conv2d(channels, channels, 3, stride: 1, padding: 1, bias: false);
        bn2 = new BatchNorm2d(channels);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <summary>The BatchNorm that closes the residual branch (zero-initialised on request).</summary>
    public BatchNorm2d LastNorm => bn2;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = F.relu(bn1.call(conv1.call(x)));
        y = bn2.call(conv2.call(y));
        var shortcut = downsample is null ? x : downsample.call(x);
        return F.relu(y.add_(shortcut, TorchScalars.One)).MoveToOuterDisposeScope();
    }
}

/// <summary>1×1 reduce, 3×3 (carries the stride), 1×1 expand ×4, plus shortcut; ResNet-50/101.</summary>
internal sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    public const int Expansion = 4;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Sequential? downsample;

    public Bottleneck(int inChannels, int channels, int stride, Sequential? downsample) : base(nameof(Bottleneck))
    {
        conv1 = nn.Conv2d(inChannels, channels, 1, bias: false);
        bn1 = new BatchNorm2d(channels);
        conv2 = nn.Conv2d(channels, channels, 3, stride: stride, padding: 1, bias: false);
        bn2 = new BatchNorm2d(channels);
        conv3 = nn.Conv2d(channels, channels * Expansion, 1, bias: false);
        bn3 = new BatchNorm2d(channels * Expansion);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <summary>The BatchNorm that closes the residual branch (zero-initialised on request).</summary>
    public BatchNorm2d LastNorm => bn3;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = F.relu(bn1.call(conv1.call(x)));
        y = F.relu(bn2.call(conv2.call(y)));
        y = bn3.call(conv3.call(y));
        var shortcut = downsample is null ? x : downsample.call(x);
        return F.relu(y.add_(shortcut, TorchScalars.One)).MoveToOuterDisposeScope();
    }
}

// ---------------------------------------------------------------- model

/// <summary>
/// ResNet-18/34/50/101: 7×7 stem with max-pool, four residual stages (64, 128, 256, 512 channels
/// × block expansion), global average pooling, linear classifier <c>fc</c>.
/// </summary>
public sealed class ResNet : Backbone
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly Linear fc;
    private readonly Tensor? input_mean; // [1, 3, H, W], RGB, 0–255 scale; only with Config.MeanImage
    private readonly int _featureDimension;

    /// <summary>State-dict name of the mean image (<see cref="ResNetConfig.MeanImage"/>).</summary>
    public const string MeanImageKey = nameof(input_mean);

    /// <summary>Side of the mean image as created; it is resized to other input sides.</summary>
    public const int MeanImageSide = 224;

    public ResNetConfig Config { get; }

    public ResNet(ResNetConfig config) : base(config.Name)
    {
        if (config.Layers is not { Length: 4 } || config.Layers.Any(n => n < 1))
            throw new ArgumentException("a ResNet needs four stages of at least one block", nameof(config));
        if (config.Classes < 1) throw new ArgumentOutOfRangeException(nameof(config), "classes must be positive");
        Config = config;
        var expansion = config.Bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        conv1 = nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = new BatchNorm2d(64);
        maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);
        var inChannels = 64;
        layer1 = MakeStage(ref inChannels, 64, config.Layers[0], 1, config.Bottleneck);
        layer2 = MakeStage(ref inChannels, 128, config.Layers[1], 2, config.Bottleneck);
        layer3 = MakeStage(ref inChannels, 256, config.Layers[2], 2, config.Bottleneck);
        layer4 = MakeStage(ref inChannels, 512, config.Layers[3], 2, config.Bottleneck);
        _featureDimension = 512 * expansion;
        fc = nn.Linear(_featureDimension, config.Classes);
        if (config.MeanImage) input_mean = zeros(1, 3, MeanImageSide, MeanImageSide);
        RegisterComponents();
        if (input_mean is not null && !named_buffers().Any(b => b.name == MeanImageKey)) register_buffer(MeanImageKey, input_mean);
        InitialiseWeights();
    }

    public override int FeatureDimension => _featureDimension;
    public override int Classes => Config.Classes;
    public override string ClassifierPrefix => nameof(fc);
    public override InputNormalization Normalization => Config.MeanImage ? InputNormalization.Pixel255 : InputNormalization.ImageNet;

    public override Tensor ForwardFeatures(Tensor pictures)
    {
        using var scope = NewDisposeScope();
        // By name, not the field: the registered buffer is what to(device) moves (CUDA untested here).
        if (Config.MeanImage && get_buffer(MeanImageKey) is { } meanImage) pictures = SubtractMeanImage(pictures, meanImage);
        var x = maxpool.call(F.relu(bn1.call(conv1.call(pictures))));
        x = layer4.call(layer3.call(layer2.call(layer1.call(x))));
        return x.mean([2, 3]).MoveToOuterDisposeScope();
    }

    public override Tensor ForwardHead(Tensor features) => fc.call(features);

    /// <summary>
    /// A frozen copy for feature extraction, faster than this model's forward: BatchNorm folded into the
    /// convolutions with the running statistics (i.e. eval-mode results, whatever this model's mode),
    /// oneDNN's fused convolutions where available (see <see cref="FrozenResNet"/>). This model is not changed
    /// and can keep training; fold again to see later weights. The caller disposes the copy.
    /// </summary>
    internal FrozenResNet ForInference() => new(this, oneDnn: true);

    /// <summary>pictures − the mean image; the mean belongs to one input side, resized bilinearly for others (exact at <see cref="MeanImageSide"/>).</summary>
    internal static Tensor SubtractMeanImage(Tensor pictures, Tensor meanImage)
    {
        if (pictures.shape[2] == meanImage.shape[2] && pictures.shape[3] == meanImage.shape[3]) return pictures - meanImage;
        using var mean = F.interpolate(meanImage, [pictures.shape[2], pictures.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
        return pictures - mean;
    }

    private static Sequential MakeStage(ref int inChannels, int channels, int blocks, int stride, bool bottleneck)
    {
        var expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (var i = 0; i < blocks; i++)
        {
            var s = i == 0 ? stride : 1;
            Sequential? downsample = null;
            if (s != 1 || inChannels != channels * expansion)
                downsample = nn.Sequential(
                    ("0", nn.Conv2d(inChannels, channels * expansion, 1, stride: s, bias: false)),
                    ("1", new BatchNorm2d(channels * expansion)));
            nn.Module<Tensor, Tensor> block = bottleneck
                ? new Bottleneck(inChannels, channels, s, downsample)
                : new BasicBlock(inChannels, channels, s, downsample);
            modules.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture), block));
            inChannels = channels * expansion;
        }
        return nn.Sequential(modules.ToArray());
    }

    // ------------------------------------------------------------ weight init

    /// <summary>He-normal (fan-out) convolutions, BatchNorm scale 1 / shift 0, as torchvision does.</summary>
    private void InitialiseWeights()
    {
        using var _ = torch.no_grad();
        foreach (var (_, m) in named_modules())
        {
            switch (m)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case BatchNorm2d bn:
                    bn.weight!.fill_(TorchScalars.One);
                    bn.bias!.zero_();
                    break;
            }
        }
        if (!Config.ZeroInitLastNorm) return;
        foreach (var (_, m) in named_modules())
        {
            if (m is Bottleneck b) b.LastNorm.weight!.zero_();
            if (m is BasicBlock a) a.LastNorm.weight!.zero_();
        }
    }

    // ------------------------------------------------------------ checkpoint key remapping

    /// <summary>Wrapper prefixes that training code commonly adds in front of the torchvision names.</summary>
    private static readonly string[] WrapperPrefixes = ["module.", "model.", "backbone.", "encoder."];

    /// <summary>
    /// Maps a checkpoint key to this model's name: strips wrapper prefixes (DataParallel's
    /// <c>module.</c>, ...) and maps timm's <c>head.fc.</c> to <c>fc.</c>. Pure; unknown keys pass through.
    /// </summary>
    public static string RemapKey(string key)
    {
        var stripped = true;
        while (stripped)
        {
            stripped = false;
            foreach (var p in WrapperPrefixes)
                if (key.StartsWith(p, StringComparison.Ordinal)) { key = key[p.Length..]; stripped = true; }
        }
        return key.StartsWith("head.fc.", StringComparison.Ordinal) ? "fc." + key["head.fc.".Length..] : key;
    }

    /// <summary>Copies ImageNet (or any torchvision-named) weights in; the classifier is skipped when class counts differ.</summary>
    public override WeightLoadReport ImportWeights(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var remapped = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (k, v) in tensors) remapped[RemapKey(k)] = v;
        return StateDictLoader.Load(this, remapped, ClassifierPrefix);
    }

    // ------------------------------------------------------------ named configurations

    public static ResNetConfig ResNet18Config(int classes = 1000, int inputSize = 224) => new("resnet18", [2, 2, 2, 2], false, classes, inputSize);
    public static ResNetConfig ResNet34Config(int classes = 1000, int inputSize = 224) => new("resnet34", [3, 4, 6, 3], false, classes, inputSize);
    public static ResNetConfig ResNet50Config(int classes = 1000, int inputSize = 224) => new("resnet50", [3, 4, 6, 3], true, classes, inputSize);
    public static ResNetConfig ResNet101Config(int classes = 1000, int inputSize = 224) => new("resnet101", [3, 4, 23, 3], true, classes, inputSize);
}
