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
            var table = new Table().AddColumn("query → gallery").AddColumn(new TableColumn("mAP").RightAligned());
            foreach (var r in group)
                table.AddRow($"{Markup.Escape(r.Query)} → {Markup.Escape(r.Gallery)}", r.Map.ToString("F4"));
            var bi = group.Where(r => r.Gallery != "all").Select(r => r.Map).ToList();
            if (bi.Count > 1) table.AddRow("[bold]average[/]", $"[bold]{bi.Average():F4}[/]");
            var all = group.Where(r => r.Gallery == "all").Select(r => r.Map).ToList();
            if (all.Count > 1) table.AddRow("[bold]average X → all[/]", $"[bold]{all.Average():F4}[/]");
            console.Write(table);
        }
    }
}
