using CrossMedia.Evaluation;
using Spectre.Console;

namespace CrossMedia.Cli;

/// <summary>Renders result rows as one table per split and subset: query × gallery with the mAP, and the average.</summary>
internal static class ResultsTable
{
    public static void Write(IAnsiConsole console, IReadOnlyList<ResultRow> rows, string title)
    {
        foreach (var group in rows.GroupBy(r => (r.Split, r.Subset)))
        {
            // A heading line rather than a table title, which would wrap at the table's width.
            console.MarkupLine($"[bold]{Markup.Escape(title)}[/] — {group.Key.Split}, {group.Key.Subset}");
            // Bi-modal directions and X → All in separate tables, as the FGCrossNet paper reports them.
            var bi = group.Where(r => r.Gallery != "all").ToList();
            var all = group.Where(r => r.Gallery == "all").ToList();
            if (bi.Count > 0) console.Write(Table(bi, "average"));
            if (all.Count > 0) console.Write(Table(all, "average X → all"));
        }
    }

    private static Table Table(IReadOnlyList<ResultRow> rows, string averageLabel)
    {
        var table = new Table().AddColumn("query → gallery").AddColumn(new TableColumn("mAP").RightAligned());
        foreach (var r in rows)
            table.AddRow($"{Markup.Escape(r.Query)} → {Markup.Escape(r.Gallery)}", r.Map.ToString("F4"));
        if (rows.Count > 1) table.AddRow($"[bold]{Markup.Escape(averageLabel)}[/]", $"[bold]{rows.Average(r => r.Map):F4}[/]");
        return table;
    }
}
