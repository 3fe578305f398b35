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
public sealed class JfseStep : IDisposable
{
    private readonly JfseNetworks nets;
    private readonly JfseTrainingOptions options;
    private readonly Device device;
    private readonly Optimizer optD, optG, optR, optM;

    public JfseStep(JfseNetworks nets, JfseTrainingOptions options, Device device)
    {
        this.nets = nets;
        this.options = options;
        this.device = device;
        // Our Adam: TorchSharp's arithmetic with per-parameter temporaries (see Adam).
        Optimizer NewAdam(IEnumerable<TorchSharp.Modules.Parameter> p) => new Adam(p, options.LearningRate, options.Beta1, options.Beta2);
        optD = NewAdam(nets.CriticParameters());
        optG = NewAdam(nets.GeneratorParameters());
        optR = NewAdam(nets.RegressorParameters());
        optM = NewAdam(nets.Classifier.parameters());
    }

    /// <summary>The optimisers in checkpoint order: critic, generator, regressor, classifier.</summary>
    public IReadOnlyList<Optimizer> Optimizers => [optD, optG, optR, optM];

    /// <summary>
    /// Runs one step. <paramref name="iv"/>/<paramref name="it"/> index rows of the (device) feature tensors
    /// <paramref name="xv"/>/<paramref name="xt"/>; <paramref name="unseenBatch"/> are unseen classes to synthesise for.
    /// Returns the step's loss values.
    /// </summary>
    /// <remarks>One mini-batch: <c>CriticSteps</c> critic updates, then one generator, regressor and classifier update each.</remarks>
    public Dictionary<string, double> Run(double lambda, torch.Generator gen,
        Tensor xv, Tensor yv, long[] iv, Tensor xt, Tensor yt, long[] it, Tensor classes, long[] unseenBatch)
    {
        using var scope = NewDisposeScope();
        var w = options.EffectiveWeights;
        var idxV = torch.tensor(iv).to(device);
        var idxT = torch.tensor(it).to(device);
        var realV = xv.index_select(0, idxV);
        var realT = xt.index_select(0, idxT);
        var labV = yv.index_select(0, idxV);
        var labT = yt.index_select(0, idxT);
        var cV = classes.index_select(0, labV);
        var cT = classes.index_select(0, labT);
        int dz = nets.Architecture.NoiseDimension;
        Tensor Noise(long rows, long cols) => torch.randn([rows, cols], generator: gen).to(device);
        Tensor Uniform(long rows) => torch.rand([rows, 1], generator: gen).to(device);

        // Critic steps (generators fixed: synthetic features detached inside the loss).
        double lossD = 0;
        for (int k = 0; k < options.CriticSteps; k++)
        {
            using var inner = NewDisposeScope();
            Tensor synV, synT;
            using (no_grad())
            {
                synV = nets.GeneratorV.call(cV, Noise(cV.shape[0], dz));
                synT = nets.GeneratorT.call(cT, Noise(cT.shape[0], dz));
            }
            var ld = WassersteinLoss.CriticWithPenalty(nets.CriticV.call, realV, synV, cV, Uniform(realV.shape[0]), w.GradientPenalty)
                     .add(WassersteinLoss.CriticWithPenalty(nets.CriticT.call, realT, synT, cT, Uniform(realT.shape[0]), w.GradientPenalty), TorchScalars.One);
            optD.zero_grad();
            ld.backward();
            optD.step();
            lossD += ld.item<float>();
        }

        // Generator step: fool the critics; synthetic features (seen batch classes + unseen classes) must
        // regress back to their class embeddings and be modality-indistinguishable.
        var unseenLabels = torch.tensor(unseenBatch).to(device);
        var synLabV = unseenBatch.Length > 0 ? cat([labV, unseenLabels], 0) : labV;
        var synLabT = unseenBatch.Length > 0 ? cat([labT, unseenLabels], 0) : labT;
        var synCV = classes.index_select(0, synLabV);
        var synCT = classes.index_select(0, synLabT);
        var genV = nets.GeneratorV.call(synCV, Noise(synCV.shape[0], dz));
        var genT = nets.GeneratorT.call(synCT, Noise(synCT.shape[0], dz));
        long nv = realV.shape[0], nt = realT.shape[0];
        var advG = WassersteinLoss.Generator(nets.CriticV.call(genV.narrow(0, 0, nv), cV))
                   .add(WassersteinLoss.Generator(nets.CriticT.call(genT.narrow(0, 0, nt), cT)), TorchScalars.One);
        var eGenV = nets.RegressorV.call(genV);
        var eGenT = nets.RegressorT.call(genT);
        var cycG = CycleLoss.Compute(eGenV, synCV).add(CycleLoss.Compute(eGenT, synCT), TorchScalars.One);
        var modG = ModalityLoss.Compute(nets.Classifier.call(GradientReversal.Apply(eGenV, lambda)),
                                        nets.Classifier.call(GradientReversal.Apply(eGenT, lambda)));
        var lossG = WeightedSum((w.GeneratorAdversarial, advG), (w.GeneratorCycle, cycG), (w.GeneratorModality, modG));
        optG.zero_grad();
        lossG.backward();
        optG.step();

        // Regressor step: real features to their class embeddings, aligned across media, modality-confused;
        // plus the same on the (now fixed) synthetic features.
        var synV2 = genV.detach();
        var synT2 = genT.detach();
        // The cycle, alignment and modality terms of one pair of embedding batches (real, then synthetic).
        (Tensor Cycle, Tensor Alignment, Tensor Modality) RegressorTerms(Tensor ev, Tensor et, Tensor targetV, Tensor targetT, Tensor labelsV, Tensor labelsT) =>
            (CycleLoss.Compute(ev, targetV).add(CycleLoss.Compute(et, targetT), TorchScalars.One),
             AlignmentLoss.Compute(options.Alignment, ev, labelsV, et, labelsT),
             ModalityLoss.Compute(nets.Classifier.call(GradientReversal.Apply(ev, lambda)),
                                  nets.Classifier.call(GradientReversal.Apply(et, lambda))));
        var eV = nets.RegressorV.call(realV);
        var eT = nets.RegressorT.call(realT);
        var (cycReal, daReal, modReal) = RegressorTerms(eV, eT, cV, cT, labV, labT);
        var eSV = nets.RegressorV.call(synV2);
        var eST = nets.RegressorT.call(synT2);
        var (cycSyn, daSyn, modSyn) = RegressorTerms(eSV, eST, synCV, synCT, synLabV, synLabT);
        var lossR = WeightedSum((w.RegressorCycleReal, cycReal), (w.RegressorAlignmentReal, daReal), (w.RegressorModalityReal, modReal),
            (w.RegressorCycleSynthetic, cycSyn), (w.RegressorModalitySynthetic, modSyn), (w.RegressorAlignmentSynthetic, daSyn));
        // Extension (off by default): CMPM with every real pair as its own class; the trainer allows it for paired batches only.
        var pairReal = w.RegressorPairAlignment > 0 ? AlignmentLoss.Compute(AlignmentScheme.Cmpm, eV, idxV, eT, idxT) : null;
        if (pairReal is not null) lossR = lossR.add(WeightedSum((w.RegressorPairAlignment, pairReal)), TorchScalars.One);
        optR.zero_grad();
        lossR.backward();
        optR.step();

        // Modality classifier step on fixed embeddings.
        var lossM = ModalityLoss.Compute(nets.Classifier.call(eV.detach()), nets.Classifier.call(eT.detach()))
            .add(WeightedSum((w.ClassifierSynthetic, ModalityLoss.Compute(nets.Classifier.call(eSV.detach()), nets.Classifier.call(eST.detach())))), TorchScalars.One);
        optM.zero_grad();
        lossM.backward();
        optM.step();

        var losses = new Dictionary<string, double>
        {
            ["critic"] = lossD / options.CriticSteps,
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
        optD.Dispose();
        optG.Dispose();
        optR.Dispose();
        optM.Dispose();
    }
}
