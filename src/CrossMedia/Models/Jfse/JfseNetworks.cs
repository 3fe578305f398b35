using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Jfse;

/// <summary>
/// All JFSE networks in one module, so one state dict (and one checkpoint file) holds them:
/// generators G_v, G_t, critics D_v, D_t, regressors R_v, R_t and the modality classifier M.
/// </summary>
internal sealed class JfseNetworks : nn.Module
{
    private readonly FeatureGenerator generator_v;
    private readonly FeatureGenerator generator_t;
    private readonly ConditionalCritic critic_v;
    private readonly ConditionalCritic critic_t;
    private readonly Regressor regressor_v;
    private readonly Regressor regressor_t;
    private readonly ModalityClassifier classifier;

    public JfseArchitecture Architecture { get; }

    public JfseNetworks(JfseArchitecture a) : base("jfse")
    {
        Architecture = a;
        generator_v = new FeatureGenerator(a.ClassDimension, a.NoiseDimension, a.Hidden, a.ImageDimension, "generator_v");
        generator_t = new FeatureGenerator(a.ClassDimension, a.NoiseDimension, a.Hidden, a.TextDimension, "generator_t");
        critic_v = new ConditionalCritic(a.ImageDimension, a.ClassDimension, a.Hidden, "critic_v");
        critic_t = new ConditionalCritic(a.TextDimension, a.ClassDimension, a.Hidden, "critic_t");
        regressor_v = new Regressor(a.ImageDimension, a.Hidden, a.ClassDimension, "regressor_v");
        regressor_t = new Regressor(a.TextDimension, a.Hidden, a.ClassDimension, "regressor_t");
        classifier = new ModalityClassifier(a);
        RegisterComponents();
    }

    public FeatureGenerator GeneratorV => generator_v;
    public FeatureGenerator GeneratorT => generator_t;
    public ConditionalCritic CriticV => critic_v;
    public ConditionalCritic CriticT => critic_t;
    public Regressor RegressorV => regressor_v;
    public Regressor RegressorT => regressor_t;
    public ModalityClassifier Classifier => classifier;

    public IEnumerable<TorchSharp.Modules.Parameter> CriticParameters() => critic_v.parameters().Concat(critic_t.parameters());
    public IEnumerable<TorchSharp.Modules.Parameter> GeneratorParameters() => generator_v.parameters().Concat(generator_t.parameters());
    public IEnumerable<TorchSharp.Modules.Parameter> RegressorParameters() => regressor_v.parameters().Concat(regressor_t.parameters());
}
