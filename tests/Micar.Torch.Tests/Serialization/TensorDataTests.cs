using Micar.Torch.Serialization;
using Xunit;

namespace Micar.Torch.Tests.Serialization;

public class TensorDataTests
{
    [Fact]
    public void Constructor_RejectsWrongByteCount()
    {
        var e = Assert.Throws<ArgumentException>(() => new TensorData(DType.Float32, [2, 3], new byte[20]));
        Assert.Contains("needs 24 bytes, got 20", e.Message);
        Assert.Contains("[2, 3]", e.Message);
    }

    [Fact]
    public void Constructor_RejectsNegativeDimension()
    {
        var e = Assert.Throws<ArgumentException>(() => new TensorData(DType.Int64, [2, -1], []));
        Assert.Contains("negative dimension -1", e.Message);
    }

    [Fact]
    public void Constructor_RejectsUnsupportedDType() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorData((DType)9, [1], new byte[8]));

    [Fact]
    public void Constructor_CopiesShapeButNotData()
    {
        long[] shape = [2];
        var data = new byte[8];
        var t = new TensorData(DType.Float32, shape, data);
        shape[0] = 5;
        Assert.Equal([2L], t.Shape);
        Assert.Same(data, t.Data);
    }

    [Fact]
    public void ScalarAndEmptyShapes()
    {
        var scalar = TensorData.FromArray([7L], []);
        Assert.Equal(0, scalar.Rank);
        Assert.Equal(1, scalar.Numel);
        Assert.Equal(8, scalar.Data.Length);
        var empty = new TensorData(DType.Float32, [2, 0, 3], []);
        Assert.Equal(0, empty.Numel);
        Assert.Empty(empty.ToFloat32Array());
    }

    [Fact]
    public void FromArray_WritesLittleEndianBytes()
    {
        var t = TensorData.FromArray([1.0f, -2.0f], [2, 1]);
        Assert.Equal(DType.Float32, t.DType);
        Assert.Equal([2L, 1L], t.Shape);
        // 1.0f = 0x3F800000, -2.0f = 0xC0000000, little-endian.
        Assert.Equal(new byte[] { 0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0 }, t.Data);
        var i = TensorData.FromArray([0x0102030405060708L]);
        Assert.Equal(new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 }, i.Data);
    }

    [Fact]
    public void FromArray_RejectsShapeOfOtherSize() =>
        Assert.Throws<ArgumentException>(() => TensorData.FromArray([1f, 2f, 3f], [2, 2]));

    [Fact]
    public void TypedViews_RoundTripEveryDType()
    {
        Assert.Equal([1.5, -2.0], TensorData.FromArray([1.5, -2.0]).ToFloat64Array());
        Assert.Equal([1.5f, -2.0f], TensorData.FromArray([1.5f, -2.0f]).ToFloat32Array());
        Assert.Equal([(Half)0.5, (Half)(-3)], TensorData.FromArray([(Half)0.5, (Half)(-3)]).ToFloat16Array());
        Assert.Equal([long.MinValue, 3L], TensorData.FromArray([long.MinValue, 3L]).ToInt64Array());
        Assert.Equal([int.MaxValue, -4], TensorData.FromArray([int.MaxValue, -4]).ToInt32Array());
        Assert.Equal([(short)-300, (short)7], TensorData.FromArray([(short)-300, (short)7]).ToInt16Array());
        Assert.Equal([(sbyte)-128, (sbyte)127], TensorData.FromArray([(sbyte)-128, (sbyte)127]).ToInt8Array());
        Assert.Equal([(byte)0, (byte)255], TensorData.FromArray([(byte)0, (byte)255]).ToUInt8Array());
        Assert.Equal([true, false, true], TensorData.FromArray([true, false, true]).ToBoolArray());
        Assert.Equal(new byte[] { 1, 0, 1 }, TensorData.FromArray([true, false, true]).Data);
        Assert.Equal([(ushort)0x3F80], TensorData.FromBFloat16Bits([0x3F80]).ToBFloat16Bits());
    }

    [Fact]
    public void TypedView_OfOtherDTypeFails()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TensorData.FromArray([1L]).ToFloat32Array());
        Assert.Contains("int64, not float32", e.Message);
    }

    [Fact]
    public void ConvertToFloat32_HalfAndBFloat16Exactly()
    {
        // float16: 0x3C00 = 1.0, 0xC100 = -2.5, 0x7BFF = 65504 (largest), 0x0001 = 2^-24 (smallest subnormal).
        var f16 = new TensorData(DType.Float16, [4], [0x00, 0x3C, 0x00, 0xC1, 0xFF, 0x7B, 0x01, 0x00]);
        Assert.Equal([1.0f, -2.5f, 65504f, MathF.Pow(2, -24)], f16.ConvertToFloat32());
        // bfloat16 is the top half of a float32: 0x3FC0 = 1.5, 0xC049 = -3.140625, 0x7F80 = +inf.
        var bf16 = TensorData.FromBFloat16Bits([0x3FC0, 0xC049, 0x7F80]);
        Assert.Equal([1.5f, -3.140625f, float.PositiveInfinity], bf16.ConvertToFloat32());
    }

    [Fact]
    public void ConvertToFloat32_OtherDTypes()
    {
        Assert.Equal([0.1f], TensorData.FromArray([0.1]).ConvertToFloat32());
        Assert.Equal([-5f, 3f], TensorData.FromArray([-5L, 3L]).ConvertToFloat32());
        Assert.Equal([1f, 0f], TensorData.FromArray([true, false]).ConvertToFloat32());
        Assert.Equal([200f], TensorData.FromArray([(byte)200]).ConvertToFloat32());
        Assert.Equal([-7f], TensorData.FromArray([(sbyte)-7]).ConvertToFloat32());
    }

    [Fact]
    public void Equality_ComparesContent()
    {
        var a = TensorData.FromArray([1f, 2f], [2]);
        var b = TensorData.FromArray([1f, 2f], [2]);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, TensorData.FromArray([1f, 2f], [1, 2]));
        Assert.NotEqual(a, TensorData.FromArray([1f, 3f], [2]));
        Assert.NotEqual(a, new TensorData(DType.Int32, [2], a.Data));
        Assert.Equal("TensorData { DType = float32, Shape = [2], Bytes = 8 }", a.ToString());
    }
}
