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
/// Trains JFSE (docs/methods/jfse.md) on the Train split of a dataset and selects the epoch and
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

    private readonly JfseTrainingOptions _options;
    private readonly Device _device;
    private readonly ITrainingProgress _progress;

    public JfseTrainer(JfseTrainingOptions options, Device? device = null, ITrainingProgress? progress = null)
    {
        options.Validate();
        _options = options;
        _device = device ?? CPU;
        _progress = progress ?? NullTrainingProgress.Instance;
    }

    /// <summary>
    /// Trains on <paramref name="data"/>'s Train split; selects on its Val split.
    /// </summary>
    /// <param name="data">Dataset with at least two feature media, labels and splits. Unseen-class items must already be removed.</param>
    /// <param name="unseenClasses">Classes whose embeddings are used for zero-shot synthesis (empty in the standard scenario).</param>
    /// <param name="mediumNames">The media, in order (the first plays v, the second t); default: every medium of feature vectors (<see cref="TrainingMedia.FeatureMedia"/>).</param>
    /// <param name="checkpointDirectory">Where checkpoints go (needed when <c>CheckpointEvery</c> &gt; 0 or when resuming).</param>
    /// <param name="resume">Continue from the newest checkpoint in <paramref name="checkpointDirectory"/> when there is one.</param>
    /// <param name="testProbe">Only for the labelled test-selected figure: test media restricted as the caller reports them.</param>
    public JfseTrainingResult Train(Dataset data, IReadOnlySet<int>? unseenClasses = null, IReadOnlyList<string>? mediumNames = null,
        string? checkpointDirectory = null, bool resume = false, Dataset? testProbe = null, CancellationToken cancel = default)
    {
        TorchRuntime.Initialize(torch.get_num_threads());
        var names = TrainingMedia.FeatureMedia(data, mediumNames, "jfse");
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
        var media = names.Select(n => train[n]).ToArray();
        if (media.Any(m => m.Count == 0))
            throw new InputException(data.Name, "train split", "training items in every medium", string.Join(", ", media.Select(m => $"{m.Name}={m.Count}")));
        var features = media.Select(m => JfseModel.FeaturesOf(m, m.Dimension)).ToArray();
        if (unseen.Any(u => media.Any(m => m.Labels.Contains(u))))
            throw new InputException(data.Name, "train split", "no items of unseen classes", "unseen-class items");
        bool paired = data.Paired && media.All(m => m.Count == media[0].Count);
        if (_options.EffectiveWeights.RegressorPairAlignment > 0 && !paired)
            throw new InputException(data.Name, "regressor_pair_alignment", "paired image–text items (the pair term matches each item with its partner)", "unpaired media");

        // Min-max scaling fitted once on the training data (the reference fits it per batch).
        var scalers = features.Select(MinMaxScaler.Fit).ToArray();
        var classScaler = MinMaxScaler.Fit(classEmbeddings);
        var arch = new JfseArchitecture(features.Select(f => f.Cols).ToArray(), classEmbeddings.Cols, _options.Hidden, _options.NoiseDimension);
        var all = Enumerable.Range(0, media.Length).ToArray();

        torch.random.manual_seed(_options.Seed);
        using var nets = new JfseNetworks(arch);
        nets.to(_device);
        var bestRegressors = all.Select(arch.NewRegressor).ToArray();
        using var disposeBest = new DisposeAll(bestRegressors);
        foreach (var r in bestRegressors) r.to(_device);
        CopyRegressors(nets.Regressors, bestRegressors);
        using var step = new JfseStep(nets, _options, _device);

        var valMedia = names.Select(name => val.Has(name) ? val[name] : null).ToArray();
        using var epochs = new Epochs(this, Settings(data, media, unseen, classEmbeddings), nets, bestRegressors, step,
            media, features, scalers, classScaler.Apply(classEmbeddings), unseen, paired,
            valMedia.All(v => v is { Count: > 0 }) ? valMedia.Select(v => v!).ToArray() : null,
            testProbe is null ? null : names.Select(name => testProbe[name]).ToArray());
        var store = checkpointDirectory is null ? null : new CheckpointStore(checkpointDirectory);
        var outcome = TrainingLoop.Run(epochs, new LoopSchedule(_options.Epochs, _options.EvalEvery, _options.Patience, _options.CheckpointEvery, _options.Seed),
            store, resume, _progress, cancel);

        // The selected epoch's regressors with normalisers fitted on the training embeddings.
        var post = outcome.CanValidate ? ParsePost(outcome.State.BestChoice) : EmbeddingPostProcessing.Raw;
        var normalizers = all.Select(m => EmbeddingNormalizer.Fit(JfseModel.EmbedRaw(bestRegressors[m], scalers[m], features[m], _device), post, _options.ZScore)).ToArray();
        var final = all.Select(arch.NewRegressor).ToArray();
        foreach (var r in final) r.to(_device);
        CopyRegressors(bestRegressors, final);
        var model = new JfseModel(arch, names, final, scalers, normalizers, _device, media.Select(m => m.Encoder).ToArray());
        return new JfseTrainingResult(model, outcome.History.ToArray(), outcome.SelectedEpoch, post,
            outcome.ValidationMap, outcome.EpochsRun, outcome.StoppedEarly, outcome.State.TestSelected);
    }

    /// <summary>A post-processing as validation chose it, also in snake case ("min_max"), as JFSE checkpoints may spell it.</summary>
    private static EmbeddingPostProcessing ParsePost(string? name) =>
        name is null ? EmbeddingPostProcessing.Raw : Enum.Parse<EmbeddingPostProcessing>(name.Replace("_", "", StringComparison.Ordinal), ignoreCase: true);

    /// <summary>
    /// The settings that change what the epochs compute (<see cref="ResumeSettings"/>): the training data,
    /// the unseen classes and their embeddings, and every option but the epoch count, patience and
    /// checkpoint cadence (they only lengthen or shorten the run), named as in metrics.json's config.
    /// </summary>
    private Dictionary<string, string> Settings(Dataset data, IReadOnlyList<Medium> media, int[] unseen, Matrix classEmbeddings)
    {
        var settings = OptionSettings(JsonSerializer.Serialize(_options with { Weights = _options.EffectiveWeights }, JfseModel.JsonOptions));
        settings["dataset"] = data.Name;
        settings["items"] = ResumeSettings.ItemsOf(media);
        settings["unseen"] = string.Join(",", unseen);
        settings["class_embeddings"] = Checksum.Sha256(MemoryMarshal.AsBytes(classEmbeddings.Data.AsSpan()))[..16];
        return settings;
    }

    /// <summary>The serialized options as settings; also reads the options string of a checkpoint without named settings.</summary>
    private static Dictionary<string, string> OptionSettings(string optionsJson)
    {
        var settings = JsonLeaves.Flatten(JsonNode.Parse(optionsJson));
        foreach (var runLength in new[] { "epochs", "patience", "checkpoint_every" }) settings.Remove(runLength);
        return settings;
    }

    /// <summary>Cosine mAP over the full ranking, as evaluation reports it; one thread (the sets are small).</summary>
    private static readonly RetrievalOptions SelectionRetrieval = new(Metric.Cosine, Threads: 1);

    /// <summary>
    /// Validation mAP (mean over every direction between two media) under each post-processing; the best one
    /// by <see cref="EpochSelection"/> (a post-processing whose ranking is degenerate in a direction loses to one
    /// that is not), and whether it is degenerate. <paramref name="train"/>: raw training embeddings per medium
    /// (what the normalisers are fitted on); <paramref name="query"/>: raw embeddings and labels per medium.
    /// </summary>
    private (double Score, EmbeddingPostProcessing Post, bool Degenerate, double Chance, bool AtChance) BestPostProcessing(Matrix[] train, (Matrix Embeddings, int[] Labels)[] query)
    {
        (double Score, bool Degenerate)? best = null;
        bool bestAtChance = false;
        double chance = double.NaN; // the same under every post-processing: it depends on the labels only
        var bestPost = EmbeddingPostProcessing.Raw;
        foreach (var post in Enum.GetValues<EmbeddingPostProcessing>())
        {
            var e = query.Select((q, m) => EmbeddingNormalizer.Fit(train[m], post, _options.ZScore).Apply(q.Embeddings)).ToArray();
            double sum = 0, chanceSum = 0;
            int directions = 0;
            bool degenerate = false, atChance = false;
            for (int a = 0; a < e.Length; a++)
                for (int b = 0; b < e.Length; b++)
                {
                    if (a == b) continue;
                    var r = Retrieval.MeanAveragePrecision(e[a], query[a].Labels, e[b], query[b].Labels, SelectionRetrieval);
                    sum += r.Map;
                    chanceSum += r.Chance;
                    directions++;
                    degenerate |= r.Degenerate;
                    atChance |= r.AtChance;
                }
            double score = sum / directions;
            chance = chanceSum / directions;
            if (double.IsFinite(score) && EpochSelection.Replaces(score, degenerate, best)) { best = (score, degenerate); bestPost = post; bestAtChance = atChance; }
        }
        return best is { } b2 ? (b2.Score, bestPost, b2.Degenerate, chance, bestAtChance) : (double.NegativeInfinity, bestPost, false, chance, false);
    }

    private static void CopyRegressors(IReadOnlyList<Regressor> from, IReadOnlyList<Regressor> to)
    {
        for (int m = 0; m < from.Count; m++) ModuleState.Copy(from[m], to[m]);
    }

    /// <summary>Disposes modules that a method holds in arrays, at the end of its scope.</summary>
    private sealed class DisposeAll(IEnumerable<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items) item.Dispose();
        }
    }

    /// <summary>The checkpoint file of medium <paramref name="index"/>'s best regressor (best_regressor_v.bin, best_regressor_t.bin, best_regressor_2.bin, ...).</summary>
    private static string BestRegressorFile(int index) => $"best_regressor_{JfseArchitecture.Suffix(index)}.bin";


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
    private sealed class Epochs(JfseTrainer trainer, Dictionary<string, string> settings, JfseNetworks nets, Regressor[] best,
        JfseStep step, Medium[] media, Matrix[] features, MinMaxScaler[] scalers, Matrix scaledClasses,
        int[] unseen, bool paired, Medium[]? validation, Medium[]? testProbe) : IEpochTrainer, IDisposable
    {
        private readonly JfseTrainingOptions _options = trainer._options;
        private readonly Device _device = trainer._device;
        private readonly List<Tensor> _tensors = [];
        private Tensor[] _x = [], _y = [];
        private Tensor _classes = null!;
        private int _batches;

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
            _x = media.Select((_, m) => Keep(ToTensor(scalers[m].Apply(features[m])))).ToArray();
            _classes = Keep(ToTensor(scaledClasses));
            _y = media.Select(m => Keep(torch.tensor(m.Labels.Select(l => (long)l).ToArray()).to(_device))).ToArray();
            int n = media.Max(m => m.Count);
            _batches = (n + _options.BatchSize - 1) / _options.BatchSize;
            return (_batches, validation is not null);
        }

        public EpochOutcome RunEpoch(EpochContext epoch, Action<int, IReadOnlyDictionary<string, double>> batchDone, CancellationToken cancel)
        {
            int unseenPerBatch = unseen.Length == 0 ? 0 : (_options.UnseenSamplesPerBatch > 0 ? _options.UnseenSamplesPerBatch : _options.BatchSize);
            double lambda = GradientReversal.Schedule((epoch.Epoch - 1) / (double)_options.Epochs);
            var rng = epoch.RandomOf(1);
            using var gen = new torch.Generator(epoch.SeedOf(2));
            // One order per medium (drawn in the media's order), or the first medium's for paired media.
            var orders = new long[media.Length][];
            for (int m = 0; m < media.Length; m++) orders[m] = paired && m > 0 ? orders[0] : EpochOrder.Permutation(rng, media[m].Count);
            var sums = new Dictionary<string, double>();
            nets.train();
            for (int b = 0; b < _batches; b++)
            {
                var batch = media.Select((_, m) => new JfseBatchMedium(_x[m], _y[m], EpochOrder.Batch(orders[m], b, _options.BatchSize))).ToArray();
                var unseenBatch = Enumerable.Range(0, unseenPerBatch).Select(_ => (long)unseen[rng.Next(unseen.Length)]).ToArray();
                var losses = step.Run(lambda, gen, batch, _classes, unseenBatch);
                foreach (var (k, v) in losses) sums[k] = sums.GetValueOrDefault(k) + v;
                batchDone(b + 1, sums.ToDictionary(kv => kv.Key, kv => kv.Value / (b + 1)));
            }
            return new EpochOutcome(sums.ToDictionary(kv => kv.Key, kv => kv.Value / _batches), lambda);
        }

        public ValidationOutcome Validate(int epoch)
        {
            if (validation is null && testProbe is null) return new ValidationOutcome(null);
            var rawTrain = media.Select((_, m) => JfseModel.EmbedRaw(nets.Regressors[m], scalers[m], features[m], _device)).ToArray();
            // Raw embeddings and labels of some items of every medium (validation or the test probe).
            (double Score, EmbeddingPostProcessing Post, bool Degenerate, double Chance, bool AtChance) Best(Medium[] items) =>
                trainer.BestPostProcessing(rawTrain, items.Select((item, m) =>
                    (JfseModel.EmbedRaw(nets.Regressors[m], scalers[m], JfseModel.FeaturesOf(item, features[m].Cols), _device), item.Labels)).ToArray());
            var result = new ValidationOutcome(null);
            if (validation is { } v)
            {
                var (score, post, degenerate, chance, atChance) = Best(v);
                result = new ValidationOutcome(score, degenerate, post.ToString().ToLowerInvariant(), "under every post-processing", Chance: chance, AtChance: atChance);
            }
            return testProbe is { } t ? result with { Probe = Best(t).Score } : result;
        }

        public void KeepBest() => CopyRegressors(nets.Regressors, best);

        public void SaveState(string dir)
        {
            nets.save(Path.Combine(dir, NetworksFile));
            for (int m = 0; m < best.Length; m++) best[m].save(Path.Combine(dir, BestRegressorFile(m)));
            for (int i = 0; i < step.Optimizers.Count; i++)
                step.Optimizers[i].save_state_dict(Path.Combine(dir, $"adam_{OptimizerNames[i]}.bin"));
        }

        public void LoadState(string dir)
        {
            try
            {
                CheckpointStore.Read(dir, NetworksFile, p => nets.load(p));
                for (int m = 0; m < best.Length; m++) CheckpointStore.Read(dir, BestRegressorFile(m), p => best[m].load(p));
            }
            catch (ArgumentException e)
            {
                throw new InputException(dir, NetworksFile, "networks of the same architecture (same data and hidden width)", e.Message, e);
            }
            for (int i = 0; i < step.Optimizers.Count; i++)
                CheckpointStore.Read(dir, $"adam_{OptimizerNames[i]}.bin", step.Optimizers[i].load_state_dict);
        }

        public void Dispose()
        {
            foreach (var t in _tensors) t.Dispose();
        }

        private Tensor Keep(Tensor t)
        {
            _tensors.Add(t);
            return t;
        }

        private Tensor ToTensor(Matrix m) => m.ToTensor(_device);
    }
}
