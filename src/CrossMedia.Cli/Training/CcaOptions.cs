using System.CommandLine;
using CrossMedia.Models.Cca;
using CrossMedia.Training;

namespace CrossMedia.Cli.Training;

/// <summary>
/// `--method cca`: regularised CCA between the dataset's media of feature vectors (multi-set CCA for more than
/// two; --media chooses them); ridge, dimensions and weighting chosen on validation.
/// </summary>
internal sealed class CcaOptions : IMethodOptions
{
    /// <summary>Hidden: a command line with --cca-media gets a pointer to the shared --media instead of "unrecognized".</summary>
    private readonly Option<string?> _removedMedia = new("--cca-media") { Hidden = true };
    private readonly Option<double?> _regularisation = new("--cca-reg") { Description = "Fixed ridge relative to the mean covariance eigenvalue (default: chosen on validation from 1e-8..1e4, half decades)." };
    private readonly Option<double?> _power = new("--cca-power") { Description = "Fixed power of the canonical correlations scaling each dimension (default: 0 or 1, chosen on validation)." };
    private readonly Option<int?> _dimensions = new("--cca-dim") { Description = "Fixed number of canonical dimensions, 0 = all (default: chosen on validation from 1, 2, 4, ... and all)." };
    private readonly Option<string> _input = new("--cca-input")
    {
        Description = "Input normalisation, stored in the model and applied to every item it embeds: l2 (unit-length items), zscore (standardised features) or none.",
        DefaultValueFactory = _ => "l2",
    };

    public CcaOptions() => _input.AcceptOnlyFromAmong("l2", "zscore", "none");

    public string Name => "cca";
    public IReadOnlyList<Option> Options => [_removedMedia, _regularisation, _power, _dimensions, _input];

    public TrainingMethod Read(ParseResult p)
    {
        if (p.GetValue(_removedMedia) is { } removed)
            throw new InputException("--cca-media", "", "--media a,b,... (the option every command shares; --cca-media was removed)", InputException.Excerpt(removed));
        if (p.GetValue(_dimensions) is < 0)
            throw new InputException("--cca-dim", "", "0 (all) or a positive number of dimensions", p.GetValue(_dimensions).ToString()!);
        var input = p.GetValue(_input) switch { "zscore" => CcaInput.ZScore, "none" => CcaInput.None, _ => CcaInput.L2 };
        return new CcaMethod(new CcaSearch(p.GetValue(_regularisation), p.GetValue(_dimensions), p.GetValue(_power), input));
    }
}
