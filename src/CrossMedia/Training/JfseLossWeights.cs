using System.Globalization;
using System.Text.Json;
using CrossMedia.Models.Jfse;

namespace CrossMedia.Training;

/// <summary>
/// Loss weights of the JFSE steps. Defaults are the spec's reference weighting, multiplied out:
/// G: Σ_m −E[D_m(syn)] + 0.1·(L_cyc,syn^v + L_cyc,syn^t + 0.01·L_adv,syn);
/// R: L_cyc,real + 1e-4·L_DA,real + 0.01·L_adv,real + 0.01·(L_cyc,syn + 0.01·L_adv,syn + 1e-4·L_DA,syn);
/// M: L_adv,real + L_adv,syn; D: Σ_m L_D^m with λ_gp.
/// </summary>
/// <param name="GradientPenalty">λ_gp in the critic loss.</param>
/// <param name="GeneratorAdversarial">Weight of −E[D(syn)] in the G step.</param>
/// <param name="GeneratorCycle">Weight of the synthetic cycle loss in the G step (0.1).</param>
/// <param name="GeneratorModality">Weight of the synthetic modality loss in the G step (0.1·0.01).</param>
/// <param name="RegressorCycleReal">Weight of the real cycle loss in the R step.</param>
/// <param name="RegressorAlignmentReal">Weight of the real alignment loss in the R step (1e-4).</param>
/// <param name="RegressorModalityReal">Weight of the real modality loss in the R step (0.01).</param>
/// <param name="RegressorCycleSynthetic">Weight of the synthetic cycle loss in the R step (0.01).</param>
/// <param name="RegressorModalitySynthetic">Weight of the synthetic modality loss in the R step (0.01·0.01).</param>
/// <param name="RegressorAlignmentSynthetic">Weight of the synthetic alignment loss in the R step (0.01·1e-4).</param>
/// <param name="ClassifierSynthetic">Weight of the synthetic modality loss in the M step (the real one has weight 1).</param>
/// <param name="RegressorPairAlignment">
/// Extension, 0 (off) in the paper's JFSE: weight of CMPM over item pairs in the R step — the alignment
/// loss with each real image–text pair as its own class, as CMPM was first used for matching. It ties
/// the two regressors at the item level, which transfers to classes never seen in training (zero-shot);
/// paired data only. See docs/results-jfse.md.
/// </param>
public sealed record JfseLossWeights(
    double GradientPenalty = 10,
    double GeneratorAdversarial = 1,
    double GeneratorCycle = 0.1,
    double GeneratorModality = 0.1 * 0.01,
    double RegressorCycleReal = 1,
    double RegressorAlignmentReal = 1e-4,
    double RegressorModalityReal = 0.01,
    double RegressorCycleSynthetic = 0.01,
    double RegressorModalitySynthetic = 0.01 * 0.01,
    double RegressorAlignmentSynthetic = 0.01 * 1e-4,
    double ClassifierSynthetic = 1,
    double RegressorPairAlignment = 0)
{
    /// <summary>The reference weighting of the paper's code.</summary>
    public static readonly JfseLossWeights Reference = new();

    /// <summary>
    /// The reference weighting with overrides from "name=value,..." (snake_case property names, as in
    /// metrics.json config.jfse.weights); null or blank = the reference weighting.
    /// </summary>
    public static JfseLossWeights Parse(string? text)
    {
        var weights = Reference;
        if (string.IsNullOrWhiteSpace(text)) return weights;
        var node = JsonSerializer.SerializeToNode(weights, JfseModel.JsonOptions)!.AsObject();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !node.ContainsKey(kv[0]))
                throw new InputException("loss-weights", pair, $"name=value with a name among {string.Join(", ", node.Select(n => n.Key))}", $"'{pair}'");
            if (!double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < 0)
                throw new InputException("loss-weights", kv[0], "a non-negative number", $"'{kv[1]}'");
            node[kv[0]] = v;
        }
        return node.Deserialize<JfseLossWeights>(JfseModel.JsonOptions)!;
    }
}
