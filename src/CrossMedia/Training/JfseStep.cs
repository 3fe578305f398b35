using CrossMedia.Models.Jfse;
using CrossMedia.Models.Losses;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;
using Optimizer = TorchSharp.Modules.OptimizerHelper;

namespace CrossMedia.Training;

/// <summary>
/// One JFSE training step on one mini-batch, with the four Adam optimisers it updates (critics,
/// generators, regressors, modality classifier). The trainer runs it per batch; the benchmark
/// (bench/jfse-step) times it.
/// </summary>
internal sealed class JfseStep : IDisposable
{
    private readonly JfseNetworks _nets;
    private readonly JfseTrainingOptions _options;
    private readonly Device _device;
    private readonly Optimizer _optD, _optG, _optR, _optM;

    public JfseStep(JfseNetworks nets, JfseTrainingOptions options, Device device)
    {
        _nets = nets;
        _options = options;
        _device = device;
        // Our Adam: TorchSharp's arithmetic with per-parameter temporaries (see Adam).
        Optimizer NewAdam(IEnumerable<TorchSharp.Modules.Parameter> p) => new Adam(p, options.LearningRate, options.Beta1, options.Beta2);
        _optD = NewAdam(nets.CriticParameters());
        _optG = NewAdam(nets.GeneratorParameters());
        _optR = NewAdam(nets.RegressorParameters());
        _optM = NewAdam(nets.Classifier.parameters());
    }

    /// <summary>The optimisers in checkpoint order: critic, generator, regressor, classifier.</summary>
    public IReadOnlyList<Optimizer> Optimizers => [_optD, _optG, _optR, _optM];

