using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Models.Jfse;
using CrossMedia.Models.Losses;
using CrossMedia.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Optimizer = TorchSharp.Modules.OptimizerHelper;

namespace CrossMedia.Training;

/// <summary>
/// Trains JFSE (see shared/spec/JFSE.md) on the Train split of a dataset and selects the epoch and
/// the embedding post-processing on its Val split. Owns the networks, the four Adam optimisers
/// (critics, generators, regressors, modality classifier) and the batch loop; epochs, selection,
/// patience and checkpoints are the shared <see cref="TrainingLoop"/>'s.
/// <para>
/// Reproducibility: weights are initialised from <c>Seed</c>; every epoch draws its batch order, its
/// unseen-class samples and its noise from generators seeded by (Seed, epoch), so the random state
/// at an epoch boundary is a function of the seed and the epoch number, and a resumed run continues
/// exactly as the uninterrupted one would (given the same device and thread count).
/// </para>
/// </summary>
public sealed class JfseTrainer
{
    public const string NetworksFile = "networks.bin";
    public const string StateFile = "state.json";
    private static readonly string[] OptimizerNames = ["critic", "generator", "regressor", "classifier"];

    private readonly JfseTrainingOptions options;
    private readonly Device device;
    private readonly ITrainingProgress progress;

    public JfseTrainer(JfseTrainingOptions options, Device? device = null, ITrainingProgress? progress = null)
    {
        options.Validate();
        this.options = options;
        this.device = device ?? CPU;
        this.progress = progress ?? NullTrainingProgress.Instance;
    }

