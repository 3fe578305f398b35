using CrossMedia.Training;

namespace CrossMedia.Tests.Training;

public class TrainingPlotTests
{
    [Fact]
    public void Write_Should_ProduceAPngOfTheRequestedSize()
    {
        var history = Enumerable.Range(1, 6).Select(e => new EpochRecord(e,
            new Dictionary<string, double> { ["critic"] = -e * 0.1, ["regressor"] = 1.0 / e },
            e % 2 == 0 ? 0.2 + 0.01 * e : null, e % 2 == 0 ? "softmax" : null, 1.0, 0.5)).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"plot-{Guid.NewGuid():N}.png");
        try
        {
            TrainingPlot.Write(path, history, "test", 800, 300);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes.Take(4));
            // IHDR: width and height, big-endian, at offsets 16 and 20.
            Assert.Equal(800, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            Assert.Equal(300, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        }
        finally { File.Delete(path); }
    }
}
