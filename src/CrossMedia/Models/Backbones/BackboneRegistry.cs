using CrossMedia.Models.Weights;

namespace CrossMedia.Models.Backbones;

/// <summary>
/// The backbones FGCrossNet (and the CLI's <c>--backbone</c>) can use, by name. An explicit table:
/// adding an architecture is one line here.
/// </summary>
public static class BackboneRegistry
{
    private delegate Backbone Factory(int classes, BackboneOptions options, out WeightLoadReport? report);

    private static readonly Dictionary<string, Factory> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["resnet18"] = (int c, BackboneOptions o, out WeightLoadReport? r) => ResNetWithWeights(ResNet.ResNet18Config(c, o.InputSize), o, out r),
        ["resnet34"] = (int c, BackboneOptions o, out WeightLoadReport? r) => ResNetWithWeights(ResNet.ResNet34Config(c, o.InputSize), o, out r),
        ["resnet50"] = (int c, BackboneOptions o, out WeightLoadReport? r) => ResNetWithWeights(ResNet.ResNet50Config(c, o.InputSize), o, out r),
        ["resnet101"] = (int c, BackboneOptions o, out WeightLoadReport? r) => ResNetWithWeights(ResNet.ResNet101Config(c, o.InputSize), o, out r),
        ["darknet-tiny"] = DarknetTiny,
    };

    /// <summary>Registered names, e.g. for help texts.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Builds backbone <paramref name="name"/> with <paramref name="classes"/> outputs.</summary>
    public static Backbone Create(string name, int classes, BackboneOptions? options = null) =>
        Create(name, classes, options, out _);

    /// <summary>Builds backbone <paramref name="name"/>; <paramref name="report"/> says which pretrained tensors were used (null without weights).</summary>
    public static Backbone Create(string name, int classes, BackboneOptions? options, out WeightLoadReport? report)
    {
        if (!Factories.TryGetValue(name, out var factory))
            throw new InputException("backbone", "", $"one of {string.Join(", ", Factories.Keys)}", $"'{name}'");
        if (classes < 1)
            throw new InputException("backbone", "classes", "at least 1", classes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return factory(classes, options ?? new BackboneOptions(), out report);
    }

    private static Backbone ResNetWithWeights(ResNetConfig config, BackboneOptions options, out WeightLoadReport? report)
    {
        if (options.IsOnnx) return OnnxResNet(config, options, out report);
        var net = new ResNet(config);
        report = null;
        if (options.WeightsPath is null || !options.LoadWeights) return net;
        try
        {
            report = net.ImportSafeTensors(options.WeightsPath);
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    /// <summary>An ONNX ResNet fixes the blocks per stage and brings its mean image, loaded or not (see <see cref="OnnxResNetImport"/>).</summary>
    private static Backbone OnnxResNet(ResNetConfig config, BackboneOptions options, out WeightLoadReport? report)
    {
        if (options.IsShippedImageNet && config.Name != "resnet18")
            throw new InputException("pretrained", "", $"'{BackboneOptions.ImageNet}' with resnet18 (the shipped ONNX model), or an ImageNet safetensors file for {config.Name}", options.WeightsPath!);
        if (config.Bottleneck) throw new InputException(options.WeightsPath!, "", "a bottleneck ResNet's weights as safetensors (ONNX import covers basic-block ResNets: resnet18/34)", config.Name);
        var (layers, tensors) = OnnxResNetImport.Read(options.IsShippedImageNet ? OnnxResNetImport.DefaultModelPath : options.WeightsPath!);
        try
        {
            var net = new ResNet(config with { Layers = layers, MeanImage = true });
            report = options.LoadWeights ? net.ImportWeights(tensors) : null;
            return net;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    private static Backbone DarknetTiny(int classes, BackboneOptions options, out WeightLoadReport? report)
    {
        if (options.WeightsPath is null)
            throw new InputException("weights", "", "the darknet-tiny TF.js model directory (model.json and shards)", "none");
        var net = KerasLayersBackbone.DarknetTiny(options.WeightsPath, classes, out var r);
        report = r;
        return net;
    }
}
