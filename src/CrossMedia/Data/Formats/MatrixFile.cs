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
        DataFile.Require(path, "an existing file");
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
    /// The one adapter to the NumPy readers (<see cref="NpyFile"/>, <see cref="NpzFile"/>): a 2-D
    /// array as is, a 1-D array (labels, split codes) as one column. An .npz needs the array name
    /// unless it holds exactly one array.
    /// </summary>
    internal static Matrix ReadNpy(string path, string? key)
    {
        NpyArray array;
        if (Path.GetExtension(path).Equals(".npz", StringComparison.OrdinalIgnoreCase))
        {
            if (key is not null) array = NpzFile.Read(path, key);
            else
            {
                var all = NpzFile.Read(path);
                if (all.Count != 1)
                    throw new InputException(path, "variable", "an array name (the archive holds several arrays)", string.Join(", ", all.Keys.Order(StringComparer.Ordinal)));
                array = all.Values.Single();
            }
        }
        else
        {
            if (key is not null) throw new InputException(path, "variable", "no array name for a .npy file", $"'{key}'");
            array = NpyFile.Read(path);
        }
        if (array.Rank != 1) return array.ToMatrix(path);
        var column = new Matrix(array.Count, 1);
        for (int i = 0; i < array.Count; i++) column.Data[i] = (float)array.GetDouble(i);
        return column;
    }
}
