using CrossMedia.Core;

namespace CrossMedia.Data.Formats;

/// <summary>Reads a numeric matrix from any supported file, chosen by extension.</summary>
public static class MatrixFile
{
    /// <summary>The extensions <see cref="Read"/> accepts.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".mat", ".csv", ".tsv", ".txt", ".npy", ".npz"];

    /// <summary>
    /// Reads a matrix. <paramref name="variable"/> names the variable of a .mat file or the array
    /// of an .npz archive; text formats take none.
    /// </summary>
    public static Matrix Read(string path, string? variable = null)
    {
        if (!File.Exists(path)) throw new InputException(path, "", "an existing file", "no such file");
        var ext = Path.GetExtension(path).ToLowerInvariant();
        switch (ext)
        {
            case ".mat":
                return MatFile.ReadMatrix(path, variable);
            case ".csv" or ".tsv" or ".txt":
                if (variable is not null) throw new InputException(path, "variable", "no variable name for a text matrix", $"'{variable}'");
                return DelimitedMatrix.Read(path);
            case ".npy" or ".npz":
                return ReadNpy(path, variable);
            default:
                throw new InputException(path, "extension", $"one of {string.Join(", ", Extensions)}", $"'{ext}'");
        }
    }

    /// <summary>
    /// The one adapter to the NumPy readers (Formats/NpyFile.cs and NpzFile.cs, written on the
    /// evaluation branch); until they are merged it reports that npy support is missing.
    /// </summary>
    internal static Matrix ReadNpy(string path, string? key) =>
        throw new InputException(path, "format", "a .mat, .csv, .tsv or .txt matrix", "a NumPy file (npy support arrives with the evaluation branch)");
}
