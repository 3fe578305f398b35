using CrossMedia.Data.Formats;
using static CrossMedia.Tests.Data.MatV5Builder;

namespace CrossMedia.Tests.Data;

public class MatFileTests
{
    private static string WikipediaMat => Path.Combine(TestPaths.SharedData, "wikipedia", "raw_features.mat");

    [Fact]
    public void Read_Should_ReadWikipediaFeaturesWithKnownValues()
    {
        // Constants from scipy (Debian python3-scipy 1.10):
        //   m = scipy.io.loadmat('raw_features.mat')
        //   for k in ['I_tr','I_te','T_tr','T_te']: a = m[k]; print(k, a.shape, a[0,0], a[0,1], a[1,0], a[-1,-1], a.sum())
        var vars = MatFile.Read(WikipediaMat);
        Assert.Equal(new[] { "I_te", "I_tr", "T_te", "T_tr" }, vars.Select(v => v.Name).Order());
        var expected = new (string Name, int Rows, int Cols, double A00, double A01, double A10, double Last, double Sum)[]
        {
            ("I_tr", 2173, 128, 0.03732303902506828, 0.0038610037881881, 0.020370369777083397, 0.0038610037881881, 2173.0000064616906),
            ("I_te", 693, 128, 0.25, 0.0016891892300918698, 0.0, 0.0, 693.000001747394),
            ("T_tr", 2173, 10, 0.07257183745716099, 0.07790080216924627, 0.04286164513079095, 0.028366624415402688, 2173.0000000000005),
            ("T_te", 693, 10, 0.054705003734129926, 0.06609410007468257, 0.10692970822281166, 0.0488226059654631, 693.0),
        };
        foreach (var e in expected)
        {
            var v = vars.Single(x => x.Name == e.Name);
            Assert.Equal("double", v.ClassName);
            Assert.Equal([e.Rows, e.Cols], v.Dimensions);
            Assert.Equal(e.Sum, v.Values!.Sum(), 6);
            var m = v.ToMatrix("test");
            Assert.Equal((e.Rows, e.Cols), (m.Rows, m.Cols));
            Assert.Equal((float)e.A00, m[0, 0]);
            Assert.Equal((float)e.A01, m[0, 1]);
            Assert.Equal((float)e.A10, m[1, 0]);
            Assert.Equal((float)e.Last, m[e.Rows - 1, e.Cols - 1]);
        }
    }

    [Fact]
    public void Read_Should_DecodeAHandWrittenLittleEndianFile()
    {
        // x = [1; 2] (double 2×1), every byte written out.
        byte[] body =
        [
            0x0E, 0, 0, 0, 0x40, 0, 0, 0,                      // miMATRIX, 64 bytes
            0x06, 0, 0, 0, 0x08, 0, 0, 0, 0x06, 0, 0, 0, 0, 0, 0, 0, // array flags: miUINT32, 8 bytes, class double
            0x05, 0, 0, 0, 0x08, 0, 0, 0, 0x02, 0, 0, 0, 0x01, 0, 0, 0, // dims: miINT32, 8 bytes, 2×1
            0x01, 0, 0x01, 0, (byte)'x', 0, 0, 0,             // name: small element, miINT8, 1 byte
            0x09, 0, 0, 0, 0x10, 0, 0, 0,                      // miDOUBLE, 16 bytes
            0, 0, 0, 0, 0, 0, 0xF0, 0x3F,                      // 1.0
            0, 0, 0, 0, 0, 0, 0x00, 0x40,                      // 2.0
        ];
        using var dir = new TempDir();
        var path = dir.File("x.mat", [.. new MatV5Builder(false).Header(), .. body]);
        var x = MatFile.ReadVariable(path, "x");
        Assert.Equal([2, 1], x.Dimensions);
        Assert.Equal([1.0, 2.0], x.Values!);
    }

