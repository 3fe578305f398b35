using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CrossMedia.Evaluation;

namespace CrossMedia.Training;

/// <summary>
/// What a method plugs into <see cref="TrainingLoop"/>: it runs an epoch, validates, keeps a copy of its
/// current state as the best one, and saves and loads its tensors. The loop never sees the model.
/// </summary>
internal interface IEpochTrainer
{
    /// <summary>The method's name in messages ("JFSE", "FGCrossNet").</summary>
    string Name { get; }

    /// <summary>The settings that shape what the epochs compute (<see cref="ResumeSettings"/>): a checkpoint resumes only under the same.</summary>
    IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The settings of a checkpoint that holds an options string (<see cref="TrainingState.Fingerprint"/>) instead of settings; null: not checked.</summary>
    Dictionary<string, string>? SettingsOfFingerprint(string fingerprint) => null;

    /// <summary>Called once after a resume (or none): reads the data. Returns the batches of an epoch and whether there is validation data.</summary>
    (int BatchesPerEpoch, bool CanValidate) Prepare(CancellationToken cancel);

    /// <summary>Trains one epoch; <paramref name="batchDone"/> after each batch (1-based), with each loss's mean over the epoch's batches so far.</summary>
    EpochOutcome RunEpoch(EpochContext epoch, Action<int, IReadOnlyDictionary<string, double>> batchDone, CancellationToken cancel);

    /// <summary>Validates the current state (after <see cref="RunEpoch"/> of <paramref name="epoch"/>).</summary>
    ValidationOutcome Validate(int epoch);

    /// <summary>Copies the current state (parameters and buffers) into the best state.</summary>
    void KeepBest();

    /// <summary>Writes the current and best tensors and the optimiser state into a checkpoint folder.</summary>
    void SaveState(string directory);

    /// <summary>Reads what <see cref="SaveState"/> wrote.</summary>
    void LoadState(string directory);
}

/// <summary>
/// An epoch's number and its random streams: each stream's seed is a fixed function of (seed, epoch, stream),
/// so the random state at an epoch boundary needs no saving and a resumed run draws what the uninterrupted one would.
/// </summary>
internal readonly record struct EpochContext(int Epoch, int Seed)
{
    /// <summary>A generator seed for <paramref name="stream"/> (e.g. a libtorch generator).</summary>
    public ulong SeedOf(int stream) => TrainingLoop.Mix(Seed, Epoch, stream);

    /// <summary>A .NET generator for <paramref name="stream"/>.</summary>
    public Random RandomOf(int stream) => new((int)(SeedOf(stream) & int.MaxValue));
}

/// <param name="Losses">Mean loss per named term over the epoch's batches.</param>
/// <param name="Schedule">The epoch's scheduled coefficient, kept in history.json's <c>grl_lambda</c> (JFSE: the gradient-reversal λ; FGCrossNet: the learning rate).</param>
/// <param name="Note">What history.json's <c>post_processing</c> holds when validation chose nothing (FGCrossNet: the stage).</param>
internal sealed record EpochOutcome(IReadOnlyDictionary<string, double> Losses, double Schedule, string? Note = null);

/// <param name="Score">Validation mAP; null when there is no validation data.</param>
/// <param name="Degenerate">Whether the ranking behind <paramref name="Score"/> is degenerate (<see cref="MapResult.Degenerate"/>).</param>
/// <param name="Choice">What validation chose beside the epoch (JFSE: the post-processing), kept with the selection.</param>
/// <param name="DegenerateDetail">Where the ranking was degenerate, for the message.</param>
/// <param name="AtChance">Whether some direction behind <paramref name="Score"/> ranks no better than chance (<see cref="MapResult.AtChance"/>).</param>
/// <param name="Probe">The reference protocol's test-selected score of this evaluation (JFSE on request); the loop keeps the highest.</param>
internal sealed record ValidationOutcome(double? Score, bool Degenerate = false, string? Choice = null, string? DegenerateDetail = null, double? Probe = null, double? Chance = null, bool AtChance = false);

/// <summary>How long the loop runs and how often it validates and checkpoints.</summary>
/// <param name="EvalEvery">Validate every this many epochs and after the last.</param>
/// <param name="Patience">Stop after this many validations without improvement; 0 = never.</param>
/// <param name="CheckpointEvery">Checkpoint every this many epochs, after the last and after an early stop; 0 = never.</param>
/// <param name="Seed">Seed of the epochs' random streams (<see cref="EpochContext"/>).</param>
internal sealed record LoopSchedule(int Epochs, int EvalEvery, int Patience, int CheckpointEvery, int Seed);