    /// <summary>
    /// Trains on <paramref name="data"/>'s Train split; selects on its Val split.
    /// </summary>
    /// <param name="data">Dataset with at least two feature media, labels and splits. Unseen-class items must already be removed.</param>
    /// <param name="unseenClasses">Classes whose embeddings are used for zero-shot synthesis (empty in the standard scenario).</param>
    /// <param name="mediumNames">The two media (v, t); default: the dataset's first two.</param>
    /// <param name="checkpointDirectory">Where checkpoints go (needed when <c>CheckpointEvery</c> &gt; 0 or when resuming).</param>
    /// <param name="resume">Continue from the newest checkpoint in <paramref name="checkpointDirectory"/> when there is one.</param>
    /// <param name="testProbe">Only for the labelled test-selected figure: test media restricted as the caller reports them.</param>
    public JfseTrainingResult Train(Dataset data, IReadOnlySet<int>? unseenClasses = null, IReadOnlyList<string>? mediumNames = null,
        string? checkpointDirectory = null, bool resume = false, Dataset? testProbe = null, CancellationToken cancel = default)
    {
        TorchRuntime.Initialize(torch.get_num_threads());
        var names = mediumNames ?? data.Media.Take(2).Select(m => m.Name).ToArray();
        if (names.Count != 2) throw new InputException(data.Name, "media", "two media for JFSE", names.Count.ToString());
        var unseen = (unseenClasses ?? new HashSet<int>()).OrderBy(c => c).ToArray();
        var classEmbeddings = data.ClassEmbeddings;
        if (classEmbeddings is null)
        {
            if (unseen.Length > 0)
                throw new InputException(data.Name, "class embeddings", "word vectors of the class names (zero-shot needs them)", "none");
            classEmbeddings = Identity(data.ClassCount);
        }

        var train = data.Select(Split.Train);
        var val = data.Select(Split.Val);
        var mv = train[names[0]];
        var mt = train[names[1]];
        if (mv.Count == 0 || mt.Count == 0) throw new InputException(data.Name, "train split", "training items in both media", $"{mv.Count} and {mt.Count}");
        var fv = JfseModel.FeaturesOf(mv, mv.Dimension);
        var ft = JfseModel.FeaturesOf(mt, mt.Dimension);
        if (unseen.Any(u => mv.Labels.Contains(u) || mt.Labels.Contains(u)))
            throw new InputException(data.Name, "train split", "no items of unseen classes", "unseen-class items");
        bool paired = data.Paired && mv.Count == mt.Count;
        if (options.EffectiveWeights.RegressorPairAlignment > 0 && !paired)
            throw new InputException(data.Name, "regressor_pair_alignment", "paired image–text items (the pair term matches each item with its partner)", "unpaired media");

        // Min-max scaling fitted once on the training data (the reference fits it per batch).
        var scalerV = MinMaxScaler.Fit(fv);
        var scalerT = MinMaxScaler.Fit(ft);
        var classScaler = MinMaxScaler.Fit(classEmbeddings);
        var arch = new JfseArchitecture(fv.Cols, ft.Cols, classEmbeddings.Cols, options.Hidden, options.NoiseDimension);

        torch.random.manual_seed(options.Seed);
        using var nets = new JfseNetworks(arch);
        nets.to(device);
        using var bestV = new Regressor(arch.ImageDimension, arch.Hidden, arch.ClassDimension, "regressor_v");
        using var bestT = new Regressor(arch.TextDimension, arch.Hidden, arch.ClassDimension, "regressor_t");
        bestV.to(device);
        bestT.to(device);
        ModuleState.Copy(nets.RegressorV, bestV);
        ModuleState.Copy(nets.RegressorT, bestT);
        using var step = new JfseStep(nets, options, device);

        var valV = val.Has(names[0]) ? val[names[0]] : null;
        var valT = val.Has(names[1]) ? val[names[1]] : null;
        using var epochs = new Epochs(this, Settings(data, mv, mt, unseen, classEmbeddings), nets, bestV, bestT, step,
            mv, mt, fv, ft, scalerV, scalerT, classScaler.Apply(classEmbeddings), unseen, paired,
            valV is { Count: > 0 } && valT is { Count: > 0 } ? (valV, valT) : null,
            testProbe is null ? null : (testProbe[names[0]], testProbe[names[1]]));
        var store = checkpointDirectory is null ? null : new CheckpointStore(checkpointDirectory);
        var outcome = TrainingLoop.Run(epochs, new LoopSchedule(options.Epochs, options.EvalEvery, options.Patience, options.CheckpointEvery, options.Seed),
            store, resume, progress, cancel);

        // The selected epoch's regressors with normalisers fitted on the training embeddings.
        var post = outcome.CanValidate ? ParsePost(outcome.State.BestChoice) : EmbeddingPostProcessing.Raw;
        var trainV = JfseModel.EmbedRaw(bestV, scalerV, fv, device);
        var trainT = JfseModel.EmbedRaw(bestT, scalerT, ft, device);
        var finalV = new Regressor(arch.ImageDimension, arch.Hidden, arch.ClassDimension, "regressor_v");
        var finalT = new Regressor(arch.TextDimension, arch.Hidden, arch.ClassDimension, "regressor_t");
        finalV.to(device);
        finalT.to(device);
        ModuleState.Copy(bestV, finalV);
        ModuleState.Copy(bestT, finalT);
        var model = new JfseModel(arch, names.ToArray(), finalV, finalT, [scalerV, scalerT],
            [EmbeddingNormalizer.Fit(trainV, post, options.ZScore), EmbeddingNormalizer.Fit(trainT, post, options.ZScore)], device,
            [mv.Encoder, mt.Encoder]);
        return new JfseTrainingResult(model, outcome.History.ToArray(), outcome.SelectedEpoch, post,
            outcome.ValidationMap, outcome.EpochsRun, outcome.StoppedEarly, outcome.State.TestSelected);
    }

    /// <summary>A post-processing as validation chose it; checkpoints before the shared loop wrote snake case ("min_max").</summary>
    private static EmbeddingPostProcessing ParsePost(string? name) =>
        name is null ? EmbeddingPostProcessing.Raw : Enum.Parse<EmbeddingPostProcessing>(name.Replace("_", "", StringComparison.Ordinal), ignoreCase: true);

    /// <summary>
    /// The settings that change what the epochs compute (<see cref="ResumeSettings"/>): the training data,
    /// the unseen classes and their embeddings, and every option but the epoch count, patience and
    /// checkpoint cadence (they only lengthen or shorten the run), named as in metrics.json's config.
    /// </summary>
    private Dictionary<string, string> Settings(Dataset data, Medium mv, Medium mt, int[] unseen, Matrix classEmbeddings)
    {
        var settings = OptionSettings(JsonSerializer.Serialize(options with { Weights = options.EffectiveWeights }, JfseModel.JsonOptions));
        settings["dataset"] = data.Name;
        settings["items"] = ResumeSettings.ItemsOf([mv, mt]);
        settings["unseen"] = string.Join(",", unseen);
        settings["class_embeddings"] = Checksum.Sha256(MemoryMarshal.AsBytes(classEmbeddings.Data.AsSpan()))[..16];
        return settings;
    }

