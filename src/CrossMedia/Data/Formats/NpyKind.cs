namespace CrossMedia.Data.Formats;

/// <summary>Element kind of a NumPy array.</summary>
public enum NpyKind
{
    Bool,
    Int,
    UInt,
    Float,
}
