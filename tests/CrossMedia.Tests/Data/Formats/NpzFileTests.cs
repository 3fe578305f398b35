using System.IO.Compression;
using CrossMedia.Data.Formats;

namespace CrossMedia.Tests.Data.Formats;

public class NpzFileTests
{
    // /usr/bin/python3, numpy 1.24:
    //   f = io.BytesIO(); np.savez(f, emb=np.array([[0.5, 1], [2, 3]], dtype='<f4'), labels=np.array([3, 1, 2], dtype='<i8'))
    //   base64.b64encode(f.getvalue())          (and the same with np.savez_compressed)
    private const string Stored = "UEsDBBQAAAAAAAAAIQCLzO77kAAAAJAAAAAHABQAZW1iLm5weQEAEACQAAAAAAAAAJAAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAA/AACAPwAAAEAAAEBAUEsDBBQAAAAAAAAAIQDf6QyymAAAAJgAAAAKABQAbGFiZWxzLm5weQEAEACYAAAAAAAAAJgAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoDAAAAAAAAAAEAAAAAAAAAAgAAAAAAAABQSwECFAMUAAAAAAAAACEAi8zu+5AAAACQAAAABwAAAAAAAAAAAAAAgAEAAAAAZW1iLm5weVBLAQIUAxQAAAAAAAAAIQDf6QyymAAAAJgAAAAKAAAAAAAAAAAAAACAAckAAABsYWJlbHMubnB5UEsFBgAAAAACAAIAbQAAAJ0BAAAAAA==";
    private const string Compressed = "UEsDBBQAAAAIAAAAIQCLzO77UwAAAJAAAAAHABQAZW1iLm5weQEAEACQAAAAAAAAAFMAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpNmoq6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaRjoKRpo6CrUKZAMuBgYGewaGBiBmcAAiBwBQSwMEFAAAAAgAAAAhAN/pDLJNAAAAmAAAAAoAFABsYWJlbHMubnB5AQAQAJgAAAAAAAAATQAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuk2mhrqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RrGOpo6CrUKFAAuZgYIYITSTFAaAFBLAQIUAxQAAAAIAAAAIQCLzO77UwAAAJAAAAAHAAAAAAAAAAAAAACAAQAAAABlbWIubnB5UEsBAhQDFAAAAAgAAAAhAN/pDLJNAAAAmAAAAAoAAAAAAAAAAAAAAIABjAAAAGxhYmVscy5ucHlQSwUGAAAAAAIAAgBtAAAAFQEAAAAA";

    [Theory]
    [InlineData(Stored)]
    [InlineData(Compressed)]
    public void Read_Should_LoadNumpySavezArchives(string base64)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, Convert.FromBase64String(base64));
            var arrays = NpzFile.Read(path);
            Assert.Equal(["emb", "labels"], arrays.Keys.Order());
            Assert.Equal(new float[] { 0.5f, 1, 2, 3 }, arrays["emb"].ToMatrix(path).Data);
            Assert.Equal([3, 1, 2], arrays["labels"].ToLabels(path));
            Assert.Equal([3, 1, 2], NpzFile.Read(path, "labels").ToLabels(path));
            var e = Assert.Throws<InputException>(() => NpzFile.Read(path, "nope"));
            Assert.Contains("emb, labels", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Read_Should_ReportCorruptEntriesAndArchives()
    {
        var path = Path.GetTempFileName();
        try
        {
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            {
                var entry = zip.CreateEntry("x.npy", CompressionLevel.Optimal);
                using var s = entry.Open();
                s.Write(NpyFileTests.Build(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,)}", new byte[8]));
            }
            var e = Assert.Throws<InputException>(() => NpzFile.Read(path));
            Assert.Equal("data", e.Field);
            Assert.Contains("x.npy", e.Message);

            File.WriteAllText(path, "not a zip");
            Assert.Throws<InputException>(() => NpzFile.Read(path));
        }
        finally { File.Delete(path); }
    }
}