    /// <summary>The serialized options as settings; also reads the options string that checkpoints before named settings recorded.</summary>
    private static Dictionary<string, string> OptionSettings(string optionsJson)
    {
        var settings = JsonLeaves.Flatten(JsonNode.Parse(optionsJson));
        foreach (var runLength in new[] { "epochs", "patience", "checkpoint_every" }) settings.Remove(runLength);
        return settings;
    }

    /// <summary>Cosine mAP over the full ranking, as evaluation reports it; one thread (the sets are small).</summary>
    private static readonly RetrievalOptions SelectionRetrieval = new(DistanceMetric.Cosine, Threads: 1);

    /// <summary>
    /// Validation mAP (mean of both directions) under each post-processing; the best one by <see cref="EpochSelection"/>
    /// (a post-processing whose ranking is degenerate in a direction loses to one that is not), and whether it is degenerate.
    /// </summary>
    private (double Score, EmbeddingPostProcessing Post, bool Degenerate) BestPostProcessing(Matrix trainV, Matrix trainT, Matrix queryV, int[] labelsV, Matrix queryT, int[] labelsT)
    {
        (double Score, bool Degenerate)? best = null;
        var bestPost = EmbeddingPostProcessing.Raw;
        foreach (var post in Enum.GetValues<EmbeddingPostProcessing>())
        {
            var ev = EmbeddingNormalizer.Fit(trainV, post, options.ZScore).Apply(queryV);
            var et = EmbeddingNormalizer.Fit(trainT, post, options.ZScore).Apply(queryT);
            var vt = Retrieval.MeanAveragePrecision(ev, labelsV, et, labelsT, SelectionRetrieval);
            var tv = Retrieval.MeanAveragePrecision(et, labelsT, ev, labelsV, SelectionRetrieval);
            double score = (vt.Map + tv.Map) / 2;
            bool degenerate = vt.Degenerate || tv.Degenerate;
            if (double.IsFinite(score) && EpochSelection.Replaces(score, degenerate, best)) { best = (score, degenerate); bestPost = post; }
        }
        return best is { } b ? (b.Score, bestPost, b.Degenerate) : (double.NegativeInfinity, bestPost, false);
    }

    private static Matrix Identity(int n)
    {
        var m = new Matrix(n, n);
        for (int i = 0; i < n; i++) m[i, i] = 1;
        return m;
    }

