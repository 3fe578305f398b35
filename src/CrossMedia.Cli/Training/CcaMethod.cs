using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMedia.Models;
using CrossMedia.Models.Cca;
using CrossMedia.Training;
using Spectre.Console;

namespace CrossMedia.Cli.Training;

/// <summary>
/// `--method cca`: regularised CCA between the dataset's media of feature vectors (multi-set CCA for more than
/// two; --media chooses them); ridge, dimensions and weighting chosen on validation.
/// </summary>
internal sealed class CcaMethod : ITrainMethod
{
    /// <summary>Replaced by the shared --media; kept hidden so that old command lines get a pointer instead of "unrecognized".</summary>
    private readonly Option<string?> _removedMedia = new("--cca-media") { Hidden = true };
    private readonly Option<double?> _regularisation = new("--cca-reg") { Description = "cca: fixed ridge relative to the mean covariance eigenvalue (default: chosen on validation from 1e-8..1e4, half decades)." };
    private readonly Option<double?> _power = new("--cca-power") { Description = "cca: fixed power of the canonical correlations scaling each dimension (default: 0 or 1, chosen on validation)." };
    private readonly Option<int?> _dimensions = new("--cca-dim") { Description = "cca: fixed number of canonical dimensions, 0 = all (default: chosen on validation from 1, 2, 4, ... and all)." };
    private readonly Option<string> _input = new("--cca-input")
    {
        Description = "cca: input normalisation, stored in the model and applied to every item it embeds: l2 (unit-length items), zscore (standardised features) or none.",
        DefaultValueFactory = _ => "l2",
    };

    public CcaMethod() => _input.AcceptOnlyFromAmong("l2", "zscore", "none");

    public string Name => "cca";
    public IReadOnlyList<Option> Options => [_removedMedia, _regularisation, _power, _dimensions, _input];

    public IEmbeddingModel Train(TrainContext context)
    {
        var p = context.Parse;
        if (p.GetValue(_removedMedia) is { } removed)
            throw new InputException("--cca-media", "", "--media a,b,... (the option every command shares; --cca-media was removed)", InputException.Excerpt(removed));
        if (p.GetValue(_dimensions) is < 0)
            throw new InputException("--cca-dim", "", "0 (all) or a positive number of dimensions", p.GetValue(_dimensions).ToString()!);
        var input = p.GetValue(_input) switch { "zscore" => CcaInput.ZScore, "none" => CcaInput.None, _ => CcaInput.L2 };
        var search = new CcaSearch(p.GetValue(_regularisation), p.GetValue(_dimensions), p.GetValue(_power), input);
        var result = CcaTrainer.Fit(context.TrainingSet, null, context.Retrieval, search);
        // What the user asked for (a fixed value or "validation") defines the run's variant for
        // `results`; "cca" holds what validation chose, an outcome that may differ from seed to seed.
        JsonNode Asked(double? value) => value is { } v ? v : "validation";
        context.Config["cca_search"] = new JsonObject
        {
            ["input"] = p.GetValue(_input),
            ["regularisation"] = Asked(search.Regularisation),
            ["dimensions"] = Asked(search.Dimensions),
            ["correlation_power"] = Asked(search.CorrelationPower),
        };
        context.Config["cca"] = JsonSerializer.SerializeToNode(result.Model.Config);
        context.Notes["cca_validation_candidates"] = new JsonArray(result.Candidates
            .Select(c => (JsonNode)new JsonObject
            {
                ["regularisation"] = c.Config.Regularisation,
                ["dimensions"] = c.Config.Dimensions,
                ["correlation_power"] = c.Config.CorrelationPower,
                ["val_map"] = c.ValidationMap,
            }).ToArray());
        context.Notes["canonical_correlations"] = new JsonArray(result.Model.Correlations.Select(c => (JsonNode)c).ToArray());
        context.Notes["cca_warnings"] = new JsonArray(result.Warnings.Select(w => (JsonNode)w).ToArray());
        foreach (var w in result.Warnings) context.Console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(w)}");
        return result.Model;
    }
}
