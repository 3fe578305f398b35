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
/// Trains FGCrossNet (docs/methods/fgcrossnet.md) on the Train split of a file dataset and selects the
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
/// Epochs, selection, patience and checkpoints are the shared <see cref="TrainingLoop"/>'s.
/// Reproducibility: initialisation from the seed; batch order and augmentation of an epoch come from
/// generators seeded by (seed, epoch, stream), so a resumed run continues exactly as an uninterrupted one: a
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

    private readonly FgCrossNetTrainingOptions _options;
    private readonly Device _device;
    private readonly ITrainingProgress _progress;

    public FgCrossNetTrainer(FgCrossNetTrainingOptions options, Device? device = null, ITrainingProgress? progress = null)
    {
        options.Validate();
        _options = options;
        _device = device ?? CPU;
        _progress = progress ?? NullTrainingProgress.Instance;
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

        manual_seed(_options.Seed);
        using var net = config.CreateNetwork(initialise: true, out var report);
        if (report is not null) _progress.Message($"pretrained {config.Backbone}: {report.Summary}");
        using var best = config.CreateNetwork(initialise: false, out _);
        net.to(_device);
        best.to(_device);
        ModuleState.Copy(net, best);

        using var epochs = new Epochs(this, data.Name, config, media, net, best, Settings(data, config, media));
        var store = checkpointDirectory is null ? null : new CheckpointStore(checkpointDirectory);
        var outcome = TrainingLoop.Run(epochs, new LoopSchedule(_options.Epochs, EvalEvery: 1, _options.Patience, _options.CheckpointEvery, _options.Seed),
            store, resume, _progress, cancel);

        var final = config.CreateNetwork(initialise: false, out _);
        final.to(_device);
        ModuleState.Copy(best, final);
        return new FgCrossNetTrainingResult(new FgCrossNetModel(config, final, _device) { Workers = _options.Workers }, outcome.History.ToArray(),
            outcome.SelectedEpoch, outcome.ValidationMap, report?.Summary, epochs.Problems, outcome.StoppedEarly);
    }

    /// <summary>
    /// FGCrossNet in the shared loop. Each medium's train and validation files are decoded once, in parallel
    /// (<see cref="MediaDecoder"/>), into memory. An epoch: the stage's learning rate, every medium shuffled
    /// (stream 1: order and augmentation), the steps, then the batch-norm statistics re-estimated (stream 2);
    /// stage 2 restarts from the stage-1 selection with a fresh optimiser. Validation: every bi-modal direction.
    /// </summary>
    private sealed class Epochs(FgCrossNetTrainer trainer, string dataName, FgCrossNetConfig config, Medium[] media,
        FgCrossNetNetwork net, FgCrossNetNetwork best, Dictionary<string, string> settings) : IEpochTrainer, IDisposable
    {
        private readonly FgCrossNetTrainingOptions _options = trainer._options;
        private readonly MediaKind[] _kinds = media.Select(FgCrossNetInputs.KindOf).ToArray();
        private SGD _optimizer = trainer.NewOptimizer(net);
        private List<DecodedItem>[] _train = [];
        private List<DecodedItem>[] _val = [];
        private Medium[] _valMedia = [];
        private int _batches;

        public string Name => "FGCrossNet";
        public IReadOnlyDictionary<string, string> Settings => settings;
        public IReadOnlyList<string> Problems { get; private set; } = [];

        public (int BatchesPerEpoch, bool CanValidate) Prepare(CancellationToken cancel)
        {
            // Decode every medium once (train and validation), in parallel with libtorch's threads idle.
            var decoder = new MediaDecoder(config.DecoderOptions(net.Backbone.Normalization, _options.Workers, _options.DecodeCache));
            var clock = Stopwatch.StartNew();
            _train = new List<DecodedItem>[media.Length];
            _val = new List<DecodedItem>[media.Length];
            _valMedia = new Medium[media.Length];
            long files = media.Sum(m => (long)m.RowsOf(Split.Train).Length + m.RowsOf(Split.Val).Length);
            var progress = trainer._progress;
            var decoding = new SynchronousProgress<int>(_ => progress.Phase(new WorkProgress("decode", decoder.Attempted, files, "files")));
            progress.Phase(new WorkProgress("decode", 0, files, "files")); // starts the phase's clock before the first file is done
            for (int m = 0; m < media.Length; m++)
            {
                _train[m] = FgCrossNetInputs.DecodeAll(decoder, media[m], media[m].RowsOf(Split.Train), cancel, decoding);
                _valMedia[m] = media[m].Select(Split.Val);
                _val[m] = FgCrossNetInputs.DecodeAll(decoder, _valMedia[m], null, cancel, decoding);
                if (_train[m].Count < 2) throw new InputException(dataName, $"{media[m].Name} train split", "at least 2 decodable items", _train[m].Count.ToString());
            }
            progress.Phase(new WorkProgress("decode", files, files, "files")); // the last files may have been skipped
            foreach (var p in decoder.Problems) trainer._progress.Message($"skipped {p}");
            trainer._progress.Message($"decoded {decoder.Attempted} files in {clock.Elapsed.TotalSeconds:F1} s ({string.Join(", ", media.Select((m, i) => $"{m.Name} {_train[i].Count}+{_val[i].Count}"))})");
            Problems = decoder.Problems.Select(p => p.ToString()).ToArray();
            _batches = (_train.Max(t => t.Count) + _options.BatchSize - 1) / _options.BatchSize;
            // Fewer than two media with validation items: nothing to rank across.
            return (_batches, _val.Count(v => v.Count > 0) >= 2);
        }

        public EpochOutcome RunEpoch(EpochContext epoch, Action<int, IReadOnlyDictionary<string, double>> batchDone, CancellationToken cancel)
        {
            bool stage2 = epoch.Epoch > _options.Stage1Epochs;
            if (stage2 && epoch.Epoch == _options.Stage1Epochs + 1 && _options.Stage1Epochs > 0)
            {
                // Stage 2 starts from the stage-1 selection with a fresh optimiser (the reference restarts its script).
                ModuleState.Copy(best, net);
                _optimizer.Dispose();
                _optimizer = trainer.NewOptimizer(net);
            }
            int epochInStage = stage2 ? epoch.Epoch - _options.Stage1Epochs : epoch.Epoch;
            double lr = _options.LearningRate * Math.Pow(_options.DecayFactor, (epochInStage - 1) / _options.DecayEvery);
            foreach (var g in _optimizer.ParamGroups) g.LearningRate = lr;

            var rng = epoch.RandomOf(1);
            var orders = _train.Select(t => EpochOrder.Permutation(rng, t.Count)).ToArray();
            var sums = new Dictionary<string, double>();
            net.train();
            for (int b = 0; b < _batches; b++)
            {
                foreach (var (k, v) in trainer.Step(net, _optimizer, _kinds, _train, orders, b, stage2, rng)) sums[k] = sums.GetValueOrDefault(k) + v;
                batchDone(b + 1, sums.ToDictionary(kv => kv.Key, kv => kv.Value / (b + 1)));
            }
            var losses = sums.ToDictionary(kv => kv.Key, kv => kv.Value / _batches);
            // A diverged epoch is reported by the loop before its statistics would be re-estimated from non-finite weights.
            if (losses.Values.All(double.IsFinite)) trainer.RecalibrateBatchNorm(net, _kinds, _train, _batches, epoch.RandomOf(2));
            return new EpochOutcome(losses, lr, stage2 ? "stage 2" : "stage 1");
        }

        public ValidationOutcome Validate(int epoch)
        {
            if (_val.Count(v => v.Count > 0) < 2) return new ValidationOutcome(null);
            var (map, chance, degenerate, directions, atChance) = trainer.Validate(net, _kinds, _val, _valMedia);
            return new ValidationOutcome(map, degenerate > 0, null,
                string.Create(CultureInfo.InvariantCulture, $"in {degenerate} of {directions} directions, chance mAP {chance:F4}"), Chance: chance, AtChance: atChance);
        }

        public void KeepBest() => ModuleState.Copy(net, best);

        public void SaveState(string dir)
        {
            net.save(Path.Combine(dir, NetworkFile));
            best.save(Path.Combine(dir, BestFile));
            _optimizer.save_state_dict(Path.Combine(dir, OptimizerFile));
        }

        public void LoadState(string dir)
        {
            try
            {
                CheckpointStore.Read(dir, NetworkFile, p => net.load(p));
                CheckpointStore.Read(dir, BestFile, p => best.load(p));
            }
            catch (ArgumentException e)
            {
                throw new InputException(dir, NetworkFile, "a network of the same architecture (same backbone, input size and data)", e.Message, e);
            }
            CheckpointStore.Read(dir, OptimizerFile, _optimizer.load_state_dict);
        }

        public void Dispose() => _optimizer.Dispose();
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
        var center = CenterLoss.Compute(all, allLabels, net.Centers, _options.CenterWeight);
        var total = ce.add(center, TorchScalars.One);
        double ranking = 0;
        if (stage2 && _options.RankingWeight > 0)
        {
            var r = QuadrupletLoss.Compute(all, allLabels);
            ranking = r.item<float>();
            using var weight = _options.RankingWeight.ToScalar();
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
            var items = EpochOrder.Batch(orders[m], b, _options.BatchSize).Select(i => train[m][(int)i]).ToArray();
            labels.Add(tensor(items.Select(i => (long)i.Label).ToArray(), device: _device));
            pictures.Add(FgCrossNetInputs.TrainingPictures(net, kinds[m], items, _device, rng));
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
    private (double Map, double Chance, int Degenerate, int Directions, bool AtChance) Validate(FgCrossNetNetwork net, MediaKind[] kinds, List<DecodedItem>[] val, Medium[] valMedia)
    {
        // Files that failed to decode were reported and are left out with their labels.
        var embedded = Enumerable.Range(0, val.Length).Where(m => val[m].Count > 0)
            .Select(m => new EmbeddedMedium(valMedia[m].Name, FgCrossNetInputs.Embed(net, kinds[m], val[m], _device), val[m].Select(i => i.Label).ToArray()))
            .ToArray();
        net.train();
        var directions = CrossMediaEvaluation.AllDirections(embedded);
        return (directions.Average(d => d.Result.Map), directions.Average(d => d.Result.Chance), directions.Count(d => d.Result.Degenerate), directions.Count,
            directions.Any(d => d.Result.AtChance));
    }

    internal SGD NewOptimizer(FgCrossNetNetwork net) =>
        new(net.parameters(), _options.LearningRate, _options.Momentum);

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
            ["stage1-epochs"] = I(_options.Stage1Epochs),
            ["batch-size"] = I(_options.BatchSize),
            ["lr"] = F(_options.LearningRate),
            ["momentum"] = F(_options.Momentum),
            ["decay-every"] = I(_options.DecayEvery),
            ["decay-factor"] = F(_options.DecayFactor),
            ["center-weight"] = F(_options.CenterWeight),
            ["ranking-weight"] = F(_options.RankingWeight),
            ["seed"] = I(_options.Seed),
        };
    }
}
