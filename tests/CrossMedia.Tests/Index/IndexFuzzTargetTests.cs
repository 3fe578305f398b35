using CrossMedia.Bench.Fuzz;

namespace CrossMedia.Tests.Index;

/// <summary>The fuzzer's index target: its mutations and how it judges a damaged log.</summary>
public sealed class IndexFuzzTargetTests
{
    [Fact]
    public void HugeValue_Should_AlwaysChangeAndLogOneWord_EvenPastTheEndOfAShortFile()
    {
        // A random word past the end (a file length not a multiple of 4, or under 8 bytes) used to be skipped unlogged,
        // and the index target crashed reading the mutation it expected (fuzz index seed 7 case 111).
        for (int length = 1; length <= 13; length++)
            for (int seed = 0; seed < 200; seed++)
            {
                var input = Enumerable.Repeat((byte)0xAB, length).ToArray();
                var log = new List<Mutation>();
                var output = Mutator.HugeValue(new Random(seed), input, [], log);
                var m = Assert.Single(log);
                Assert.InRange(m.Offset + m.Length, 1, length);
                Assert.Equal(length, output.Length);
                Assert.NotEqual(input, output);
            }
    }

    // Two log records as the fuzzer locates them (the first from byte 0: it created the file, header included):
    // a removal after a 76-byte header, then an addition.
    private static readonly (long, long)[] TwoRecords = [(0, 121), (121, 207)];

    [Theory]
    [InlineData("huge32=2147483648", 120, 4, new[] { 0, 1 }, true)]  // spans record 1's end and the last record's length (seed 7 case 172)
    [InlineData("delete", 100, 60, new[] { 0, 1 }, true)]
    [InlineData("flip", 150, 1, new[] { 1 }, true)]
    [InlineData("truncate", 100, 0, new[] { 0, 1 }, true)]
    [InlineData("append", 207, 9, new int[0], true)]
    [InlineData("insert", 121, 5, new[] { 1 }, true)]
    [InlineData("insert", 120, 5, new[] { 0 }, false)]
    [InlineData("set", 100, 1, new[] { 0 }, false)]
    [InlineData("huge64=0", 116, 8, new[] { 0, 1 }, true)]
    public void DamagedRecords_Should_CountDamageReachingTheLastRecordAsATornTail(string kind, int offset, int length, int[] damaged, bool tail)
    {
        var result = IndexTarget.DamagedRecords(TwoRecords, new Mutation(kind, offset, length));
        Assert.Equal(damaged, result.Damaged.Order());
        Assert.Equal(tail, result.Tail);
    }

    [Fact]
    public void DamagedRecords_Should_NotCallDamageFollowedByAnIntactRecordATail()
    {
        (long, long)[] three = [(0, 121), (121, 207), (207, 284)];
        var spanning = IndexTarget.DamagedRecords(three, new Mutation("huge32=0", 120, 4));
        Assert.Equal([0, 1], spanning.Damaged.Order());
        Assert.False(spanning.Tail);  // the third record is intact: skipping the first two would be garbage
        Assert.True(IndexTarget.DamagedRecords(three, new Mutation("huge32=0", 204, 4)).Tail);
    }
}
