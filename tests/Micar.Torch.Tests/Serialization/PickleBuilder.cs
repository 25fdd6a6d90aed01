using System.Buffers.Binary;
using System.Text;
using Xunit;

namespace Micar.Torch.Tests.Serialization;

/// <summary>Writes pickle opcodes by hand, to build small (and deliberately broken) test pickles.</summary>
internal sealed class PickleBuilder
{
    private readonly List<byte> _bytes = [];

    public PickleBuilder Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public PickleBuilder Op(char opcode) => Raw((byte)opcode);

    public PickleBuilder Proto(byte version = 2) => Raw(0x80, version);

    public PickleBuilder Str(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
        return Op('X').Raw(length).Raw(utf8);
    }

    public PickleBuilder Int(byte value) => Op('K').Raw(value);

    public PickleBuilder Global(string module, string name) => Op('c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    /// <summary>A tensor: _rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel), offset, size, stride, False, OrderedDict()).</summary>
    public PickleBuilder Tensor(string storageKey, byte storageNumel, byte offset, byte[] size, byte[] stride, string storageType = "FloatStorage") =>
        TensorWith(v => Int((byte)v), storageKey, storageNumel, offset, [.. size.Select(s => (long)s)], [.. stride.Select(s => (long)s)], storageType);

    /// <summary>Any 64-bit integer, as LONG1 with eight little-endian bytes.</summary>
    public PickleBuilder Long(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return Raw(0x8a, 8).Raw(bytes);
    }

    /// <summary>As <see cref="Tensor"/>, with sizes of any magnitude.</summary>
    public PickleBuilder LargeTensor(string storageKey, long storageNumel, long offset, long[] size, long[] stride, string storageType = "FloatStorage") =>
        TensorWith(v => Long(v), storageKey, storageNumel, offset, size, stride, storageType);

    PickleBuilder TensorWith(Action<long> integer, string storageKey, long storageNumel, long offset, long[] size, long[] stride, string storageType)
    {
        Global("torch._utils", "_rebuild_tensor_v2").Op('(');
        Op('(').Str("storage").Global("torch", storageType).Str(storageKey).Str("cpu");
        integer(storageNumel);
        Op('t').Op('Q');
        integer(offset);
        Op('(');
        foreach (var s in size) integer(s);
        Op('t').Op('(');
        foreach (var s in stride) integer(s);
        Op('t');
        Raw(0x89).Global("collections", "OrderedDict").Op(')').Op('R');
        return Op('t').Op('R');
    }

    public byte[] ToArray() => _bytes.ToArray();
}