/// <summary>Everything besides tensors that a checkpoint restores (state.json), for every method.</summary>
internal sealed class TrainingState
{
    public int Epoch { get; set; }
    public int BestEpoch { get; set; }
    /// <summary>Null until the first validation (JSON has no −∞).</summary>
    public double? BestScore { get; set; }
    /// <summary>What validation chose with the selected epoch (<see cref="ValidationOutcome.Choice"/>).</summary>
    [JsonPropertyName("best_post")] public string? BestChoice { get; set; }
    /// <summary>Whether the selected validation ranking was degenerate (false when the checkpoint does not say).</summary>
    public bool BestDegenerate { get; set; }
    /// <summary>Whether some validation direction of the selected epoch ranked no better than chance (false when not recorded).</summary>
    public bool BestAtChance { get; set; }
    public int EvalsWithoutImprovement { get; set; }
    public bool Stopped { get; set; }
    /// <summary>The highest <see cref="ValidationOutcome.Probe"/> so far.</summary>
    public double? TestSelected { get; set; }
    /// <summary>The settings a resumed run must share (<see cref="IEpochTrainer.Settings"/>); null when the checkpoint holds none.</summary>
    public Dictionary<string, string>? Settings { get; set; }
    /// <summary>The options as one JSON string, which JFSE checkpoints without <see cref="Settings"/> hold; read, never written.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Fingerprint { get; set; }
    public List<EpochRecord> History { get; set; } = [];
}

/// <summary>What <see cref="TrainingLoop.Run"/> ends with: the selection and the history.</summary>
/// <param name="CanValidate">Whether there was validation data (else the last epoch is selected).</param>
internal sealed record TrainingOutcome(TrainingState State, bool CanValidate)
{
    public IReadOnlyList<EpochRecord> History => State.History;
    public int SelectedEpoch => State.BestEpoch;
    /// <summary>Validation mAP of the selection; NaN without validation data.</summary>
    public double ValidationMap => CanValidate ? State.BestScore ?? double.NaN : double.NaN;
    public int EpochsRun => State.Epoch;
    public bool StoppedEarly => State.Stopped;
}

/// <summary>
/// The one training selection loop of every trained method: epochs with seeded random streams, validation
/// every <see cref="LoopSchedule.EvalEvery"/> epochs, keep-best by <see cref="EpochSelection"/> (a degenerate
/// validation ranking is never selected while a real one exists, and is reported), patience, crash-safe
/// checkpoints (<see cref="CheckpointStore"/>) and exact resume. The method (<see cref="IEpochTrainer"/>) trains,
/// validates and copies its state; the loop decides.
/// </summary>
internal static class TrainingLoop
{
    public const string StateFile = "state.json";

    private static readonly JsonSerializerOptions StateJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>The other checkpoint state spelling that resumes: PascalCase names, −∞ as a named literal (FGCrossNet checkpoints).</summary>
    private static readonly JsonSerializerOptions OlderStateJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <param name="store">Where checkpoints go; null: none (and no resume).</param>
    /// <param name="resume">Continue from the newest checkpoint in <paramref name="store"/> when there is one.</param>
    public static TrainingOutcome Run(IEpochTrainer trainer, LoopSchedule schedule, CheckpointStore? store, bool resume,
        ITrainingProgress progress, CancellationToken cancel)
    {
        var state = new TrainingState { Settings = new(trainer.Settings) };
        if (resume)
        {
            // Checked and loaded before the method reads its data, so a refused resume fails at once.
            if (store?.Latest() is { } latest)
            {
                state = Load(latest, trainer);
                progress.Message($"resumed from {latest} after epoch {state.Epoch}");
            }
            else progress.Message("no checkpoint to resume from; starting at epoch 1");
        }

        var (batches, canValidate) = trainer.Prepare(cancel);
        if (!canValidate) progress.Message("no validation data: the last epoch is used (no selection possible)");
        progress.Started(state.Epoch + 1, schedule.Epochs, batches, state.BestScore);
        var clock = Stopwatch.StartNew();
        int epochsThisRun = 0;
        for (int epoch = state.Epoch + 1; epoch <= schedule.Epochs && !state.Stopped; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            var epochClock = Stopwatch.StartNew();
            int current = epoch;
            var outcome = trainer.RunEpoch(new EpochContext(epoch, schedule.Seed), (b, losses) => progress.BatchCompleted(current, b, batches, losses), cancel);
            TrainingDivergedException.ThrowIfNotFinite(trainer.Name, epoch, outcome.Losses);

            double? validationMap = null, validationChance = null;
            string? choice = null;
            if (epoch % schedule.EvalEvery == 0 || epoch == schedule.Epochs)
            {
                var v = trainer.Validate(epoch);
                if (v.Score is { } score && canValidate)
                {
                    validationMap = score;
                    validationChance = v.Chance is { } c && double.IsFinite(c) ? c : null; // JSON has no NaN
                    choice = v.Choice;
                    Select(trainer, state, epoch, score, v, progress);
                }
                if (v.Probe is { } probe) state.TestSelected = Math.Max(state.TestSelected ?? double.MinValue, probe);
            }
            if (!canValidate)
            {
                state.BestEpoch = epoch;
                trainer.KeepBest();
            }

            var record = new EpochRecord(epoch, outcome.Losses, validationMap, choice ?? outcome.Note, epochClock.Elapsed.TotalSeconds, outcome.Schedule, validationChance);
            state.History.Add(record);
            state.Epoch = epoch;
            epochsThisRun++;
            if (canValidate && schedule.Patience > 0 && state.EvalsWithoutImprovement >= schedule.Patience)
            {
                state.Stopped = true;
                progress.Message($"early stop after epoch {epoch}: no validation improvement in {schedule.Patience} evaluations (best epoch {state.BestEpoch})");
            }
            TimeSpan? eta = state.Stopped ? TimeSpan.Zero : TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / epochsThisRun * (schedule.Epochs - epoch));
            progress.EpochCompleted(record, eta);

            if (store is not null && schedule.CheckpointEvery > 0 && (epoch % schedule.CheckpointEvery == 0 || epoch == schedule.Epochs || state.Stopped))
                progress.Message($"checkpoint {store.Save(epoch, d => Save(d, state, trainer))}");
        }

