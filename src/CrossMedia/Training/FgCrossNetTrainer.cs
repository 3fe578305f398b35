using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Media;
using CrossMedia.Models.FgCrossNet;
using CrossMedia.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CrossMedia.Training;

/// <summary>
/// Trains FGCrossNet (shared/spec/FGCrossNet.md) on the Train split of a file dataset and selects the
/// epoch on the Val split (mean mAP over every bi-modal direction). One step sees one batch of every
/// medium: cross-entropy per medium summed, plus the center loss on the concatenated logits, plus in
/// stage 2 the quadruplet ranking loss. Every medium is shuffled each epoch and the shorter media
/// cycle through the epoch of the longest (the reference stopped at the shortest, unshuffled). After each
/// epoch the batch-norm running statistics are re-estimated over such mixed batches, so the network in eval
/// mode computes what it was trained to; an epoch whose validation ranking is degenerate (all scores tied)
/// is selected only when every epoch's is.
/// <para>
/// Each medium's train and validation files are decoded once, in parallel (<see cref="MediaDecoder"/>),
/// into memory: the datasets this runs on are small enough, and the CPU then trains without waiting.
/// Reproducibility: initialisation from the seed; batch order and augmentation of an epoch come from a
/// generator seeded by (seed, epoch), so a resumed run continues exactly as an uninterrupted one: a
/// checkpoint holds the network (with batch-norm statistics and class centres), the selected network,
/// the SGD momentum (<see cref="SGD"/>) and the epoch history, and records the settings that shape training; resuming
/// under other settings is refused (<see cref="InputException"/> naming them).
/// </para>
/// </summary>
public sealed class FgCrossNetTrainer
{
    private const string NetworkFile = "network.bin";
    private const string BestFile = "best.bin";
    private const string OptimizerFile = "sgd.bin";
    private const string StateFile = "state.json";
    /// <summary>The best score is −∞ until a validation score exists (always, without validation data).</summary>
    private static readonly JsonSerializerOptions StateJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly FgCrossNetTrainingOptions options;
    private readonly Device device;
    private readonly ITrainingProgress progress;

    public FgCrossNetTrainer(FgCrossNetTrainingOptions options, Device? device = null, ITrainingProgress? progress = null)
    {
        options.Validate();
        this.options = options;
        this.device = device ?? CPU;
        this.progress = progress ?? NullTrainingProgress.Instance;
    }