    public static TheoryData<bool, bool> Layouts => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Read_Should_ReadEveryNumericClassInBothByteOrdersCompressedOrNot(bool bigEndian, bool compress)
    {
        // A 2×3 matrix [1 2 3; 4 5 6] has column-major values 1 4 2 5 3 6.
        double[] colMajor = [1, 4, 2, 5, 3, 6];
        var classes = new (string Name, int Class, uint Type)[]
        {
            ("double", MxDouble, MiDouble), ("single", MxSingle, MiSingle), ("int8", MxInt8, MiInt8), ("uint8", MxUInt8, MiUInt8),
            ("int16", MxInt16, MiInt16), ("uint16", MxUInt16, MiUInt16), ("int32", MxInt32, MiInt32), ("uint32", MxUInt32, MiUInt32),
            ("int64", MxInt64, MiInt64), ("uint64", MxUInt64, MiUInt64),
            ("stored_small", MxDouble, MiUInt8), // MATLAB stores small integers of a double array as uint8
        };
        var b = new MatV5Builder(bigEndian);
        foreach (var c in classes) b.Numeric("v_" + c.Name, c.Class, [2, 3], c.Type, colMajor, compress);
        b.Numeric("neg", MxInt16, [1, 2], MiInt16, [-300, 32767], compress);
        b.Numeric("lg", MxUInt8, [1, 3], MiUInt8, [1, 0, 1], compress, logical: true);
        using var dir = new TempDir();
        var path = dir.File("all.mat", b.Build());

        var vars = MatFile.Read(path);
        Assert.Equal(classes.Length + 2, vars.Count);
        foreach (var c in classes)
        {
            var v = vars.Single(x => x.Name == "v_" + c.Name);
            Assert.Equal(c.Name == "stored_small" ? "double" : c.Name, v.ClassName);
            var m = v.ToMatrix(path);
            Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, m.Data);
            Assert.Equal((2, 3), (m.Rows, m.Cols));
        }
        Assert.Equal([-300.0, 32767.0], vars.Single(x => x.Name == "neg").Values!);
        var lg = vars.Single(x => x.Name == "lg");
        Assert.Equal("logical", lg.ClassName);
        Assert.Equal([1.0, 0.0, 1.0], lg.Values!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_Should_ReadAnUncompressedVariableAfterACompressedOneAtAnUnalignedOffset(bool bigEndian)
    {
        // Compressed elements are not padded, so the next element may start at any offset; its
        // sub-elements are padded relative to it (a reader aligning to absolute offsets fails).
        var b = new MatV5Builder(bigEndian)
            .Numeric("X", MxDouble, [4, 2], MiDouble, [1, 2, 3, 4, 5, 6, 7, 8], compress: true)
            .Numeric("T", MxSingle, [2, 3], MiSingle, [1, 2, 3, 4, 5, 6]);
        var bytes = b.Build();
        using var dir = new TempDir();
        var vars = MatFile.Read(dir.File("mixed.mat", bytes));
        Assert.NotEqual(0, (bytes.Length - 128) % 8); // the second element really is unaligned
        Assert.Equal([1.0, 2, 3, 4, 5, 6], vars[1].Values!);
    }

    [Fact]
    public void ToMatrix_Should_ReshapeNdArraysToFirstDimensionRows()
    {
        // A 2×2×2 array with A(i,j,k) = 100i + 10j + k (1-based) in column-major order.
        var values = new List<double>();
        for (int k = 1; k <= 2; k++) for (int j = 1; j <= 2; j++) for (int i = 1; i <= 2; i++) values.Add(100 * i + 10 * j + k);
        using var dir = new TempDir();
        var path = dir.File("nd.mat", new MatV5Builder(true).Numeric("A", MxDouble, [2, 2, 2], MiDouble, values.ToArray()).Build());
        var m = MatFile.ReadMatrix(path, "A");
        // Row i holds columns (j,k) in the order j + 2(k-1): (1,1) (2,1) (1,2) (2,2).
        Assert.Equal((2, 4), (m.Rows, m.Cols));
        Assert.Equal(new float[] { 111, 121, 112, 122, 211, 221, 212, 222 }, m.Data);
    }

    [Fact]
    public void Read_Should_ReadSmallDataElementsAndCharArrays()
    {
        var b = new MatV5Builder(false)
            .Numeric("s", MxSingle, [1, 1], MiSingle, [2.5], smallName: true) // 4-byte value and 1-byte name in small elements
            .Char("txt", "hello", compress: true);
        using var dir = new TempDir();
        var path = dir.File("small.mat", b.Build());
        var vars = MatFile.Read(path);
        Assert.Equal([2.5], vars[0].Values!);
        Assert.Equal("s", vars[0].Name);
        Assert.Equal("char", vars[1].ClassName);
        Assert.Equal("hello", vars[1].Text);
        Assert.Null(vars[1].Values);
    }

    [Fact]
    public void Read_Should_AgreeWithFileWrittenByScipy()
    {
        // Fixture made by Fixtures/make_scipy_mat5.py (scipy.io.savemat, compressed, little-endian).
        var vars = MatFile.Read(Path.Combine(TestPaths.Fixtures, "scipy_small.mat")).ToDictionary(v => v.Name);
        Assert.Equal(new float[] { 1.5f, -2f, 3.25f, 4f, 5f, -6.5f }, vars["D"].ToMatrix("t").Data);
        Assert.Equal("single", vars["F"].ClassName);
        Assert.Equal([0.5, 1.25], vars["F"].Values!);
        Assert.Equal([-128.0, 127.0], vars["I8"].Values!);
        Assert.Equal([65535.0, 1, 2], vars["U16"].Values!);
        Assert.Equal([-(double)(1L << 40), 1L << 40], vars["I64"].Values!);
        Assert.Equal("logical", vars["Lg"].ClassName);
        Assert.Equal([1.0, 0, 1], vars["Lg"].Values!);
        Assert.Equal("abc", vars["S"].Text);
        // N[i,j,k] = 4i + 2j + k (0-based); row i, column j + 2k.
        var n = vars["N"].ToMatrix("t");
        Assert.Equal([2, 2, 2], vars["N"].Dimensions);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 2; k++) Assert.Equal(4 * i + 2 * j + k, n[i, j + 2 * k]);
        Assert.Equal("cell", vars["C"].ClassName);
    }

