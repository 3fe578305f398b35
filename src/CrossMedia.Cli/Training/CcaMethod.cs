using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMedia.Models;
using CrossMedia.Models.Cca;
using CrossMedia.Training;

namespace CrossMedia.Cli.Training;

/// <summary>`--method cca`: regularised CCA between two media, ridge and weighting chosen on validation.</summary>
internal sealed class CcaMethod : ITrainMethod
{
    private readonly Option<string?> _media = new("--cca-media") { Description = "cca: the two media to couple, e.g. image,text (default: the dataset's first two)." };
    private readonly Option<double?> _regularisation = new("--cca-reg") { Description = "cca: fixed ridge relative to the mean covariance eigenvalue (default: chosen on validation from 1e-4..1)." };
    private readonly Option<double?> _power = new("--cca-power") { Description = "cca: fixed power of the canonical correlations scaling each dimension (default: 0 or 1, chosen on validation)." };
    private readonly Option<int> _dimensions = new("--cca-dim") { Description = "cca: canonical dimensions kept (0 = all).", DefaultValueFactory = _ => 0 };

    public string Name => "cca";
    public IReadOnlyList<Option> Options => [_media, _regularisation, _power, _dimensions];

    public IEmbeddingModel Train(TrainContext context)
    {
        var p = context.Parse;
        (string, string)? media = null;
        if (p.GetValue(_media) is { } list)
        {
            var names = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (names.Length != 2) throw new InputException("--cca-media", "", "two media names, e.g. image,text", $"'{list}'");
            media = (names[0], names[1]);
        }
        var reg = p.GetValue(_regularisation);
        var power = p.GetValue(_power);
        int dims = p.GetValue(_dimensions);
        CcaConfig? fixedConfig = reg is null && power is null && dims == 0
            ? null
            : new CcaConfig(reg ?? 1e-3, dims, power ?? 0);
        var result = CcaTrainer.Fit(context.TrainingSet, media, context.Retrieval, fixedConfig);
        context.Config["cca"] = JsonSerializer.SerializeToNode(result.Model.Config);
        context.Notes["cca_validation_candidates"] = new JsonArray(result.Candidates
            .Select(c => (JsonNode)new JsonObject
            {
                ["regularisation"] = c.Config.Regularisation,
                ["correlation_power"] = c.Config.CorrelationPower,
                ["val_map"] = c.ValidationMap,
            }).ToArray());
        context.Notes["canonical_correlations"] = new JsonArray(result.Model.Correlations.Select(c => (JsonNode)c).ToArray());
        return result.Model;
    }
}
