using System.Buffers.Binary;
using System.Text;

namespace Micar.Torch.Serialization;

/// <summary>Emits pickle (protocol 2) opcodes, memoizing globals so each is spelled out once.</summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream _buffer = new();
    private readonly Dictionary<string, int> _globals = new(StringComparer.Ordinal);
    private int _memoCount;

    public PickleWriter Op(PickleOpcode opcode)
    {
        _buffer.WriteByte((byte)opcode);
        return this;
    }

    public PickleWriter Proto() => Op(PickleOpcode.PROTO).Byte(2);

    public PickleWriter String(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        Op(PickleOpcode.BINUNICODE).UInt32((uint)utf8.Length);
        _buffer.Write(utf8);
        return this;
    }

    public PickleWriter Int(long value)
    {
        if (value is >= 0 and <= byte.MaxValue) return Op(PickleOpcode.BININT1).Byte((byte)value);
        if (value is >= 0 and <= ushort.MaxValue)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value);
            Op(PickleOpcode.BININT2);
            _buffer.Write(b);
            return this;
        }
        if (value is >= int.MinValue and <= int.MaxValue) return Op(PickleOpcode.BININT).UInt32((uint)(int)value);
        // LONG1: little-endian two's complement, 8 bytes always suffice for a long.
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        Op(PickleOpcode.LONG1).Byte(8);
        _buffer.Write(bytes);
        return this;
    }

    public PickleWriter Bool(bool value) => Op(value ? PickleOpcode.NEWTRUE : PickleOpcode.NEWFALSE);

    /// <summary>A tuple of integers (EMPTY_TUPLE, TUPLE1–3 or MARK … TUPLE).</summary>
    public PickleWriter IntTuple(IReadOnlyList<long> values)
    {
        if (values.Count == 0) return Op(PickleOpcode.EMPTY_TUPLE);
        if (values.Count > 3) Op(PickleOpcode.MARK);
        foreach (var v in values) Int(v);
        return Op(values.Count switch
        {
            1 => PickleOpcode.TUPLE1,
            2 => PickleOpcode.TUPLE2,
            3 => PickleOpcode.TUPLE3,
            _ => PickleOpcode.TUPLE,
        });
    }

    /// <summary>Pushes a global: GLOBAL the first time (then memoized), BINGET afterwards.</summary>
    public PickleWriter Global(string module, string name)
    {
        var key = $"{module}\n{name}\n";
        if (_globals.TryGetValue(key, out var index)) return Get(index);
        Op(PickleOpcode.GLOBAL);
        _buffer.Write(Encoding.ASCII.GetBytes(key));
        _globals[key] = _memoCount;
        return Put();
    }

    public byte[] ToArray() => _buffer.ToArray();

    private PickleWriter Put()
    {
        var index = _memoCount++;
        return index <= byte.MaxValue ? Op(PickleOpcode.BINPUT).Byte((byte)index) : Op(PickleOpcode.LONG_BINPUT).UInt32((uint)index);
    }

    private PickleWriter Get(int index) =>
        index <= byte.MaxValue ? Op(PickleOpcode.BINGET).Byte((byte)index) : Op(PickleOpcode.LONG_BINGET).UInt32((uint)index);

    private PickleWriter Byte(byte value)
    {
        _buffer.WriteByte(value);
        return this;
    }

    private PickleWriter UInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        _buffer.Write(b);
        return this;
    }
}
