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
        CopyParameters(nets.RegressorV, bestV);
        CopyParameters(nets.RegressorT, bestT);

        using var step = new JfseStep(nets, options, device);
        var optimizers = step.Optimizers;

        var settings = Settings(data, mv, mt, unseen, classEmbeddings);
        var state = new TrainingState { Settings = settings };
        var store = checkpointDirectory is null ? null : new CheckpointStore(checkpointDirectory);
        if (resume)
        {
            var latest = store?.Latest();
            if (latest is not null)
            {
                state = LoadCheckpoint(latest, settings, nets, bestV, bestT, optimizers);
                progress.Message($"resumed from {latest} after epoch {state.Epoch}");
            }
            else progress.Message("no checkpoint to resume from; starting at epoch 1");
        }

        // Training tensors: scaled once, kept on the device.
        using var xv = ToTensor(scalerV.Apply(fv));
        using var xt = ToTensor(scalerT.Apply(ft));
        using var classes = ToTensor(classScaler.Apply(classEmbeddings));
        using var yv = torch.tensor(mv.Labels.Select(l => (long)l).ToArray()).to(device);
        using var yt = torch.tensor(mt.Labels.Select(l => (long)l).ToArray()).to(device);
        int n = Math.Max(mv.Count, mt.Count);
        int batches = (n + options.BatchSize - 1) / options.BatchSize;
        int unseenPerBatch = unseen.Length == 0 ? 0 : (options.UnseenSamplesPerBatch > 0 ? options.UnseenSamplesPerBatch : options.BatchSize);

        var valV = val.Has(names[0]) ? val[names[0]] : null;
        var valT = val.Has(names[1]) ? val[names[1]] : null;
        bool hasValidation = valV is { Count: > 0 } && valT is { Count: > 0 };
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
                progress.BatchCompleted(epoch, b + 1, batches, sums.ToDictionary(kv => kv.Key, kv => kv.Value / (b + 1)));
            }
            var meanLosses = sums.ToDictionary(kv => kv.Key, kv => kv.Value / batches);
            TrainingDivergedException.ThrowIfNotFinite("JFSE", epoch, meanLosses);

            double? valMap = null;
            string? valPost = null;
            bool evaluate = epoch % options.EvalEvery == 0 || epoch == options.Epochs;
            if (evaluate)
            {
                var rawTrainV = JfseModel.EmbedRaw(nets.RegressorV, scalerV, fv, device);
                var rawTrainT = JfseModel.EmbedRaw(nets.RegressorT, scalerT, ft, device);
                if (hasValidation)
                {
                    var (score, bestPost, degenerate) = BestPostProcessing(rawTrainV, rawTrainT,
                        JfseModel.EmbedRaw(nets.RegressorV, scalerV, JfseModel.FeaturesOf(valV!, arch.ImageDimension), device), valV!.Labels,
                        JfseModel.EmbedRaw(nets.RegressorT, scalerT, JfseModel.FeaturesOf(valT!, arch.TextDimension), device), valT!.Labels);
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
                        CopyParameters(nets.RegressorV, bestV);
                        CopyParameters(nets.RegressorT, bestT);
                    }
                    else state.EvalsWithoutImprovement++;
                }
                if (testProbe is not null)
                {
                    var tv = testProbe[names[0]];
                    var tt = testProbe[names[1]];
                    var (testScore, _, _) = BestPostProcessing(rawTrainV, rawTrainT,
                        JfseModel.EmbedRaw(nets.RegressorV, scalerV, JfseModel.FeaturesOf(tv, arch.ImageDimension), device), tv.Labels,
                        JfseModel.EmbedRaw(nets.RegressorT, scalerT, JfseModel.FeaturesOf(tt, arch.TextDimension), device), tt.Labels);
                    state.TestSelected = Math.Max(state.TestSelected ?? double.MinValue, testScore);
                }
            }
            if (!hasValidation)
            {
                state.BestEpoch = epoch;
                CopyParameters(nets.RegressorV, bestV);
                CopyParameters(nets.RegressorT, bestT);
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
                var dir = store.Save(epoch, d => SaveCheckpoint(d, state, nets, bestV, bestT, optimizers));
                progress.Message($"checkpoint {dir}");
            }
        }

        if (hasValidation && state.BestDegenerate)
            progress.Message($"every validation had a degenerate ranking ({ResultRow.DegenerateNote}): the selected epoch {state.BestEpoch} is no real result");
        // The selected epoch's regressors with normalisers fitted on the training embeddings.
        var post = hasValidation ? state.BestPost : EmbeddingPostProcessing.Raw;
        var trainV = JfseModel.EmbedRaw(bestV, scalerV, fv, device);
        var trainT = JfseModel.EmbedRaw(bestT, scalerT, ft, device);
        var finalV = new Regressor(arch.ImageDimension, arch.Hidden, arch.ClassDimension, "regressor_v");
        var finalT = new Regressor(arch.TextDimension, arch.Hidden, arch.ClassDimension, "regressor_t");
        finalV.to(device);
        finalT.to(device);
        CopyParameters(bestV, finalV);
        CopyParameters(bestT, finalT);
        var model = new JfseModel(arch, names.ToArray(), finalV, finalT, [scalerV, scalerT],
            [EmbeddingNormalizer.Fit(trainV, post, options.ZScore), EmbeddingNormalizer.Fit(trainT, post, options.ZScore)], device,
            [mv.Encoder, mt.Encoder]);
        return new JfseTrainingResult(model, state.History.ToArray(), state.BestEpoch, post,
            hasValidation ? state.BestScore ?? double.NaN : double.NaN, state.Epoch, stoppedEarly, state.TestSelected);
    }

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



    private Tensor ToTensor(Matrix m) => m.ToTensor(device);

    private static Matrix Identity(int n)
    {
        var m = new Matrix(n, n);
        for (int i = 0; i < n; i++) m[i, i] = 1;
        return m;
    }

    private static void CopyParameters(nn.Module from, nn.Module to)
    {
        using var _ = no_grad();
        foreach (var ((_, src), (_, dst)) in from.named_parameters().Zip(to.named_parameters()))
            dst.copy_(src);
    }

    private static void SaveCheckpoint(string dir, TrainingState state, JfseNetworks nets, Regressor bestV, Regressor bestT, IReadOnlyList<Optimizer> optimizers)
    {
        nets.save(Path.Combine(dir, NetworksFile));
        bestV.save(Path.Combine(dir, "best_regressor_v.bin"));
        bestT.save(Path.Combine(dir, "best_regressor_t.bin"));
        for (int i = 0; i < optimizers.Count; i++)
            optimizers[i].save_state_dict(Path.Combine(dir, $"adam_{OptimizerNames[i]}.bin"));
        File.WriteAllText(Path.Combine(dir, StateFile), JsonSerializer.Serialize(state, JfseModel.JsonOptions));
    }

    private static TrainingState LoadCheckpoint(string dir, IReadOnlyDictionary<string, string> settings, JfseNetworks nets, Regressor bestV, Regressor bestT, IReadOnlyList<Optimizer> optimizers)
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
            CheckpointStore.Read(dir, "best_regressor_v.bin", p => bestV.load(p));
            CheckpointStore.Read(dir, "best_regressor_t.bin", p => bestT.load(p));
        }
        catch (ArgumentException e)
        {
            throw new InputException(dir, NetworksFile, "networks of the same architecture (same data and --hidden)", e.Message, e);
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
        /// <summary>The settings a resumed run must share (<see cref="Settings(Dataset, Medium, Medium, int[], Matrix)"/>).</summary>
        public Dictionary<string, string>? Settings { get; set; }
        /// <summary>Written by versions before <see cref="Settings"/>: the options as one JSON string; read, never written.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? Fingerprint { get; set; }
        public List<EpochRecord> History { get; set; } = [];
    }
}