    /// <summary>
    /// Runs one step on one mini-batch of every medium (<paramref name="media"/>, in the networks' order);
    /// <paramref name="unseenBatch"/> are unseen classes to synthesise for. Returns the step's loss values.
    /// </summary>
    /// <remarks>
    /// One mini-batch: <c>CriticSteps</c> critic updates, then one generator, regressor and classifier update each.
    /// With more than two media the spec's per-modality terms (WGAN-GP, generator adversarial, cycle) are summed
    /// over the media, the modality classifier tells all media apart (one class each), and the alignment terms
    /// (distribution alignment, pair alignment) are summed over every pair of media and divided by M − 1, the
    /// number of pairs each medium is in: each medium's embeddings feel the same alignment pull as in the
    /// spec's two-media case, where the sum is the one image–text term (docs/manifest.md, "More than two media").
    /// </remarks>
    public Dictionary<string, double> Run(double lambda, torch.Generator gen, IReadOnlyList<JfseBatchMedium> media, Tensor classes, long[] unseenBatch)
    {
        using var scope = NewDisposeScope();
        if (media.Count != _nets.Generators.Count) throw new ArgumentException($"one batch per medium ({_nets.Generators.Count})", nameof(media));
        var w = _options.EffectiveWeights;
        var all = Enumerable.Range(0, media.Count).ToArray();
        var idx = media.Select(m => torch.tensor(m.Rows).to(_device)).ToArray();
        var real = all.Select(m => media[m].Features.index_select(0, idx[m])).ToArray();
        var lab = all.Select(m => media[m].Labels.index_select(0, idx[m])).ToArray();
        var c = lab.Select(l => classes.index_select(0, l)).ToArray();
        int dz = _nets.Architecture.NoiseDimension;
        Tensor Noise(long rows, long cols) => torch.randn([rows, cols], generator: gen).to(_device);
        Tensor Uniform(long rows) => torch.rand([rows, 1], generator: gen).to(_device);
        // Σ over media, left to right (the written formula's order; with two media the spec's v + t).
        Tensor Sum(Func<int, Tensor> term) => all.Skip(1).Aggregate(term(0), (sum, m) => sum.add(term(m), TorchScalars.One));
        // Σ over pairs of media / (M − 1) (see remarks); one pair, the image–text term, for two media.
        var pairs = all.SelectMany(i => all.Where(j => j > i).Select(j => (i, j))).ToArray();
        using var pairShare = (1.0 / (media.Count - 1)).ToScalar();
        Tensor PairMean(Func<int, int, Tensor> term)
        {
            var sum = pairs.Skip(1).Aggregate(term(pairs[0].i, pairs[0].j), (s, p) => s.add(term(p.i, p.j), TorchScalars.One));
            return pairs.Length == 1 ? sum : sum.mul(pairShare);
        }
        Tensor Modality(IReadOnlyList<Tensor> embeddings, bool reversed) =>
            ModalityLoss.Compute(embeddings.Select(e => _nets.Classifier.call(reversed ? GradientReversal.Apply(e, lambda) : e.detach())).ToArray());

        // Critic steps (generators fixed: synthetic features detached inside the loss).
        double lossD = 0;
        for (int k = 0; k < _options.CriticSteps; k++)
        {
            using var inner = NewDisposeScope();
            Tensor[] syn;
            using (no_grad())
                syn = all.Select(m => _nets.Generators[m].call(c[m], Noise(c[m].shape[0], dz))).ToArray();
            var ld = Sum(m => WassersteinLoss.CriticWithPenalty(_nets.Critics[m].call, real[m], syn[m], c[m], Uniform(real[m].shape[0]), w.GradientPenalty));
            _optD.zero_grad();
            ld.backward();
            _optD.step();
            lossD += ld.item<float>();
        }

        // Generator step: fool the critics; synthetic features (seen batch classes + unseen classes) must
        // regress back to their class embeddings and be modality-indistinguishable.
        var unseenLabels = torch.tensor(unseenBatch).to(_device);
        var synLab = lab.Select(l => unseenBatch.Length > 0 ? cat([l, unseenLabels], 0) : l).ToArray();
        var synC = synLab.Select(l => classes.index_select(0, l)).ToArray();
        var generated = all.Select(m => _nets.Generators[m].call(synC[m], Noise(synC[m].shape[0], dz))).ToArray();
        var advG = Sum(m => WassersteinLoss.Generator(_nets.Critics[m].call(generated[m].narrow(0, 0, real[m].shape[0]), c[m])));
        var eGen = all.Select(m => _nets.Regressors[m].call(generated[m])).ToArray();
        var cycG = Sum(m => CycleLoss.Compute(eGen[m], synC[m]));
        var modG = Modality(eGen, reversed: true);
        var lossG = WeightedSum((w.GeneratorAdversarial, advG), (w.GeneratorCycle, cycG), (w.GeneratorModality, modG));
        _optG.zero_grad();
        lossG.backward();
        _optG.step();

        // Regressor step: real features to their class embeddings, aligned across media, modality-confused;
        // plus the same on the synthetic features, detached (fixed for this step).
        var fixedSyn = generated.Select(g => g.detach()).ToArray();
        // The cycle, alignment and modality terms of one set of embedding batches (real, then synthetic).
        (Tensor Cycle, Tensor Alignment, Tensor Modality) RegressorTerms(Tensor[] e, Tensor[] targets, Tensor[] labels) =>
            (Sum(m => CycleLoss.Compute(e[m], targets[m])),
             PairMean((i, j) => AlignmentLoss.Compute(_options.Alignment, e[i], labels[i], e[j], labels[j])),
             Modality(e, reversed: true));
        var eReal = all.Select(m => _nets.Regressors[m].call(real[m])).ToArray();
        var (cycReal, daReal, modReal) = RegressorTerms(eReal, c, lab);
        var eSyn = all.Select(m => _nets.Regressors[m].call(fixedSyn[m])).ToArray();
        var (cycSyn, daSyn, modSyn) = RegressorTerms(eSyn, synC, synLab);
        var lossR = WeightedSum((w.RegressorCycleReal, cycReal), (w.RegressorAlignmentReal, daReal), (w.RegressorModalityReal, modReal),
            (w.RegressorCycleSynthetic, cycSyn), (w.RegressorModalitySynthetic, modSyn), (w.RegressorAlignmentSynthetic, daSyn));
        // Extension (off by default): CMPM with every real pair as its own class; the trainer allows it for paired batches only.
        var pairReal = w.RegressorPairAlignment > 0 ? PairMean((i, j) => AlignmentLoss.Compute(AlignmentScheme.Cmpm, eReal[i], idx[i], eReal[j], idx[j])) : null;
        if (pairReal is not null) lossR = lossR.add(WeightedSum((w.RegressorPairAlignment, pairReal)), TorchScalars.One);
        _optR.zero_grad();
        lossR.backward();
        _optR.step();

        // Modality classifier step on fixed embeddings.
        var lossM = Modality(eReal, reversed: false)
            .add(WeightedSum((w.ClassifierSynthetic, Modality(eSyn, reversed: false))), TorchScalars.One);
        _optM.zero_grad();
        lossM.backward();
        _optM.step();

        var losses = new Dictionary<string, double>
        {
            ["critic"] = lossD / _options.CriticSteps,
            ["generator"] = lossG.item<float>(),
            ["regressor"] = lossR.item<float>(),
            ["classifier"] = lossM.item<float>(),
            ["cycle_real"] = cycReal.item<float>(),
            ["alignment_real"] = daReal.item<float>(),
        };
        if (pairReal is not null) losses["pair_alignment_real"] = pairReal.item<float>();
        return losses;
    }

    /// <summary>Σ wᵢ·tᵢ, summed left to right as the written formula; each weight a held Scalar (see <see cref="TorchScalars"/>).</summary>
    private static Tensor WeightedSum(params (double Weight, Tensor Term)[] terms)
    {
        Tensor? sum = null;
        foreach (var (weight, term) in terms)
        {
            using var w = weight.ToScalar();
            var part = term.mul(w);
            sum = sum is null ? part : sum.add(part, TorchScalars.One);
        }
        return sum ?? throw new ArgumentException("no terms", nameof(terms));
    }

    public void Dispose()
    {
        _optD.Dispose();
        _optG.Dispose();
        _optR.Dispose();
        _optM.Dispose();
    }
}

/// <summary>One medium's part of a JFSE mini-batch: its (device) feature and label tensors and the rows drawn from them.</summary>
public readonly record struct JfseBatchMedium(Tensor Features, Tensor Labels, long[] Rows);