    /// <summary>Trains on <paramref name="data"/>'s Train split, selects on its Val split (test items must not be present or are ignored).</summary>
    /// <param name="data">File media with labels and splits.</param>
    /// <param name="config">Network and input settings; its <c>MediumNames</c> picks the media (empty = every file medium).</param>
    public FgCrossNetTrainingResult Train(Dataset data, FgCrossNetConfig config, string? checkpointDirectory = null, bool resume = false, CancellationToken cancel = default)
    {
        TorchRuntime.Initialize(get_num_threads());
        var media = (config.MediumNames.Length > 0 ? config.MediumNames.Select(n => data[n]) : data.Media.Where(m => m.Files is not null)).ToArray();
        if (media.Length == 0) throw new InputException(data.Name, "media", "at least one medium of media files", "none");
        config = config with { Classes = data.ClassCount, MediumNames = media.Select(m => m.Name).ToArray() };
        var kinds = media.Select(FgCrossNetInputs.KindOf).ToArray();

        manual_seed(options.Seed);
        using var net = config.CreateNetwork(initialise: true, out var report);
        if (report is not null) progress.Message($"pretrained {config.Backbone}: {report.Summary}");
        using var best = config.CreateNetwork(initialise: false, out _);
        net.to(device);
        best.to(device);
        CopyState(net, best);

        // A checkpoint is checked and loaded before the (long) decoding, so a refused resume fails at once.
        var settings = Settings(data, config, media);
        var optimizer = NewOptimizer(net);
        var state = new TrainingState { Settings = settings };
        var store = checkpointDirectory is null ? null : new CheckpointStore(checkpointDirectory);
        if (resume && store?.Latest() is { } latest)
        {
            state = LoadCheckpoint(latest, settings, net, best, optimizer);
            state.Settings = settings; // checkpoints written before settings were recorded get them from now on
            progress.Message($"resumed from {latest} after epoch {state.Epoch}");
        }
        else if (resume) progress.Message("no checkpoint to resume from; starting at epoch 1");

        // Decode every medium once (train and validation), in parallel with libtorch's threads idle.
        var decoder = new MediaDecoder(config.DecoderOptions(net.Backbone.Normalization, options.Workers, options.DecodeCache));
        var clock = Stopwatch.StartNew();
        var train = new List<DecodedItem>[media.Length];
        var val = new List<DecodedItem>[media.Length];
        var valMedia = new Medium[media.Length];
        long files = media.Sum(m => (long)m.RowsOf(Split.Train).Length + m.RowsOf(Split.Val).Length);
        var decoding = new SynchronousProgress<int>(_ => progress.Phase(new WorkProgress("decode", decoder.Attempted, files, "files")));
        progress.Phase(new WorkProgress("decode", 0, files, "files")); // starts the phase's clock before the first file is done
        for (int m = 0; m < media.Length; m++)
        {
            train[m] = FgCrossNetInputs.DecodeAll(decoder, media[m], media[m].RowsOf(Split.Train), cancel, decoding);
            valMedia[m] = media[m].Select(Split.Val);
            val[m] = FgCrossNetInputs.DecodeAll(decoder, valMedia[m], null, cancel, decoding);
            if (train[m].Count < 2) throw new InputException(data.Name, $"{media[m].Name} train split", "at least 2 decodable items", train[m].Count.ToString());
        }
        progress.Phase(new WorkProgress("decode", files, files, "files")); // the last files may have been skipped
        foreach (var p in decoder.Problems) progress.Message($"skipped {p}");
        progress.Message($"decoded {decoder.Attempted} files in {clock.Elapsed.TotalSeconds:F1} s ({string.Join(", ", media.Select((m, i) => $"{m.Name} {train[i].Count}+{val[i].Count}"))})");
        bool hasValidation = val.Count(v => v.Count > 0) >= 2;
        if (!hasValidation) progress.Message("fewer than two media with validation items: the last epoch is used (no selection)");

        int batches = (train.Max(t => t.Count) + options.BatchSize - 1) / options.BatchSize;
        progress.Started(state.Epoch + 1, options.Epochs, batches, double.IsFinite(state.BestScore) ? state.BestScore : null);
        clock.Restart();
        int epochsThisRun = 0;
        try
        {
            for (int epoch = state.Epoch + 1; epoch <= options.Epochs; epoch++)
            {
                cancel.ThrowIfCancellationRequested();
                var epochClock = Stopwatch.StartNew();
                bool stage2 = epoch > options.Stage1Epochs;
                if (stage2 && epoch == options.Stage1Epochs + 1 && options.Stage1Epochs > 0)
                {
                    // Stage 2 starts from the stage-1 selection with a fresh optimiser (the reference restarts its script).
                    CopyState(best, net);
                    optimizer.Dispose();
                    optimizer = NewOptimizer(net);
                }
                int epochInStage = stage2 ? epoch - options.Stage1Epochs : epoch;
                double lr = options.LearningRate * Math.Pow(options.DecayFactor, (epochInStage - 1) / options.DecayEvery);
                foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;

                var rng = new Random(unchecked(options.Seed * 100_003 + epoch));
                var orders = train.Select(t => EpochOrder.Permutation(rng, t.Count)).ToArray();
                var sums = new Dictionary<string, double>();
                net.train();
                for (int b = 0; b < batches; b++)
                {
                    foreach (var (k, v) in Step(net, optimizer, kinds, train, orders, b, stage2, rng)) sums[k] = sums.GetValueOrDefault(k) + v;
                    progress.BatchCompleted(epoch, b + 1, batches, sums.ToDictionary(kv => kv.Key, kv => kv.Value / (b + 1)));
                }
                var losses = sums.ToDictionary(kv => kv.Key, kv => kv.Value / batches);
                TrainingDivergedException.ThrowIfNotFinite("FGCrossNet", epoch, losses);
                RecalibrateBatchNorm(net, kinds, train, batches, new Random(unchecked(options.Seed * 100_003 + epoch) ^ 0x5eed));

                double? valMap = null;
                if (hasValidation)
                {
                    var (map, chance, degenerate, directions) = Validate(net, kinds, val, valMedia);
                    valMap = map;
                    if (degenerate > 0)
                        progress.Message(string.Create(CultureInfo.InvariantCulture,
                            $"epoch {epoch}: {ResultRow.DegenerateNote} in {degenerate} of {directions} validation directions (chance mAP {chance:F4})"));
                    if (Selects(map, degenerate > 0, (state.BestEpoch, state.BestScore, state.BestDegenerate)))
                    {
                        state.BestScore = map;
                        state.BestDegenerate = degenerate > 0;
                        state.BestEpoch = epoch;
                        CopyState(net, best);
                    }
                }
                else
                {
                    state.BestEpoch = epoch;
                    CopyState(net, best);
                }
                var record = new EpochRecord(epoch, losses, valMap, stage2 ? "stage 2" : "stage 1", epochClock.Elapsed.TotalSeconds, lr);
                state.History.Add(record);
                state.Epoch = epoch;
                epochsThisRun++;
                progress.EpochCompleted(record, TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / epochsThisRun * (options.Epochs - epoch)));
                if (store is not null && options.CheckpointEvery > 0 && (epoch % options.CheckpointEvery == 0 || epoch == options.Epochs))
                    progress.Message($"checkpoint {store.Save(epoch, d => SaveCheckpoint(d, state, net, best, optimizer))}");
            }
        }
        finally
        {
            optimizer.Dispose();
        }
        if (hasValidation && state.BestDegenerate)
            progress.Message($"every epoch had a degenerate validation direction ({ResultRow.DegenerateNote}): the selected epoch {state.BestEpoch} is no real result");

