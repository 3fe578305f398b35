using PureHDF;

namespace CrossMedia.Tests.Data.Formats;

/// <summary>
/// MATLAB v7.3 files for tests, written with PureHDF: HDF5 behind the 512-byte MATLAB header
/// (text, then version 0x0200 and 'IM' at bytes 124-127). MATLAB stores an m×n array as an HDF5
/// dataset of shape n×m and names its class in the attribute MATLAB_class.
/// </summary>
internal static class Mat73Builder
{
    /// <summary>A dataset with MATLAB's class attribute (and MATLAB_empty when <paramref name="empty"/>).</summary>
    public static H5Dataset Variable(object data, string matlabClass, bool empty = false, ulong[]? fileDims = null, uint[]? chunks = null)
    {
        var d = new H5Dataset(data, chunks: chunks, fileDims: fileDims);
        d.Attributes["MATLAB_class"] = matlabClass;
        if (empty) d.Attributes["MATLAB_empty"] = (byte)1;
        return d;
    }

    /// <summary>The file's bytes: the MATLAB header followed by the HDF5 content of <paramref name="file"/>.</summary>
    public static byte[] Build(H5File file)
    {
        var hdf5 = new MemoryStream();
        file.Write(hdf5);
        return WithHeader(hdf5.ToArray());
    }

    /// <summary>
    /// The MATLAB header, then <paramref name="hdf5"/> (which readers find at offset 512): HDF5
    /// addresses count from the superblock's base address (bytes 12-19 of a version 2 or 3
    /// superblock), which becomes 512.
    /// </summary>
    public static byte[] WithHeader(byte[] hdf5)
    {
        byte[] bytes = [.. Header(), .. hdf5];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(512 + 12), 512);
        return bytes;
    }

    /// <summary>The 512-byte header of a v7.3 file.</summary>
    public static byte[] Header()
    {
        var header = new byte[512];
        System.Text.Encoding.ASCII.GetBytes("MATLAB 7.3 MAT-file, Platform: GLNXA64, Created by CrossMedia tests HDF5 schema 1.00 .").CopyTo(header, 0);
        header[125] = 0x02;
        header[126] = (byte)'I';
        header[127] = (byte)'M';
        return header;
    }
}
