namespace CrossMedia.Data;

/// <summary>Which part of a dataset an item belongs to.</summary>
public enum Split
{
    Train,
    Val,
    Test,
}

public static class SplitNames
{
    public static string Name(this Split split) => split switch
    {
        Split.Train => "train",
        Split.Val => "val",
        _ => "test",
    };

    public static Split Parse(string text, string source = "split") => text.Trim().ToLowerInvariant() switch
    {
        "train" or "training" => Split.Train,
        "val" or "valid" or "validation" => Split.Val,
        "test" or "testing" => Split.Test,
        _ => throw new InputException(source, "split", "train, val or test", $"'{text}'"),
    };
}