        if (canValidate && state.BestDegenerate)
            progress.Message($"every validation was degenerate ({ResultRow.DegenerateNote}): the selected epoch {state.BestEpoch} is no real result");
        else if (canValidate && state.BestAtChance)
            progress.Message($"warning: the selected epoch {state.BestEpoch} ranks some validation direction no better than chance ({ResultRow.AtChanceNote})");
        return new TrainingOutcome(state, canValidate);
    }

    /// <summary>Keep-best: whether this validation replaces the selection (<see cref="EpochSelection"/>), said aloud when degenerate.</summary>
    private static void Select(IEpochTrainer trainer, TrainingState state, int epoch, double score, ValidationOutcome v, ITrainingProgress progress)
    {
        (double, bool)? selected = state.BestScore is { } best ? (best, state.BestDegenerate) : null;
        bool replaces = double.IsFinite(score) && EpochSelection.Replaces(score, v.Degenerate, selected);
        if (v.Degenerate)
        {
            var what = string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}: validation mAP {score:F4} is {ResultRow.DegenerateNote}{(v.DegenerateDetail is { } d ? $" ({d})" : "")}");
            progress.Message(replaces
                ? $"{what}; selected only until an epoch ranks for real"
                : $"{what}; not selected{(selected is { Item2: false } ? $", epoch {state.BestEpoch} stays" : "")}");
        }
        if (replaces)
        {
            state.BestScore = score;
            state.BestDegenerate = v.Degenerate;
            state.BestAtChance = v.AtChance;
            state.BestEpoch = epoch;
            state.BestChoice = v.Choice;
            state.EvalsWithoutImprovement = 0;
            trainer.KeepBest();
        }
        else state.EvalsWithoutImprovement++;
    }

    private static void Save(string directory, TrainingState state, IEpochTrainer trainer)
    {
        trainer.SaveState(directory);
        File.WriteAllText(Path.Combine(directory, StateFile), JsonSerializer.Serialize(state, StateJson));
    }

    /// <summary>Reads a checkpoint's state, refuses other settings (naming them), then loads the method's tensors.</summary>
    private static TrainingState Load(string directory, IEpochTrainer trainer)
    {
        var path = Path.Combine(directory, StateFile);
        TrainingState state;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path));
            bool older = node is JsonObject o && o.ContainsKey("Epoch");
            state = node.Deserialize<TrainingState>(older ? OlderStateJson : StateJson)
                    ?? throw new InputException(path, "", $"a {trainer.Name} checkpoint state", "null");
        }
        catch (JsonException e)
        {
            throw new InputException(path, e.Path ?? "", $"a {trainer.Name} checkpoint state", e.Message, e);
        }
        if (state.BestScore is { } s && !double.IsFinite(s)) state.BestScore = null;
        var saved = state.Settings ?? (state.Fingerprint is { } f ? trainer.SettingsOfFingerprint(f) : null);
        if (saved is not null) ResumeSettings.Check(directory, saved, trainer.Settings);
        state.Settings = new(trainer.Settings); // a checkpoint without settings gets them with the next save
        state.Fingerprint = null;
        trainer.LoadState(directory);
        return state;
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
}
