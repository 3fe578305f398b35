using System.Collections.Concurrent;
using System.Globalization;
using CrossMedia.Core;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CrossMedia.Cli;

/// <summary>
/// Long work on the console, tqdm-style. On a terminal: a live bar per named phase (name, bar,
/// percentage, count, rate, elapsed time, time left) with kept lines printed above the bars. When
/// the output is piped or captured: plain lines that are never wrapped (written past Spectre's
/// console width): one each time a phase passes a tenth of its total, and one when it ends.
/// </summary>
internal sealed class ConsoleProgress : IProgress<WorkProgress>
{
    private readonly IAnsiConsole _console;
    private readonly Dictionary<string, Phase> _phases = new(StringComparer.Ordinal);
    // Spectre renders the columns on its own thread: they find their phase here, never in the dictionary above.
    private readonly ConcurrentDictionary<ProgressTask, Phase> _byTask = new();
    private ProgressContext? _live;

    public ConsoleProgress(IAnsiConsole console) => _console = console;

    /// <summary>True on a terminal that shows live bars; false for piped or captured output.</summary>
    public bool Interactive => _console.Profile.Capabilities.Interactive && _console.Profile.Capabilities.Ansi;

    /// <summary>Runs <paramref name="work"/> inside the live display on a terminal (plainly otherwise).</summary>
    public T Run<T>(Func<T> work)
    {
        if (!Interactive || _live is not null) return work();
        return _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(),
                new CountColumn(this), new RateColumn(this), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn(), new PostfixColumn(this))
            .Start(ctx =>
            {
                _live = ctx;
                try
                {
                    return work();
                }
                finally
                {
                    _live = null;
                }
            });
    }

    /// <summary>A phase has come this far (its first report starts it; <c>Done == Total</c> ends it).</summary>
    public void Report(WorkProgress p) => Report(p, null);

    /// <summary>
    /// The same, with the live bar labelled <paramref name="label"/> instead of the phase's name (e.g. "train epoch 3/20") and
    /// <paramref name="postfix"/> after it (e.g. the current losses; cut short, never wrapped, on a narrow terminal).
    /// </summary>
    public void Report(WorkProgress p, string? label, string? postfix = null)
    {
        var now = DateTime.UtcNow;
        bool ends = p.Total > 0 && p.Done >= p.Total;
        if (_phases.TryGetValue(p.Phase, out var known) && known.Finished && ends) return; // said already
        if (!_phases.TryGetValue(p.Phase, out var phase) || phase.Finished)
        {
            _phases[p.Phase] = phase = new Phase(p.Unit, now, _live?.AddTask(Markup.Escape(label ?? p.Phase), maxValue: Math.Max(1, p.Total)));
            if (phase.Task is { } added) _byTask[added] = phase;
        }
        phase.Unit = p.Unit;
        if (postfix is not null) phase.Postfix = postfix;
        if (phase.Task is { } task)
        {
            task.MaxValue = Math.Max(1, p.Total);
            task.Value = p.Done;
            if (label is not null) task.Description = Markup.Escape(label);
            if (ends) task.StopTask();
        }
        else if (p.Total > 0)
        {
            int tenth = (int)Math.Min(10, p.Done * 10 / p.Total);
            if (tenth > phase.Tenth || ends)
            {
                phase.Tenth = tenth;
                Plain(PlainLine(p, now - phase.Started));
            }
        }
        if (ends) phase.Finished = true;
    }

    /// <summary>The line a piped phase report prints: a step on the way, or the phase's end with its mean rate.</summary>
    internal static string PlainLine(WorkProgress p, TimeSpan elapsed)
    {
        double seconds = Math.Max(elapsed.TotalSeconds, 1e-3);
        double rate = p.Done / seconds;
        if (p.Done >= p.Total)
            return Invariant($"{p.Phase}: {p.Total} {p.Unit} in {Clock(elapsed)} ({Rate(rate, p.Unit)})");
        var eta = rate > 0 ? Clock(TimeSpan.FromSeconds((p.Total - p.Done) / rate)) : "?";
        return Invariant($"{p.Phase}: {p.Done}/{p.Total} {p.Unit} ({100.0 * p.Done / p.Total:F0}%), {Rate(rate, p.Unit)}, elapsed {Clock(elapsed)}, eta {eta}");
    }

    /// <summary>A kept line: above the live bars on a terminal, a plain unwrapped line otherwise.</summary>
    public void Line(string text)
    {
        if (Interactive) _console.MarkupLine(Markup.Escape(text));
        else Plain(text);
    }

    /// <summary>Writes straight to the console's writer: Spectre would wrap a long line at its width and split tokens.</summary>
    private void Plain(string text)
    {
        _console.Profile.Out.Writer.WriteLine(text);
        _console.Profile.Out.Writer.Flush();
    }

    /// <summary>h:mm:ss, or m:ss under an hour.</summary>
    internal static string Clock(TimeSpan t) => t.TotalHours >= 1
        ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    internal static string Rate(double perSecond, string unit) => perSecond >= 1 || perSecond == 0
        ? Invariant($"{perSecond:F1} {unit}/s")
        : Invariant($"{1 / perSecond:F1} s/{Singular(unit)}");

    private static string Singular(string unit) => unit.EndsWith("es", StringComparison.Ordinal) && unit.Length > 4 && unit[^3] is 'h' ? unit[..^2]
        : unit.EndsWith('s') ? unit[..^1] : unit;

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private Phase? PhaseOf(ProgressTask task) => _byTask.GetValueOrDefault(task);

    private string UnitOf(ProgressTask task) => PhaseOf(task)?.Unit ?? "items";

    private sealed class Phase(string unit, DateTime started, ProgressTask? task)
    {
        public string Unit { get; set; } = unit;
        public DateTime Started { get; } = started;
        public ProgressTask? Task { get; } = task;
        public string Postfix { get; set; } = "";
        public int Tenth { get; set; }
        public bool Finished { get; set; }
    }

    /// <summary>"120/480 files".</summary>
    private sealed class CountColumn(ConsoleProgress owner) : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(Invariant($"{task.Value:F0}/{task.MaxValue:F0} {owner.UnitOf(task)}"));
    }

    /// <summary>"14.2 files/s" (or "3.1 s/batch" when slower than one a second).</summary>
    private sealed class RateColumn(ConsoleProgress owner) : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } s ? Rate(s, owner.UnitOf(task)) : "", new Style(Color.Grey));
    }

    /// <summary>
    /// What the phase adds after its bar (training: the epoch's running losses), in the width the other columns leave
    /// (about <see cref="Reserved"/> characters), cut with an ellipsis: the other columns never wrap for it.
    /// </summary>
    private sealed class PostfixColumn(ConsoleProgress owner) : ProgressColumn
    {
        private const int Reserved = 100;

        protected override bool NoWrap => true;

        public override int? GetColumnWidth(RenderOptions options) => Math.Max(1, options.ConsoleSize.Width - Reserved);

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var text = owner.PhaseOf(task)?.Postfix ?? "";
            int width = GetColumnWidth(options)!.Value;
            return new Text(text.Length <= width ? text : width < 8 ? "" : text[..(width - 1)] + "…", new Style(Color.Grey));
        }
    }
}