    /// <summary>
    /// JFSE in the shared loop: an epoch of <see cref="JfseStep"/>s over shuffled batches (stream 1: batch order and
    /// unseen classes; stream 2: the networks' noise), validation of both regressors under every post-processing,
    /// the selected regressors as the best state, and the networks, both best regressors and the four Adams as a checkpoint.
    /// </summary>
    private sealed class Epochs(JfseTrainer trainer, Dictionary<string, string> settings, JfseNetworks nets, Regressor bestV, Regressor bestT,
        JfseStep step, Medium mv, Medium mt, Matrix fv, Matrix ft, MinMaxScaler scalerV, MinMaxScaler scalerT, Matrix scaledClasses,
        int[] unseen, bool paired, (Medium V, Medium T)? validation, (Medium V, Medium T)? testProbe) : IEpochTrainer, IDisposable
    {
        private readonly JfseTrainingOptions options = trainer.options;
        private readonly Device device = trainer.device;
        private readonly List<Tensor> tensors = [];
        private Tensor xv = null!, xt = null!, classes = null!, yv = null!, yt = null!;
        private int batches;

        public string Name => "JFSE";
        public IReadOnlyDictionary<string, string> Settings => settings;

        public Dictionary<string, string> SettingsOfFingerprint(string fingerprint)
        {
            var saved = new Dictionary<string, string>(settings); // the data: taken as unchanged
            foreach (var (name, value) in OptionSettings(fingerprint)) saved[name] = value;
            return saved;
        }

        public (int BatchesPerEpoch, bool CanValidate) Prepare(CancellationToken cancel)
        {
            // Training tensors: scaled once, kept on the device.
            xv = Keep(ToTensor(scalerV.Apply(fv)));
            xt = Keep(ToTensor(scalerT.Apply(ft)));
            classes = Keep(ToTensor(scaledClasses));
            yv = Keep(torch.tensor(mv.Labels.Select(l => (long)l).ToArray()).to(device));
            yt = Keep(torch.tensor(mt.Labels.Select(l => (long)l).ToArray()).to(device));
            int n = Math.Max(mv.Count, mt.Count);
            batches = (n + options.BatchSize - 1) / options.BatchSize;
            return (batches, validation is not null);
        }

        public EpochOutcome RunEpoch(EpochContext epoch, Action<int> batchDone, CancellationToken cancel)
        {
            int unseenPerBatch = unseen.Length == 0 ? 0 : (options.UnseenSamplesPerBatch > 0 ? options.UnseenSamplesPerBatch : options.BatchSize);
            double lambda = GradientReversal.Schedule((epoch.Epoch - 1) / (double)options.Epochs);
            var rng = epoch.RandomOf(1);
            using var gen = new torch.Generator(epoch.SeedOf(2));
            var orderV = EpochOrder.Permutation(rng, mv.Count);
            var orderT = paired ? orderV : EpochOrder.Permutation(rng, mt.Count);
            var sums = new Dictionary<string, double>();
            nets.train();
            for (int b = 0; b < batches; b++)
            {
                var iv = EpochOrder.Batch(orderV, b, options.BatchSize);
                var it = paired ? iv : EpochOrder.Batch(orderT, b, options.BatchSize);
                var unseenBatch = Enumerable.Range(0, unseenPerBatch).Select(_ => (long)unseen[rng.Next(unseen.Length)]).ToArray();
                var losses = step.Run(lambda, gen, xv, yv, iv, xt, yt, it, classes, unseenBatch);
                foreach (var (k, v) in losses) sums[k] = sums.GetValueOrDefault(k) + v;
                batchDone(b + 1);
            }
            return new EpochOutcome(sums.ToDictionary(kv => kv.Key, kv => kv.Value / batches), lambda);
        }

        public ValidationOutcome Validate(int epoch)
        {
            if (validation is null && testProbe is null) return new ValidationOutcome(null);
            var rawTrainV = JfseModel.EmbedRaw(nets.RegressorV, scalerV, fv, device);
            var rawTrainT = JfseModel.EmbedRaw(nets.RegressorT, scalerT, ft, device);
            (double Score, EmbeddingPostProcessing Post, bool Degenerate) Best((Medium V, Medium T) media) =>
                trainer.BestPostProcessing(rawTrainV, rawTrainT,
                    JfseModel.EmbedRaw(nets.RegressorV, scalerV, JfseModel.FeaturesOf(media.V, fv.Cols), device), media.V.Labels,
                    JfseModel.EmbedRaw(nets.RegressorT, scalerT, JfseModel.FeaturesOf(media.T, ft.Cols), device), media.T.Labels);
            var result = new ValidationOutcome(null);
            if (validation is { } v)
            {
                var (score, post, degenerate) = Best(v);
                result = new ValidationOutcome(score, degenerate, post.ToString().ToLowerInvariant(), "under every post-processing");
            }
            return testProbe is { } t ? result with { Probe = Best(t).Score } : result;
        }

        public void KeepBest()
        {
            ModuleState.Copy(nets.RegressorV, bestV);
            ModuleState.Copy(nets.RegressorT, bestT);
        }

        public void SaveState(string dir)
        {
            nets.save(Path.Combine(dir, NetworksFile));
            bestV.save(Path.Combine(dir, "best_regressor_v.bin"));
            bestT.save(Path.Combine(dir, "best_regressor_t.bin"));
            for (int i = 0; i < step.Optimizers.Count; i++)
                step.Optimizers[i].save_state_dict(Path.Combine(dir, $"adam_{OptimizerNames[i]}.bin"));
        }

        public void LoadState(string dir)
        {
            try
            {
                CheckpointStore.Read(dir, NetworksFile, p => nets.load(p));
                CheckpointStore.Read(dir, "best_regressor_v.bin", p => bestV.load(p));
                CheckpointStore.Read(dir, "best_regressor_t.bin", p => bestT.load(p));
            }
            catch (ArgumentException e)
            {
                throw new InputException(dir, NetworksFile, "networks of the same architecture (same data and --hidden)", e.Message, e);
            }
            for (int i = 0; i < step.Optimizers.Count; i++)
                CheckpointStore.Read(dir, $"adam_{OptimizerNames[i]}.bin", step.Optimizers[i].load_state_dict);
        }

        public void Dispose()
        {
            foreach (var t in tensors) t.Dispose();
        }

        private Tensor Keep(Tensor t)
        {
            tensors.Add(t);
            return t;
        }

        private Tensor ToTensor(Matrix m) => torch.tensor(m.Data, [m.Rows, m.Cols]).to(device);
    }
}
