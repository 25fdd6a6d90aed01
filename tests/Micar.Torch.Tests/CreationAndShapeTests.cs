using Micar.Torch;
using Xunit;

namespace Micar.Torch.Tests;

/// <summary>Creation, data in/out, dtypes, shape manipulation: hand-computed expectations.</summary>
public class CreationAndShapeTests
{
    [Fact]
    public void Creation_functions_give_the_expected_values()
    {
        using var scope = Libtorch.NewScope();
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 0 }, Libtorch.Zeros([2, 3]).ToArray<float>());
        Assert.Equal(new float[] { 1, 1 }, Libtorch.Ones([2]).ToArray<float>());
        Assert.Equal(new double[] { 2.5, 2.5 }, Libtorch.Full([2], 2.5, DType.Float64).ToArray<double>());
        Assert.Equal(new long[] { 0, 1, 2, 3 }, Libtorch.Arange(4).ToArray<long>());
        Assert.Equal(new float[] { 1f, 1.5f, 2f, 2.5f }, Libtorch.Arange(1, 3, 0.5).ToArray<float>());
        Assert.Equal(DType.Int64, Libtorch.Arange(0, 5).DType);
        var r = Libtorch.Rand([1000], new Generator(3));
        Assert.True(r.Ge(0).All() && r.Lt(1).All());
        var ri = Libtorch.Randint(-2, 3, [500], new Generator(5));
        Assert.True(ri.Ge(-2).All() && ri.Lt(3).All());
        Assert.Equal(5, ri.ToArray<long>().Distinct().Count());
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float16)]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Int64)]
    [InlineData(DType.Int32)]
    [InlineData(DType.UInt8)]
    [InlineData(DType.Bool)]
    public void Every_supported_dtype_round_trips_through_conversion(DType dtype)
    {
        using var scope = Libtorch.NewScope();
        var src = Libtorch.Tensor(new float[] { 0, 1, 2, 3 });
        var t = src.To(dtype);
        Assert.Equal(dtype, t.DType);
        Assert.Equal(dtype.ElementSize() * 4, t.ToBytes().Length);
        var back = t.To(DType.Float32).ToArray<float>();
        Assert.Equal(dtype == DType.Bool ? new float[] { 0, 1, 1, 1 } : new float[] { 0, 1, 2, 3 }, back);
    }

    [Fact]
    public void Data_in_and_out_preserves_values_and_layout()
    {
        using var scope = Libtorch.NewScope();
        var t = Tensor.From<float>(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.Equal(new long[] { 2, 3 }, t.Shape);
        Assert.Equal(new long[] { 3, 1 }, t.Strides);
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, t.T.ToArray<float>());
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, t.T.Contiguous().AsSpan<float>().ToArray());
        var bytes = Tensor.FromBytes(BitConverter.GetBytes(7L), DType.Int64, 1);
        Assert.Equal(7L, bytes.Item<long>());
        Assert.Equal(6L, t.Numel);
        Assert.Throws<ArgumentException>(() => Tensor.From<float>(new float[] { 1, 2, 3 }, 2, 2));
    }

    [Fact]
    public void Shape_operations_follow_pytorch_semantics()
    {
        using var scope = Libtorch.NewScope();
        var x = Libtorch.Arange(24).Reshape(2, 3, 4);
        Assert.Equal(new long[] { 4, 2, 3 }, x.Permute(2, 0, 1).Shape);
        Assert.Equal(new long[] { 6, 4 }, x.View(-1, 4).Shape);
        Assert.Equal(new long[] { 2, 3, 4, 2 }, x.Unsqueeze(-1).Expand(-1, -1, -1, 2).Shape);
        Assert.Equal(new long[] { 4, 6, 4 }, x.Repeat(2, 2, 1).Shape);
        Assert.Equal(new long[] { 2, 6, 4 }, Libtorch.Cat([x, x], 1).Shape);
        Assert.Equal(new long[] { 2, 2, 3, 4 }, Libtorch.Stack([x, x], 1).Shape);
        var parts = x.Split(2, 2);
        Assert.Equal(2, parts.Length);
        Assert.Equal(new long[] { 2, 3, 2 }, parts[1].Shape);
        Assert.Equal(new long[] { 1, 3, 4 }, x.Chunk(2)[1].Shape);
        Assert.Equal(new long[] { 12, 13, 14, 15 }, x.Select(0, 1).Select(0, 0).ToArray<long>());
        Assert.Equal(new long[] { 4, 5, 6, 7, 16, 17, 18, 19 }, x.Narrow(1, 1, 1).Flatten().ToArray<long>());
        var idx = Libtorch.Tensor(new long[] { 2, 0 });
        Assert.Equal(new long[] { 8, 9, 10, 11, 0, 1, 2, 3 }, x.Select(0, 0).IndexSelect(0, idx).Flatten().ToArray<long>());
        var small = Libtorch.Tensor(new long[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.Equal(new long[] { 3, 1, 5, 5 }, small.Gather(1, Libtorch.Tensor(new long[] { 2, 0, 1, 1 }, 2, 2)).Flatten().ToArray<long>());
        var z = Libtorch.Zeros([5], DType.Int64).ScatterAdd(0, Libtorch.Tensor(new long[] { 1, 1, 4 }), Libtorch.Tensor(new long[] { 2, 3, 7 }));
        Assert.Equal(new long[] { 0, 5, 0, 0, 7 }, z.ToArray<long>());
        var m = Libtorch.Tensor(new float[] { 1, 2, 3 }).MaskedFill(Libtorch.Tensor(new long[] { 1, 0, 1 }).Ne(0), -1e9);
        Assert.Equal(new float[] { -1e9f, 2, -1e9f }, m.ToArray<float>());
        var w = Libtorch.Where(Libtorch.Tensor(new long[] { 1, 0 }).Ne(0), Libtorch.Tensor(new float[] { 1, 2 }), Libtorch.Tensor(new float[] { 3, 4 }));
        Assert.Equal(new float[] { 1, 4 }, w.ToArray<float>());
        Assert.Equal(new long[] { 3, 13 }, x.Index(Libtorch.Tensor(new long[] { 0, 1 }), Libtorch.Tensor(new long[] { 0, 0 }), Libtorch.Tensor(new long[] { 3, 1 })).ToArray<long>());
        var (mv, mi) = Libtorch.Tensor(new float[] { 1, 5, 2, 7, 0, 3 }, 2, 3).Max(1);
        Assert.Equal(new float[] { 5, 7 }, mv.ToArray<float>());
        Assert.Equal(new long[] { 1, 0 }, mi.ToArray<long>());
    }

    [Fact]
    public void Sampling_from_a_distribution_respects_its_support()
    {
        using var scope = Libtorch.NewScope();
        var probs = Libtorch.Tensor(new float[] { 0, 0.3f, 0, 0.7f, 0.5f, 0.5f, 0, 0 }, 2, 4);
        var draws = probs.Multinomial(50, replacement: true, generator: new Generator(11));
        var row0 = draws.Select(0, 0).ToArray<long>();
        var row1 = draws.Select(0, 1).ToArray<long>();
        Assert.All(row0, v => Assert.Contains(v, new long[] { 1, 3 }));
        Assert.All(row1, v => Assert.Contains(v, new long[] { 0, 1 }));
    }
}
