using PureHDF;

namespace CrossMedia.Data.Formats;

/// <summary>
/// MATLAB v7.3 files: HDF5 behind a 512-byte MATLAB header, read with PureHDF. MATLAB writes an
/// m×n array as an HDF5 dataset of shape n×m (HDF5 is row-major), so the stored values are already
/// MATLAB's column-major order and the MATLAB dimensions are the HDF5 ones reversed. The
/// attribute MATLAB_class names the class; cell arrays, structs and other classes are listed
/// without values.
/// </summary>
internal static class Mat73Reader
{
    /// <summary>Reads every variable of the file at <paramref name="path"/>, which holds <paramref name="length"/> bytes.</summary>
    public static IReadOnlyList<MatArray> Read(string path, long length)
    {
        try
        {
            using var file = H5File.OpenRead(path);
            var result = new List<MatArray>();
            foreach (var child in file.Children())
            {
                if (child.Name.StartsWith('#')) continue; // "#refs#" and "#subsystem#" hold cell contents
                if (child is IH5Dataset dataset) result.Add(ReadDataset(path, length, dataset));
                else result.Add(new MatArray(child.Name, child.AttributeExists("MATLAB_sparse") ? "sparse" : ClassOf(child) ?? "struct", [0, 0], null, null));
            }
            return result;
        }
        catch (InputException) { throw; }
        catch (OutOfMemoryException e)
        {
            // A damaged structure can make the HDF5 reader ask for an array past .NET's limits (declared sizes
            // are checked first, but not every internal one can be): the file, not the machine, is at fault.
            throw new InputException(path, "", "a valid MATLAB v7.3 (HDF5) file", "a damaged structure that asks for an impossible amount of memory", e);
        }
        catch (Exception e)
        {
            throw new InputException(path, "", "a valid MATLAB v7.3 (HDF5) file", Reason(e), e);
        }
    }

    private static string? ClassOf(IH5Object obj) =>
        obj.AttributeExists("MATLAB_class") ? obj.Attribute("MATLAB_class").Read<string>() : null;

    /// <summary>
    /// Why PureHDF could not read the file, in a few words: its exceptions from damaged structures
    /// ("Specified method is not supported.", an index out of range) say nothing to a user.
    /// </summary>
    private static string Reason(Exception e) => e switch
    {
        EndOfStreamException => "a truncated file",
        NotSupportedException or IndexOutOfRangeException or ArgumentException or InvalidCastException or OverflowException
            or NullReferenceException or KeyNotFoundException or InvalidOperationException => "a damaged or unsupported HDF5 structure",
        _ => InputException.Excerpt(e.Message),
    };

    private static MatArray ReadDataset(string path, long fileLength, IH5Dataset dataset)
    {
        string name = dataset.Name;
        string cls = ClassOf(dataset) ?? "double";
        var shape = dataset.Space.Dimensions;
        var dims = shape.Reverse().Select(d => d > int.MaxValue
            ? throw new InputException(path, name, "dimensions below 2^31", d.ToString()) : (int)d).ToList();
        while (dims.Count < 2) dims.Add(1);
        long count = dims.Aggregate(1L, (a, d) => d != 0 && a > long.MaxValue / d ? long.MaxValue : a * d);

        if (dataset.AttributeExists("MATLAB_empty"))
        {
            // Empty arrays store their MATLAB dimensions as the data, and one of them is 0.
            if (count is < 2 or > 32 || dataset.Type.Class != H5DataTypeClass.FixedPoint)
                throw new InputException(path, name, "an empty array's 2 to 32 integer dimensions (MATLAB_empty)", $"{count} values of class {dataset.Type.Class}");
            var stored = dataset.Read<ulong[]>();
            if (!stored.Contains(0UL) || stored.Any(d => d > int.MaxValue))
                throw new InputException(path, name, "the dimensions of an empty array, one of them 0 (MATLAB_empty)", $"[{string.Join(", ", stored)}]");
            return new MatArray(name, cls, stored.Select(d => (int)d).ToArray(), [], null);
        }
        if (cls is "cell" or "struct" or "function_handle" || dataset.Type.Class is not (H5DataTypeClass.FixedPoint or H5DataTypeClass.FloatingPoint))
            return new MatArray(name, cls, dims.ToArray(), null, null);

        // A chunked dataset may declare far more than its file holds (absent chunks read as the fill
        // value), so the declared size must be one the file's bytes could produce before it is read.
        long limit = Math.Min((long)Array.MaxLength, fileLength * DataFile.MaxDeflateRatio / Math.Max(1, (long)dataset.Type.Size));
        if (count > limit)
            throw new InputException(path, name, $"at most {limit} values from a {fileLength}-byte file",
                $"{string.Join("×", dims)} = {count} values declared (a corrupt or implausible dataset)");
        double[] values = ReadValues(path, dataset, name);
        if (values.Length != count)
            throw new InputException(path, name, $"{count} values", $"{values.Length}");
        if (cls == "char")
        {
            int rows = dims[0], cols = rows == 0 ? 0 : (int)(count / rows);
            var lines = Enumerable.Range(0, rows).Select(i => new string(Enumerable.Range(0, cols).Select(j => (char)values[i + rows * j]).ToArray()));
            return new MatArray(name, "char", dims.ToArray(), null, string.Join('\n', lines));
        }
        return new MatArray(name, cls, dims.ToArray(), values, null);
    }

    private static double[] ReadValues(string path, IH5Dataset dataset, string name)
    {
        var type = dataset.Type;
        int size = (int)type.Size;
        if (type.Class == H5DataTypeClass.FloatingPoint)
        {
            return size switch
            {
                8 => dataset.Read<double[]>(),
                4 => Array.ConvertAll(dataset.Read<float[]>(), v => (double)v),
                _ => throw new InputException(path, name, "4- or 8-byte floating point", $"{size} bytes"),
            };
        }
        bool signed = type.FixedPoint.IsSigned;
        return (size, signed) switch
        {
            (1, true) => Array.ConvertAll(dataset.Read<sbyte[]>(), v => (double)v),
            (1, false) => Array.ConvertAll(dataset.Read<byte[]>(), v => (double)v),
            (2, true) => Array.ConvertAll(dataset.Read<short[]>(), v => (double)v),
            (2, false) => Array.ConvertAll(dataset.Read<ushort[]>(), v => (double)v),
            (4, true) => Array.ConvertAll(dataset.Read<int[]>(), v => (double)v),
            (4, false) => Array.ConvertAll(dataset.Read<uint[]>(), v => (double)v),
            (8, true) => Array.ConvertAll(dataset.Read<long[]>(), v => (double)v),
            (8, false) => Array.ConvertAll(dataset.Read<ulong[]>(), v => (double)v),
            _ => throw new InputException(path, name, "1-, 2-, 4- or 8-byte integers", $"{size} bytes"),
        };
    }
}
