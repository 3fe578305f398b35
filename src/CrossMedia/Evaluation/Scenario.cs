namespace CrossMedia.Evaluation;

/// <summary>
/// The retrieval scenarios of the field (JFSE.md): standard (every class seen in training),
/// zero-shot (train on seen classes, retrieve within seen and within unseen classes separately) and
/// generalized zero-shot (train on seen classes, one joint ranking over seen and unseen test items).
/// </summary>
public enum Scenario
{
    Standard,
    Zsl,
    Gzsl,
}

public static class ScenarioNames
{
    public static string Name(this Scenario scenario) => scenario switch
    {
        Scenario.Standard => "standard",
        Scenario.Zsl => "zsl",
        _ => "gzsl",
    };

    public static Scenario Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "standard" or "std" => Scenario.Standard,
        "zsl" or "zero-shot" => Scenario.Zsl,
        "gzsl" or "generalized-zero-shot" => Scenario.Gzsl,
        _ => throw new InputException("scenario", "", "standard, zsl or gzsl", $"'{text}'"),
    };
}
