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
/// (critics, generators, regressors, modality classifier), the batch loop, checkpoints and progress.
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
        if (options.EffectiveWeights.RegressorPairAlignment > 0 && !paired)
            throw new InputException(data.Name, "regressor_pair_alignment", "paired image–text items (the pair term matches each item with its partner)", "unpaired media");

        // Min-max scaling fitted once on the training data (the reference fits it per batch).
        var scalers = features.Select(MinMaxScaler.Fit).ToArray();
        var classScaler = MinMaxScaler.Fit(classEmbeddings);
        var arch = new JfseArchitecture(features.Select(f => f.Cols).ToArray(), classEmbeddings.Cols, options.Hidden, options.NoiseDimension);
        var all = Enumerable.Range(0, media.Length).ToArray();

        torch.random.manual_seed(options.Seed);
        using var nets = new JfseNetworks(arch);
        nets.to(device);
        var bestRegressors = all.Select(arch.NewRegressor).ToArray();
        using var disposeBest = new DisposeAll(bestRegressors);
        foreach (var r in bestRegressors) r.to(device);
        CopyRegressors(nets.Regressors, bestRegressors);

        using var step = new JfseStep(nets, options, device);
        var optimizers = step.Optimizers;

        var settings = Settings(data, media, unseen, classEmbeddings);
        var state = new TrainingState { Settings = settings };
        var store = checkpointDirectory is null ? null : new CheckpointStore(checkpointDirectory);
        if (resume)
        {
            var latest = store?.Latest();
            if (latest is not null)
            {
                state = LoadCheckpoint(latest, settings, nets, bestRegressors, optimizers);
                progress.Message($"resumed from {latest} after epoch {state.Epoch}");
            }
            else progress.Message("no checkpoint to resume from; starting at epoch 1");
        }

        // Training tensors: scaled once, kept on the device.
        var x = all.Select(m => ToTensor(scalers[m].Apply(features[m]))).ToArray();
        using var classes = ToTensor(classScaler.Apply(classEmbeddings));
        var y = media.Select(m => torch.tensor(m.Labels.Select(l => (long)l).ToArray()).to(device)).ToArray();
        using var disposeTensors = new DisposeAll([.. x, .. y]);
        int n = media.Max(m => m.Count);
        int batches = (n + options.BatchSize - 1) / options.BatchSize;
        int unseenPerBatch = unseen.Length == 0 ? 0 : (options.UnseenSamplesPerBatch > 0 ? options.UnseenSamplesPerBatch : options.BatchSize);

        var valMedia = names.Select(name => val.Has(name) ? val[name] : null).ToArray();
        bool hasValidation = valMedia.All(v => v is { Count: > 0 });
        if (!hasValidation) progress.Message("no validation items: the last epoch and raw embeddings are used (no selection possible)");

        progress.Started(state.Epoch + 1, options.Epochs, batches, state.BestScore);
        var clock = Stopwatch.StartNew();
        int epochsThisRun = 0;
        bool stoppedEarly = state.Stopped;
        for (int epoch = state.Epoch + 1; epoch <= options.Epochs && !stoppedEarly; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            var epochClock = Stopwatch.StartNew();
            double lambda = GradientReversal.Schedule((epoch - 1) / (double)options.Epochs);
            var rng = new Random((int)(Mix(options.Seed, epoch, 1) & int.MaxValue));
            using var gen = new torch.Generator(Mix(options.Seed, epoch, 2));
            // One order per medium (drawn in the media's order), or the first medium's for paired media.
            var orders = new long[media.Length][];
            foreach (var m in all) orders[m] = paired && m > 0 ? orders[0] : EpochOrder.Permutation(rng, media[m].Count);
            var sums = new Dictionary<string, double>();
            nets.train();
            for (int b = 0; b < batches; b++)
            {
                var batch = all.Select(m => new JfseBatchMedium(x[m], y[m], EpochOrder.Batch(orders[m], b, options.BatchSize))).ToArray();
                var unseenBatch = Enumerable.Range(0, unseenPerBatch).Select(_ => (long)unseen[rng.Next(unseen.Length)]).ToArray();
                var losses = step.Run(lambda, gen, batch, classes, unseenBatch);
                foreach (var (k, v) in losses) sums[k] = sums.GetValueOrDefault(k) + v;
                progress.BatchCompleted(epoch, b + 1, batches);
            }
            var meanLosses = sums.ToDictionary(kv => kv.Key, kv => kv.Value / batches);
            TrainingDivergedException.ThrowIfNotFinite("JFSE", epoch, meanLosses);

            double? valMap = null;
            string? valPost = null;
            bool evaluate = epoch % options.EvalEvery == 0 || epoch == options.Epochs;
            if (evaluate)
            {
                var rawTrain = all.Select(m => JfseModel.EmbedRaw(nets.Regressors[m], scalers[m], features[m], device)).ToArray();
                // Raw embeddings and labels of some items of every medium (validation or the test probe).
                (Matrix, int[])[] Embedded(IReadOnlyList<Medium> items) => all.Select(m =>
                    (JfseModel.EmbedRaw(nets.Regressors[m], scalers[m], JfseModel.FeaturesOf(items[m], arch.MediumDimensions[m]), device), items[m].Labels)).ToArray();
                if (hasValidation)
                {
                    var (score, bestPost, degenerate) = BestPostProcessing(rawTrain, Embedded(valMedia.Select(v => v!).ToArray()));
                    valMap = score;
                    valPost = bestPost.ToString().ToLowerInvariant();
                    if (degenerate)
                        progress.Message($"epoch {epoch}: {ResultRow.DegenerateNote} in validation under every post-processing");
                    if (double.IsFinite(score) && EpochSelection.Replaces(score, degenerate, state.BestScore is { } best ? (best, state.BestDegenerate) : null))
                    {
                        state.BestScore = score;
                        state.BestDegenerate = degenerate;
                        state.BestEpoch = epoch;
                        state.BestPost = bestPost;
                        state.EvalsWithoutImprovement = 0;
                        CopyRegressors(nets.Regressors, bestRegressors);
                    }
                    else state.EvalsWithoutImprovement++;
                }
                if (testProbe is not null)
                {
                    var (testScore, _, _) = BestPostProcessing(rawTrain, Embedded(names.Select(name => testProbe[name]).ToArray()));
                    state.TestSelected = Math.Max(state.TestSelected ?? double.MinValue, testScore);
                }
            }
            if (!hasValidation)
            {
                state.BestEpoch = epoch;
                CopyRegressors(nets.Regressors, bestRegressors);
            }

            var record = new EpochRecord(epoch, meanLosses, valMap, valPost, epochClock.Elapsed.TotalSeconds, lambda);
            state.History.Add(record);
            state.Epoch = epoch;
            epochsThisRun++;
            if (hasValidation && options.Patience > 0 && state.EvalsWithoutImprovement >= options.Patience)
            {
                state.Stopped = stoppedEarly = true;
                progress.Message($"early stop after epoch {epoch}: no validation improvement in {options.Patience} evaluations (best epoch {state.BestEpoch})");
            }
            var perEpoch = clock.Elapsed.TotalSeconds / epochsThisRun;
            TimeSpan? eta = stoppedEarly ? TimeSpan.Zero : TimeSpan.FromSeconds(perEpoch * (options.Epochs - epoch));
            progress.EpochCompleted(record, eta);

            if (store is not null && options.CheckpointEvery > 0 && (epoch % options.CheckpointEvery == 0 || epoch == options.Epochs || stoppedEarly))
            {
                var dir = store.Save(epoch, d => SaveCheckpoint(d, state, nets, bestRegressors, optimizers));
                progress.Message($"checkpoint {dir}");
            }
        }

        if (hasValidation && state.BestDegenerate)
            progress.Message($"every validation had a degenerate ranking ({ResultRow.DegenerateNote}): the selected epoch {state.BestEpoch} is no real result");
        // The selected epoch's regressors with normalisers fitted on the training embeddings.
        var post = hasValidation ? state.BestPost : EmbeddingPostProcessing.Raw;
        var normalizers = all.Select(m => EmbeddingNormalizer.Fit(JfseModel.EmbedRaw(bestRegressors[m], scalers[m], features[m], device), post, options.ZScore)).ToArray();
        var final = all.Select(arch.NewRegressor).ToArray();
        foreach (var r in final) r.to(device);
        CopyRegressors(bestRegressors, final);
        var model = new JfseModel(arch, names, final, scalers, normalizers, device, media.Select(m => m.Encoder).ToArray());
        return new JfseTrainingResult(model, state.History.ToArray(), state.BestEpoch, post,
            hasValidation ? state.BestScore ?? double.NaN : double.NaN, state.Epoch, stoppedEarly, state.TestSelected);
    }

    /// <summary>
    /// The settings that change what the epochs compute (<see cref="ResumeSettings"/>): the training data,
    /// the unseen classes and their embeddings, and every option but the epoch count, patience and
    /// checkpoint cadence (they only lengthen or shorten the run), named as in metrics.json's config.
    /// </summary>
    private Dictionary<string, string> Settings(Dataset data, IReadOnlyList<Medium> media, int[] unseen, Matrix classEmbeddings)
    {
        var settings = OptionSettings(JsonSerializer.Serialize(options with { Weights = options.EffectiveWeights }, JfseModel.JsonOptions));
        settings["dataset"] = data.Name;
        settings["items"] = ResumeSettings.ItemsOf(media);
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
    /// Validation mAP (mean over every direction between two media) under each post-processing; the best one
    /// by <see cref="EpochSelection"/> (a post-processing whose ranking is degenerate in a direction loses to one
    /// that is not), and whether it is degenerate. <paramref name="train"/>: raw training embeddings per medium
    /// (what the normalisers are fitted on); <paramref name="query"/>: raw embeddings and labels per medium.
    /// </summary>
    private (double Score, EmbeddingPostProcessing Post, bool Degenerate) BestPostProcessing(Matrix[] train, (Matrix Embeddings, int[] Labels)[] query)
    {
        (double Score, bool Degenerate)? best = null;
        var bestPost = EmbeddingPostProcessing.Raw;
        foreach (var post in Enum.GetValues<EmbeddingPostProcessing>())
        {
            var e = query.Select((q, m) => EmbeddingNormalizer.Fit(train[m], post, options.ZScore).Apply(q.Embeddings)).ToArray();
            double sum = 0;
            int directions = 0;
            bool degenerate = false;
            for (int a = 0; a < e.Length; a++)
                for (int b = 0; b < e.Length; b++)
                {
                    if (a == b) continue;
                    var r = Retrieval.MeanAveragePrecision(e[a], query[a].Labels, e[b], query[b].Labels, SelectionRetrieval);
                    sum += r.Map;
                    directions++;
                    degenerate |= r.Degenerate;
                }
            double score = sum / directions;
            if (double.IsFinite(score) && EpochSelection.Replaces(score, degenerate, best)) { best = (score, degenerate); bestPost = post; }
        }
        return best is { } b2 ? (b2.Score, bestPost, b2.Degenerate) : (double.NegativeInfinity, bestPost, false);
    }

    /// <summary>
    /// A fixed mix (SplitMix64) of seed, epoch and stream into a generator seed. Not HashCode.Combine:
    /// that is randomised per process, which would make runs (and resumes) irreproducible across processes.
    /// </summary>
    internal static ulong Mix(int seed, int epoch, int stream)
    {
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)epoch * 0xBF58476D1CE4E5B9UL + (ulong)(uint)stream * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }



    private Tensor ToTensor(Matrix m) => torch.tensor(m.Data, [m.Rows, m.Cols]).to(device);

    private static Matrix Identity(int n)
    {
        var m = new Matrix(n, n);
        for (int i = 0; i < n; i++) m[i, i] = 1;
        return m;
    }

    private static void CopyRegressors(IReadOnlyList<Regressor> from, IReadOnlyList<Regressor> to)
    {
        for (int m = 0; m < from.Count; m++) CopyParameters(from[m], to[m]);
    }

    /// <summary>Disposes modules or tensors that a method holds in arrays, at the end of its scope.</summary>
    private sealed class DisposeAll(IEnumerable<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items) item.Dispose();
        }
    }

    private static void CopyParameters(nn.Module from, nn.Module to)
    {
        using var _ = no_grad();
        foreach (var ((_, src), (_, dst)) in from.named_parameters().Zip(to.named_parameters()))
            dst.copy_(src);
    }

    /// <summary>The checkpoint file of medium <paramref name="index"/>'s best regressor (best_regressor_v.bin, best_regressor_t.bin, best_regressor_2.bin, ...).</summary>
    private static string BestRegressorFile(int index) => $"best_regressor_{JfseArchitecture.Suffix(index)}.bin";

    private static void SaveCheckpoint(string dir, TrainingState state, JfseNetworks nets, Regressor[] best, IReadOnlyList<Optimizer> optimizers)
    {
        nets.save(Path.Combine(dir, NetworksFile));
        for (int m = 0; m < best.Length; m++) best[m].save(Path.Combine(dir, BestRegressorFile(m)));
        for (int i = 0; i < optimizers.Count; i++)
            optimizers[i].save_state_dict(Path.Combine(dir, $"adam_{OptimizerNames[i]}.bin"));
        File.WriteAllText(Path.Combine(dir, StateFile), JsonSerializer.Serialize(state, JfseModel.JsonOptions));
    }

    private static TrainingState LoadCheckpoint(string dir, IReadOnlyDictionary<string, string> settings, JfseNetworks nets, Regressor[] best, IReadOnlyList<Optimizer> optimizers)
    {
        var statePath = Path.Combine(dir, StateFile);
        TrainingState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(statePath), JfseModel.JsonOptions)
                    ?? throw new InputException(statePath, "", "a JFSE checkpoint state", "null");
        }
        catch (JsonException e)
        {
            throw new InputException(statePath, e.Path ?? "", "a JFSE checkpoint state", e.Message, e);
        }
        // Checkpoints before named settings recorded the options as one string, and nothing about the data.
        var saved = state.Settings;
        if (saved is null && state.Fingerprint is { } legacy)
        {
            saved = new(settings); // the data: taken as unchanged
            foreach (var (name, value) in OptionSettings(legacy)) saved[name] = value;
        }
        if (saved is not null) ResumeSettings.Check(dir, saved, settings);
        state.Settings = new(settings);
        state.Fingerprint = null;
        try
        {
            CheckpointStore.Read(dir, NetworksFile, p => nets.load(p));
            for (int m = 0; m < best.Length; m++) CheckpointStore.Read(dir, BestRegressorFile(m), p => best[m].load(p));
        }
        catch (ArgumentException e)
        {
            throw new InputException(dir, NetworksFile, "networks of the same architecture (same data and hidden width)", e.Message, e);
        }
        for (int i = 0; i < optimizers.Count; i++)
            CheckpointStore.Read(dir, $"adam_{OptimizerNames[i]}.bin", optimizers[i].load_state_dict);
        return state;
    }

    /// <summary>Everything besides tensors that a checkpoint must restore.</summary>
    private sealed class TrainingState
    {
        public int Epoch { get; set; }
        public int BestEpoch { get; set; }
        /// <summary>Null until the first validation: a checkpoint may be written before one (JSON has no −∞).</summary>
        public double? BestScore { get; set; }
        public EmbeddingPostProcessing BestPost { get; set; }
        /// <summary>Whether the selected validation ranking was degenerate (false in older checkpoints).</summary>
        public bool BestDegenerate { get; set; }
        public int EvalsWithoutImprovement { get; set; }
        public bool Stopped { get; set; }
        public double? TestSelected { get; set; }
        /// <summary>The settings a resumed run must share (<see cref="Settings(Dataset, IReadOnlyList{Medium}, int[], Matrix)"/>).</summary>
        public Dictionary<string, string>? Settings { get; set; }
        /// <summary>Written by versions before <see cref="Settings"/>: the options as one JSON string; read, never written.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? Fingerprint { get; set; }
        public List<EpochRecord> History { get; set; } = [];
    }
}
