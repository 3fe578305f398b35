using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CrossMedia.Tests.Data;

/// <summary>
/// Builds MATLAB level-5 files byte by byte for tests (both byte orders, compressed or not, small
/// data elements), following MathWorks' "MAT-File Format" layout: a 128-byte header, then one
/// miMATRIX element per variable (array flags, dimensions, name, data), each sub-element padded to
/// 8 bytes; miCOMPRESSED wraps a zlib stream of a whole miMATRIX element.
/// </summary>
internal sealed class MatV5Builder(bool bigEndian)
{
    public const uint MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6,
        MiSingle = 7, MiDouble = 9, MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15;
    public const int MxCell = 1, MxChar = 4, MxDouble = 6, MxSingle = 7, MxInt8 = 8, MxUInt8 = 9, MxInt16 = 10,
        MxUInt16 = 11, MxInt32 = 12, MxUInt32 = 13, MxInt64 = 14, MxUInt64 = 15;

    private readonly List<byte> _body = [];

    public byte[] Header()
    {
        var h = new byte[128];
        var text = Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, written by CrossMedia tests".PadRight(116));
        text.CopyTo(h, 0);
        U16(0x0100).CopyTo(h, 124);
        if (bigEndian) { h[126] = (byte)'M'; h[127] = (byte)'I'; }
        else { h[126] = (byte)'I'; h[127] = (byte)'M'; }
        return h;
    }

    public byte[] Build() => [.. Header(), .. _body];

    /// <summary>Adds a numeric variable; values in MATLAB column-major order, stored as <paramref name="dataType"/>.</summary>
    public MatV5Builder Numeric(string name, int mxClass, int[] dims, uint dataType, double[] values,
        bool compress = false, bool logical = false, bool smallName = false)
    {
        var data = Encode(values, dataType);
        AddMatrix(name, mxClass, dims, [Element(dataType, data, small: data.Length <= 4)], compress, logical, smallName);
        return this;
    }

    public MatV5Builder Char(string name, string text, bool compress = false)
    {
        var data = text.SelectMany(c => U16(c)).ToArray();
        AddMatrix(name, MxChar, [1, text.Length], [Element(MiUInt16, data, small: data.Length <= 4)], compress, false, false);
        return this;
    }

    /// <summary>A 1×1 cell holding a double, to check that cells are listed but refused.</summary>
    public MatV5Builder Cell(string name)
    {
        var inner = MatrixElement("", MxDouble, [1, 1], [Element(MiDouble, Encode([1.0], MiDouble), false)], false, false);
        AddMatrix(name, MxCell, [1, 1], [inner], false, false, false);
        return this;
    }

    /// <summary>Raw bytes appended as they are (for corrupt files).</summary>
    public MatV5Builder Raw(byte[] bytes) { _body.AddRange(bytes); return this; }

    private void AddMatrix(string name, int mxClass, int[] dims, byte[][] data, bool compress, bool logical, bool smallName)
    {
        var element = MatrixElement(name, mxClass, dims, data, logical, smallName);
        if (!compress) { _body.AddRange(element); return; }
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(element);
        var compressed = ms.ToArray();
        _body.AddRange(U32(MiCompressed));
        _body.AddRange(U32((uint)compressed.Length));
        _body.AddRange(compressed);
    }

    public byte[] MatrixElement(string name, int mxClass, int[] dims, byte[][] data, bool logical, bool smallName)
    {
        var content = new List<byte>();
        uint flags = (uint)mxClass | (logical ? 0x0200u : 0u);
        content.AddRange(Element(MiUInt32, [.. U32(flags), .. U32(0)], false));
        content.AddRange(Element(MiInt32, dims.SelectMany(d => U32((uint)d)).ToArray(), false));
        content.AddRange(Element(MiInt8, Encoding.ASCII.GetBytes(name), smallName && name.Length <= 4));
        foreach (var d in data) content.AddRange(d);
        return [.. U32(MiMatrix), .. U32((uint)content.Count), .. content];
    }

    /// <summary>A data element: tag + data padded to 8 bytes, or the 8-byte small format.</summary>
    public byte[] Element(uint type, byte[] data, bool small)
    {
        if (small)
        {
            var e = new byte[8];
            U32(((uint)data.Length << 16) | type).CopyTo(e, 0);
            data.CopyTo(e, 4);
            return e;
        }
        int padded = (data.Length + 7) / 8 * 8;
        var r = new byte[8 + padded];
        U32(type).CopyTo(r, 0);
        U32((uint)data.Length).CopyTo(r, 4);
        data.CopyTo(r, 8);
        return r;
    }

    public byte[] Encode(double[] values, uint type)
    {
        var bytes = new List<byte>();
        foreach (var v in values)
        {
            bytes.AddRange(type switch
            {
                MiInt8 => [(byte)(sbyte)v],
                MiUInt8 => [(byte)v],
                MiInt16 => U16((ushort)(short)v),
                MiUInt16 => U16((ushort)v),
                MiInt32 => U32((uint)(int)v),
                MiUInt32 => U32((uint)v),
                MiSingle => U32((uint)BitConverter.SingleToInt32Bits((float)v)),
                MiDouble => U64((ulong)BitConverter.DoubleToInt64Bits(v)),
                MiInt64 => U64((ulong)(long)v),
                MiUInt64 => U64((ulong)v),
                _ => throw new ArgumentException("type"),
            });
        }
        return bytes.ToArray();
    }

    public byte[] U16(int v)
    {
        var b = new byte[2];
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v);
        return b;
    }

    public byte[] U32(uint v)
    {
        var b = new byte[4];
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    public byte[] U64(ulong v)
    {
        var b = new byte[8];
        if (bigEndian) BinaryPrimitives.WriteUInt64BigEndian(b, v); else BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        return b;
    }
}