        var final = config.CreateNetwork(initialise: false, out _);
        final.to(device);
        CopyState(best, final);
        return new FgCrossNetTrainingResult(new FgCrossNetModel(config, final, device) { Workers = options.Workers }, state.History.ToArray(),
            state.BestEpoch, hasValidation ? state.BestScore : double.NaN, report?.Summary, decoder.Problems.Select(p => p.ToString()).ToArray());
    }

    /// <summary>One optimisation step in its own dispose scope; returns the loss terms.</summary>
    internal Dictionary<string, double> Step(FgCrossNetNetwork net, SGD optimizer, MediaKind[] kinds, List<DecodedItem>[] train,
        long[][] orders, int b, bool stage2, Random rng)
    {
        using var scope = NewDisposeScope();
        var (pictures, labels) = MixedBatch(net, kinds, train, orders, b, rng);
        // One backbone pass over the concatenated batch (as the reference); cross-entropy per medium, summed.
        var all = net.EncodePictures(cat(pictures, 0));
        var allLabels = cat(labels, 0);
        var parts = all.split(pictures.Select(p => p.shape[0]).ToArray(), 0);
        var ce = parts.Zip(labels, (z, y) => nn.functional.cross_entropy(z, y)).Aggregate((x, y) => x.add(y, TorchScalars.One));
        var center = CenterLoss.Compute(all, allLabels, net.Centers, options.CenterWeight);
        var total = ce.add(center, TorchScalars.One);
        double ranking = 0;
        if (stage2 && options.RankingWeight > 0)
        {
            var r = QuadrupletLoss.Compute(all, allLabels);
            ranking = r.item<float>();
            using var weight = options.RankingWeight.ToScalar();
            total = total.add(r.mul(weight), TorchScalars.One);
        }
        optimizer.zero_grad();
        total.backward();
        optimizer.step();
        var result = new Dictionary<string, double> { ["ce"] = ce.item<float>(), ["center"] = center.item<float>(), ["total"] = total.item<float>() };
        if (stage2) result["ranking"] = ranking;
        return result;
    }

    /// <summary>Batch <paramref name="b"/> of every medium's epoch order as training pictures and labels, one entry per medium (concatenated, they are one backbone batch).</summary>
    private (List<Tensor> Pictures, List<Tensor> Labels) MixedBatch(FgCrossNetNetwork net, MediaKind[] kinds, List<DecodedItem>[] train,
        long[][] orders, int b, Random rng)
    {
        var pictures = new List<Tensor>();
        var labels = new List<Tensor>();
        for (int m = 0; m < train.Length; m++)
        {
            var items = EpochOrder.Batch(orders[m], b, options.BatchSize).Select(i => train[m][(int)i]).ToArray();
            labels.Add(tensor(items.Select(i => (long)i.Label).ToArray(), device: device));
            pictures.Add(FgCrossNetInputs.TrainingPictures(net, kinds[m], items, device, rng));
        }
        return (pictures, labels);
    }

    /// <summary>
    /// Re-estimates the batch-norm running statistics (<see cref="Models.Backbones.BatchNorm2d.Recalibrate"/>) over one pass of
    /// the epoch's kind of batches: every medium shuffled, cycled and concatenated exactly as in training (the
    /// spec's one batch of each medium per step), with its own generator so training's draws are unchanged.
    /// Eval mode then normalises each medium as the mixed training batches did.
    /// </summary>
    private void RecalibrateBatchNorm(FgCrossNetNetwork net, MediaKind[] kinds, List<DecodedItem>[] train, int batches, Random rng)
    {
        var orders = train.Select(t => EpochOrder.Permutation(rng, t.Count)).ToArray();
        Models.Backbones.BatchNorm2d.Recalibrate(net, () =>
        {
            for (int b = 0; b < batches; b++)
            {
                using var scope = NewDisposeScope();
                net.EncodePictures(cat(MixedBatch(net, kinds, train, orders, b, rng).Pictures, 0));
            }
        });
    }

    /// <summary>
    /// Mean mAP and mean chance level over every ordered pair of media with validation items (12 directions for four
    /// media), and how many of those directions are degenerate (<see cref="MapResult.Degenerate"/>).
    /// </summary>
    private (double Map, double Chance, int Degenerate, int Directions) Validate(FgCrossNetNetwork net, MediaKind[] kinds, List<DecodedItem>[] val, Medium[] valMedia)
    {
        // Files that failed to decode were reported and are left out with their labels.
        var embedded = Enumerable.Range(0, val.Length).Where(m => val[m].Count > 0)
            .Select(m => new EmbeddedMedium(valMedia[m].Name, FgCrossNetInputs.Embed(net, kinds[m], val[m], device), val[m].Select(i => i.Label).ToArray()))
            .ToArray();
        net.train();
        var directions = CrossMediaEvaluation.AllDirections(embedded);
        return (directions.Average(d => d.Result.Map), directions.Average(d => d.Result.Chance), directions.Count(d => d.Result.Degenerate), directions.Count);
    }

    /// <summary>Whether an epoch's validation result replaces the selected one (<see cref="EpochSelection"/>; epoch 0: none yet).</summary>
    internal static bool Selects(double map, bool degenerate, (int Epoch, double Map, bool Degenerate) selected) =>
        EpochSelection.Replaces(map, degenerate, selected.Epoch == 0 ? null : (selected.Map, selected.Degenerate));

    internal SGD NewOptimizer(FgCrossNetNetwork net) =>
        new(net.parameters(), options.LearningRate, options.Momentum);

    /// <summary>
    /// The settings that change what the epochs compute, named as the CLI options where one exists; a
    /// checkpoint resumes only under the same ones. Left out: the stage-2 epoch count (it only lengthens
    /// or shortens the run; the stage boundary and the step schedule hang on stage 1), decoding workers,
    /// checkpoint cadence and the decode-cache folder. The device and thread count are not settings of
    /// the run either (results may differ in the last bits across them, as between two devices).
    /// </summary>
    private Dictionary<string, string> Settings(Dataset data, FgCrossNetConfig config, Medium[] media)
    {
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        static string I(int x) => x.ToString(CultureInfo.InvariantCulture);
        return new()
        {
            ["dataset"] = data.Name,
            ["media"] = string.Join(",", config.MediumNames),
            ["classes"] = I(config.Classes),
            ["items"] = ResumeSettings.ItemsOf(media),
            ["backbone"] = config.Backbone,
            ["input-size"] = I(config.InputSize),
            ["resize-size"] = I(config.ResizeSize),
            ["frames"] = I(config.FramesPerVideo),
            // The file name, not its folder: an output folder may move to another machine.
            ["pretrained"] = config.Pretrained && config.Weights is { } w ? Path.GetFileName(Path.TrimEndingDirectorySeparator(w)) : "none",
            ["stage1-epochs"] = I(options.Stage1Epochs),
            ["batch-size"] = I(options.BatchSize),
            ["lr"] = F(options.LearningRate),
            ["momentum"] = F(options.Momentum),
            ["decay-every"] = I(options.DecayEvery),
            ["decay-factor"] = F(options.DecayFactor),
            ["center-weight"] = F(options.CenterWeight),
            ["ranking-weight"] = F(options.RankingWeight),
            ["seed"] = I(options.Seed),
        };
    }

    /// <summary>Copies parameters and buffers (batch-norm statistics) between networks of the same architecture.</summary>
    private static void CopyState(nn.Module from, nn.Module to)
    {
        using var _ = no_grad();
        var source = from.state_dict();
        foreach (var (name, target) in to.state_dict()) target.copy_(source[name]);
    }

    private static void SaveCheckpoint(string dir, TrainingState state, FgCrossNetNetwork net, FgCrossNetNetwork best, SGD optimizer)
    {
        net.save(Path.Combine(dir, NetworkFile));
        best.save(Path.Combine(dir, BestFile));
        optimizer.save_state_dict(Path.Combine(dir, OptimizerFile));
        File.WriteAllText(Path.Combine(dir, StateFile), JsonSerializer.Serialize(state, StateJson));
    }

    private static TrainingState LoadCheckpoint(string dir, IReadOnlyDictionary<string, string> settings, FgCrossNetNetwork net, FgCrossNetNetwork best, SGD optimizer)
    {
        var statePath = Path.Combine(dir, StateFile);
        TrainingState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(statePath), StateJson) ?? throw new InputException(statePath, "", "an FGCrossNet checkpoint state", "null");
        }
        catch (JsonException e)
        {
            throw new InputException(statePath, e.Path ?? "", "an FGCrossNet checkpoint state", e.Message, e);
        }
        // Checkpoints written before the settings were recorded carry none and are not checked.
        if (state.Settings is { } saved) ResumeSettings.Check(dir, saved, settings);
        try
        {
            CheckpointStore.Read(dir, NetworkFile, p => net.load(p));
            CheckpointStore.Read(dir, BestFile, p => best.load(p));
        }
        catch (ArgumentException e)
        {
            throw new InputException(dir, NetworkFile, "a network of the same architecture (same --backbone, --input-size, data)", e.Message, e);
        }
        CheckpointStore.Read(dir, OptimizerFile, optimizer.load_state_dict);
        return state;
    }

    /// <summary>Everything besides tensors that a checkpoint restores.</summary>
    private sealed class TrainingState
    {
        public int Epoch { get; set; }
        public int BestEpoch { get; set; }
        public double BestScore { get; set; } = double.NegativeInfinity;
        /// <summary>Whether the selected epoch's validation ranking was degenerate in some direction (false in older checkpoints).</summary>
        public bool BestDegenerate { get; set; }
        /// <summary>The settings a resumed run must share (<see cref="Settings"/>); null in older checkpoints.</summary>
        public Dictionary<string, string>? Settings { get; set; }
        public List<EpochRecord> History { get; set; } = [];
    }
}
