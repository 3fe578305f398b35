using CrossMedia.Data;
using CrossMedia.Evaluation;
using Spectre.Console;

namespace CrossMedia.Cli;

/// <summary>
/// Renders result rows as one table per split and subset: query × gallery with the mAP, the chance level
/// (a random ranking's expected mAP) and the average; a degenerate ranking or one at chance is marked beside its mAP.
/// </summary>
internal static class ResultsTable
{
    public static void Write(IAnsiConsole console, IReadOnlyList<ResultRow> rows, string title)
    {
        foreach (var group in rows.GroupBy(r => (r.Split, r.Subset)))
        {
            // A heading line rather than a table title, which would wrap at the table's width.
            console.MarkupLine($"[bold]{Markup.Escape(title)}[/] — {group.Key.Split.Name()}, {group.Key.Subset.Name()}");
            // Bi-modal directions and X → All in separate tables, as the FGCrossNet paper reports them.
            var bi = group.Where(r => !r.ToAllMedia).ToList();
            var all = group.Where(r => r.ToAllMedia).ToList();
            if (bi.Count > 0) console.Write(Table(bi, "average"));
            if (all.Count > 0) console.Write(Table(all, "average X → all"));
        }
    }

    private static Table Table(IReadOnlyList<ResultRow> rows, string averageLabel)
    {
        bool chance = rows.Any(r => r.Chance is not null);
        var table = new Table().AddColumn("query → gallery").AddColumn(new TableColumn("mAP").RightAligned());
        if (chance) table.AddColumn(new TableColumn("chance").RightAligned());
        string[] Cells(string direction, string map, double? level) =>
            chance ? [direction, map, level is { } c ? c.ToString("F4") : ""] : [direction, map];
        foreach (var r in rows)
        {
            var map = r.Note is { } note ? $"{r.Map:F4} [yellow]({Markup.Escape(note)})[/]" : r.Map.ToString("F4");
            table.AddRow(Cells($"{Markup.Escape(r.Query)} → {Markup.Escape(r.Gallery)}", map, r.Chance));
        }
        if (rows.Count > 1)
        {
            double? level = rows.All(r => r.Chance is not null) ? rows.Average(r => r.Chance!.Value) : null;
            table.AddRow(Cells($"[bold]{Markup.Escape(averageLabel)}[/]", $"[bold]{rows.Average(r => r.Map):F4}[/]", level));
        }
        return table;
    }
}
