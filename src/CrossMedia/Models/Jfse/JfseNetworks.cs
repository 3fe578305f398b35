using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Jfse;

/// <summary>
/// All JFSE networks in one module, so one state dict (and one checkpoint file) holds them: per medium a
/// generator, a critic and a regressor (G_v, G_t, D_v, D_t, R_v, R_t for the spec's two media; see
/// <see cref="JfseArchitecture.Suffix"/>), and the modality classifier M over all media.
/// </summary>
internal sealed class JfseNetworks : nn.Module
{
    private readonly FeatureGenerator[] generators;
    private readonly ConditionalCritic[] critics;
    private readonly Regressor[] regressors;
    private readonly ModalityClassifier classifier;

    public JfseArchitecture Architecture { get; }

    public JfseNetworks(JfseArchitecture a) : base("jfse")
    {
        if (a.MediaCount < 2) throw new ArgumentException("JFSE needs at least two media", nameof(a));
        Architecture = a;
        var media = Enumerable.Range(0, a.MediaCount).ToArray();
        // Created (and so initialised from the seed) and registered in this order: every generator, every
        // critic, every regressor, the classifier; with two media the state dict of the spec's networks.
        generators = media.Select(m => new FeatureGenerator(a.ClassDimension, a.NoiseDimension, a.Hidden, a.MediumDimensions[m], $"generator_{JfseArchitecture.Suffix(m)}")).ToArray();
        critics = media.Select(m => new ConditionalCritic(a.MediumDimensions[m], a.ClassDimension, a.Hidden, $"critic_{JfseArchitecture.Suffix(m)}")).ToArray();
        regressors = media.Select(a.NewRegressor).ToArray();
        classifier = new ModalityClassifier(a);
        foreach (var m in media) register_module($"generator_{JfseArchitecture.Suffix(m)}", generators[m]);
        foreach (var m in media) register_module($"critic_{JfseArchitecture.Suffix(m)}", critics[m]);
        foreach (var m in media) register_module($"regressor_{JfseArchitecture.Suffix(m)}", regressors[m]);
        register_module("classifier", classifier);
    }

    /// <summary>Per medium, in the architecture's order.</summary>
    public IReadOnlyList<FeatureGenerator> Generators => generators;
    public IReadOnlyList<ConditionalCritic> Critics => critics;
    public IReadOnlyList<Regressor> Regressors => regressors;
    public ModalityClassifier Classifier => classifier;

    public IEnumerable<TorchSharp.Modules.Parameter> CriticParameters() => critics.SelectMany(c => c.parameters());
    public IEnumerable<TorchSharp.Modules.Parameter> GeneratorParameters() => generators.SelectMany(g => g.parameters());
    public IEnumerable<TorchSharp.Modules.Parameter> RegressorParameters() => regressors.SelectMany(r => r.parameters());
}