    [Fact]
    public void ReadMatrix_Should_RefuseCellArraysWithAClearError()
    {
        using var dir = new TempDir();
        var path = dir.File("cell.mat", new MatV5Builder(false).Cell("c").Build());
        var e = Assert.Throws<InputException>(() => MatFile.ReadMatrix(path, "c"));
        Assert.Equal(path, e.Location);
        Assert.Equal("c", e.Field);
        Assert.Equal("a numeric array", e.Expected);
        Assert.Contains("cell", e.Found);
    }

    [Fact]
    public void Read_Should_ReadMatlab73HdfFiles()
    {
        // Fixture made by Fixtures/make_mat73.py (h5py, MATLAB's transposed layout and attributes).
        var vars = MatFile.Read(Path.Combine(TestPaths.Fixtures, "mat73_small.mat")).ToDictionary(v => v.Name);
        var a = vars["A"].ToMatrix("t");
        Assert.Equal([3, 2], vars["A"].Dimensions);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, a.Data);
        Assert.Equal("int16", vars["B"].ClassName);
        Assert.Equal(new float[] { -1, 7, 300, -32768 }, vars["B"].ToMatrix("t").Data);
        Assert.Equal("logical", vars["L"].ClassName);
        Assert.Equal([1.0, 0, 1], vars["L"].Values!);
        Assert.Equal("hi", vars["s"].Text);
        Assert.Equal("cell", vars["c"].ClassName);
        Assert.Throws<InputException>(() => vars["c"].ToMatrix("t"));
    }

    [Fact]
    public void ReadVariable_Should_ListTheVariablesWhenTheNameIsUnknown()
    {
        var e = Assert.Throws<InputException>(() => MatFile.ReadVariable(WikipediaMat, "X"));
        Assert.Equal("variable", e.Field);
        Assert.Contains("I_tr", e.Found);
        Assert.Contains("'X'", e.Expected);
    }

    [Fact]
    public void Read_Should_RejectATruncatedFile()
    {
        var bytes = File.ReadAllBytes(WikipediaMat)[..5000];
        using var dir = new TempDir();
        var path = dir.File("cut.mat", bytes);
        var e = Assert.Throws<InputException>(() => MatFile.Read(path));
        Assert.Equal(path, e.Location);
        Assert.Contains("variable 1", e.Field);
        Assert.Contains("truncated", e.Found);
    }

    [Fact]
    public void Read_Should_RejectATruncatedHeader()
    {
        using var dir = new TempDir();
        var path = dir.File("short.mat", new MatV5Builder(false).Header()[..100]);
        var e = Assert.Throws<InputException>(() => MatFile.Read(path));
        Assert.Equal("header", e.Field);
        Assert.Contains("100 bytes", e.Found);
    }

    [Fact]
    public void Read_Should_RejectABadHeader()
    {
        var bytes = new MatV5Builder(false).Numeric("x", MxDouble, [1, 1], MiDouble, [1]).Build();
        "NOTMAT"u8.CopyTo(bytes);
        using var dir = new TempDir();
        var path = dir.File("bad.mat", bytes);
        var e = Assert.Throws<InputException>(() => MatFile.Read(path));
        Assert.Equal("header", e.Field);
        Assert.Contains("NOTMAT", e.Found);
    }

    [Fact]
    public void Read_Should_RejectABadEndianIndicator()
    {
        var bytes = new MatV5Builder(false).Numeric("x", MxDouble, [1, 1], MiDouble, [1]).Build();
        bytes[126] = (byte)'X';
        using var dir = new TempDir();
        var e = Assert.Throws<InputException>(() => MatFile.Read(dir.File("bad.mat", bytes)));
        Assert.StartsWith("endian indicator", e.Field);
        Assert.Equal("'XM'", e.Found);
    }

    [Fact]
    public void Read_Should_RejectACorruptCompressedStream()
    {
        var bytes = new MatV5Builder(false).Numeric("x", MxDouble, [4, 4], MiDouble, Enumerable.Range(0, 16).Select(i => (double)i).ToArray(), compress: true).Build();
        for (int i = 128 + 8 + 2; i < bytes.Length - 4; i++) bytes[i] ^= 0x5A; // keep the zlib header, garble the deflate data
        using var dir = new TempDir();
        var path = dir.File("z.mat", bytes);
        var e = Assert.Throws<InputException>(() => MatFile.Read(path));
        Assert.Equal(path, e.Location);
        Assert.Contains("compressed stream", e.Field);
    }

    [Fact]
    public void Read_Should_RejectDataThatDoesNotMatchTheDimensions()
    {
        // dims say 3×3 (9 doubles = 72 bytes) but only 4 values follow.
        var b = new MatV5Builder(true);
        var element = b.MatrixElement("w", MxDouble, [3, 3], [b.Element(MiDouble, b.Encode([1, 2, 3, 4], MiDouble), false)], false, false);
        using var dir = new TempDir();
        var e = Assert.Throws<InputException>(() => MatFile.Read(dir.File("w.mat", b.Raw(element).Build())));
        Assert.Equal("variable 'w' data", e.Field);
        Assert.Contains("9 values (3×3)", e.Expected);
        Assert.Equal("32 bytes", e.Found);
    }

    [Fact]
    public void Read_Should_RejectAnElementLongerThanTheFile()
    {
        var b = new MatV5Builder(false);
        byte[] tag = [.. b.U32(MiMatrix), .. b.U32(1_000_000)];
        using var dir = new TempDir();
        var e = Assert.Throws<InputException>(() => MatFile.Read(dir.File("long.mat", b.Raw(tag).Raw(new byte[16]).Build())));
        Assert.Equal("1000000 bytes of data", e.Expected);
        Assert.Contains("16 bytes left", e.Found);
    }

    [Fact]
    public void Parse_Should_OnlyEverThrowInputExceptionForDamagedFiles()
    {
        // Every truncation and many random byte changes of small files: the reader either reads
        // something or throws InputException, never another exception (index errors, overflows).
        var files = new[]
        {
            File.ReadAllBytes(Path.Combine(TestPaths.Fixtures, "scipy_small.mat")),
            new MatV5Builder(true).Numeric("a", MxInt32, [2, 2], MiInt16, [1, 2, 3, 4]).Char("b", "xy").Cell("c")
                .Numeric("d", MxDouble, [3, 1], MiDouble, [1, 2, 3], compress: true).Build(),
        };
        var random = new Random(12345);
        foreach (var original in files)
        {
            var cases = Enumerable.Range(0, original.Length).Select(n => original[..n]).ToList();
            for (int k = 0; k < 400; k++)
            {
                var damaged = (byte[])original.Clone();
                int count = 1 + random.Next(3);
                for (int c = 0; c < count; c++) damaged[128 + random.Next(original.Length - 128)] = (byte)random.Next(256);
                cases.Add(damaged);
            }
            foreach (var bytes in cases)
            {
                try { _ = MatFile.Parse(bytes, "damaged.mat"); }
                catch (InputException) { }
            }
        }
    }
}
