using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Micar.Torch.Serialization;

/// <summary>
/// A pickle interpreter for the subset of protocols 2–4 that PyTorch checkpoints use. It never imports or runs
/// anything: globals must be on <see cref="TorchPickleGlobals"/>'s allow-list (or, when explicitly tolerated,
/// become inert <see cref="PickleObject"/> records), and persistent ids become <see cref="PickleStorage"/>
/// references. Any other opcode is an error naming it.
/// </summary>
internal sealed class Unpickler
{
    private const int HighestProtocol = 5;

    private readonly ReadOnlyMemory<byte> _data;
    private readonly string _filePath;
    private readonly string _entryName;
    private readonly bool _allowUnknownGlobals;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;
    private int _opcodePosition;

    /// <summary>Creates an interpreter for one pickle.</summary>
    /// <param name="data">The pickle bytes.</param>
    /// <param name="filePath">The file, for error messages.</param>
    /// <param name="entryName">The archive entry holding the pickle, for error messages.</param>
    /// <param name="allowUnknownGlobals">Turn globals outside the allow-list into inert records instead of failing.</param>
    public Unpickler(ReadOnlyMemory<byte> data, string filePath, string entryName, bool allowUnknownGlobals)
    {
        _data = data;
        _filePath = filePath;
        _entryName = entryName;
        _allowUnknownGlobals = allowUnknownGlobals;
    }

    /// <summary>Runs the pickle to its STOP opcode and returns the object it built.</summary>
    public object? Load()
    {
        while (true)
        {
            _opcodePosition = _position;
            var op = (PickleOpcode)ReadByte();
            switch (op)
            {
                case PickleOpcode.PROTO:
                    var protocol = ReadByte();
                    if (protocol > HighestProtocol) throw Fail($"unsupported pickle protocol {protocol}");
                    break;
                case PickleOpcode.FRAME:
                    _ = ReadUInt64(); // framing only groups opcodes; the data is already in memory
                    break;
                case PickleOpcode.STOP:
                    if (_stack.Count != 1 || _marks.Count != 0)
                        throw Fail($"STOP with {_stack.Count} values on the stack and {_marks.Count} open marks");
                    return _stack[0];

                // ---- stack manipulation ----
                case PickleOpcode.MARK: _marks.Push(_stack.Count); break;
                case PickleOpcode.POP:
                    if (_marks.Count > 0 && _marks.Peek() == _stack.Count) _marks.Pop(); else Pop();
                    break;
                case PickleOpcode.POP_MARK: PopMark(); break;
                case PickleOpcode.DUP: Push(Peek()); break;

                // ---- memo ----
                case PickleOpcode.BINPUT: _memo[ReadByte()] = Peek(); break;
                case PickleOpcode.LONG_BINPUT: _memo[ReadUInt32()] = Peek(); break;
                case PickleOpcode.MEMOIZE: _memo[_memo.Count] = Peek(); break;
                case PickleOpcode.BINGET: Push(MemoGet(ReadByte())); break;
                case PickleOpcode.LONG_BINGET: Push(MemoGet(ReadUInt32())); break;

                // ---- scalars ----
                case PickleOpcode.NONE: Push(null); break;
                case PickleOpcode.NEWTRUE: Push(true); break;
                case PickleOpcode.NEWFALSE: Push(false); break;
                case PickleOpcode.BININT: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Read(4))); break;
                case PickleOpcode.BININT1: Push((long)ReadByte()); break;
                case PickleOpcode.BININT2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Read(2))); break;
                case PickleOpcode.LONG1: Push(ReadLong(ReadByte())); break;
                case PickleOpcode.LONG4: Push(ReadLong(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(Read(4))))); break;
                case PickleOpcode.BINFLOAT: Push(BinaryPrimitives.ReadDoubleBigEndian(Read(8))); break;

                // ---- strings and bytes ----
                case PickleOpcode.SHORT_BINUNICODE: Push(ReadUtf8(ReadByte())); break;
                case PickleOpcode.BINUNICODE: Push(ReadUtf8(ReadLength(ReadUInt32()))); break;
                case PickleOpcode.BINUNICODE8: Push(ReadUtf8(ReadLength(ReadUInt64()))); break;
                // Python 2 strings; torch.load decodes them as UTF-8 by default.
                case PickleOpcode.SHORT_BINSTRING: Push(ReadUtf8(ReadByte())); break;
                case PickleOpcode.BINSTRING: Push(ReadUtf8(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(Read(4))))); break;
                case PickleOpcode.SHORT_BINBYTES: Push(Read(ReadByte()).ToArray()); break;
                case PickleOpcode.BINBYTES: Push(Read(ReadLength(ReadUInt32())).ToArray()); break;
                case PickleOpcode.BINBYTES8: Push(Read(ReadLength(ReadUInt64())).ToArray()); break;

                // ---- containers ----
                case PickleOpcode.EMPTY_TUPLE: Push(PickleTuple.Empty); break;
                case PickleOpcode.TUPLE: Push(new PickleTuple(PopMark())); break;
                case PickleOpcode.TUPLE1: Push(new PickleTuple([Pop()])); break;
                case PickleOpcode.TUPLE2: { var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b])); break; }
                case PickleOpcode.TUPLE3: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b, c])); break; }
                case PickleOpcode.EMPTY_LIST: Push(new List<object?>()); break;
                case PickleOpcode.LIST: Push(PopMark()); break;
                case PickleOpcode.APPEND: { var v = Pop(); TargetList().Add(v); break; }
                case PickleOpcode.APPENDS: { var items = PopMark(); TargetList().AddRange(items); break; }
                case PickleOpcode.EMPTY_DICT: Push(new PickleDict()); break;
                case PickleOpcode.DICT:
                {
                    var items = PopMark();
                    var dict = new PickleDict();
                    SetItems(dict, items);
                    Push(dict);
                    break;
                }
                case PickleOpcode.SETITEM:
                {
                    var value = Pop();
                    var key = Pop();
                    SetItems(TargetDict(), [key, value]);
                    break;
                }
                case PickleOpcode.SETITEMS: { var items = PopMark(); SetItems(TargetDict(), items); break; }

                // ---- globals, calls, persistent ids ----
                case PickleOpcode.GLOBAL:
                {
                    var module = ReadLine();
                    var name = ReadLine();
                    Push(ResolveGlobal(module, name));
                    break;
                }
                case PickleOpcode.STACK_GLOBAL:
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n)
                        throw Fail("STACK_GLOBAL needs a module name and a global name as strings");
                    Push(ResolveGlobal(m, n));
                    break;
                }
                case PickleOpcode.REDUCE:
                case PickleOpcode.NEWOBJ:
                {
                    var args = Pop();
                    var callable = Pop();
                    if (args is not PickleTuple tuple)
                        throw Fail($"{op} arguments are {PickleFormatting.TypeName(args)}, expected a tuple");
                    Push(Call(op, callable, tuple));
                    break;
                }
                case PickleOpcode.BUILD:
                {
                    var state = Pop();
                    Build(Peek(), state);
                    break;
                }
                case PickleOpcode.BINPERSID:
                    Push(TorchPickleGlobals.PersistentLoad(Pop(), Fail));
                    break;

                default:
                    throw Fail(Enum.IsDefined(op)
                        ? $"unsupported pickle opcode {op} (0x{(byte)op:x2}); a state dict does not need it"
                        : $"unknown pickle opcode 0x{(byte)op:x2}");
            }
        }
    }

    private Exception Fail(string problem) =>
        new CheckpointFormatException(_filePath, $"{_entryName}, byte {_opcodePosition}: {problem}");

    // ---- stack ----

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        var floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor) throw Fail("pickle stack underflow");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek()
    {
        var floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor) throw Fail("pickle stack underflow");
        return _stack[^1];
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Fail("no MARK to pop to");
        var start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private object? MemoGet(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw Fail($"memo entry {index} is read before being stored");

    private List<object?> TargetList() =>
        Peek() is List<object?> list ? list : throw Fail($"cannot append to {PickleFormatting.TypeName(Peek())}, expected a list");

    private PickleDict TargetDict() =>
        Peek() is PickleDict dict ? dict : throw Fail($"cannot set items of {PickleFormatting.TypeName(Peek())}, expected a dict");

    private void SetItems(PickleDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0) throw Fail($"odd number ({items.Count}) of keys and values for a dict");
        for (var i = 0; i < items.Count; i += 2)
        {
            if (!IsHashable(items[i])) throw Fail($"unhashable dict key of type {PickleFormatting.TypeName(items[i])}");
            dict.Set(items[i], items[i + 1]);
        }
    }

    private static bool IsHashable(object? key) => key switch
    {
        null or bool or long or BigInteger or double or string or byte[] or PickleGlobal => true,
        PickleTuple t => t.Items.All(IsHashable),
        _ => false,
    };

    // ---- globals and calls ----

    private PickleGlobal ResolveGlobal(string module, string name)
    {
        var global = new PickleGlobal(module, name);
        if (!TorchPickleGlobals.IsAllowed(global) && !_allowUnknownGlobals)
        {
            var hint = module == "__main__" || module.StartsWith("torch.nn.modules", StringComparison.Ordinal)
                ? "; the file seems to hold a pickled module (torch.save(model)): save model.state_dict() instead"
                : "";
            throw Fail($"global '{global.FullName}' is not allowed: a PyTorch state dict only references " +
                       "tensor-rebuilding functions, storage classes and collections.OrderedDict " +
                       $"(nothing is ever imported or executed){hint}");
        }
        return global;
    }

    private object Call(PickleOpcode op, object? callable, PickleTuple args)
    {
        if (callable is not PickleGlobal global)
            throw Fail($"{op} on {PickleFormatting.TypeName(callable)}, which is not a global");
        if (TorchPickleGlobals.IsCallable(global)) return TorchPickleGlobals.Call(global, args, Fail);
        if (_allowUnknownGlobals) return new PickleObject(global, args);
        throw Fail($"{global.FullName} cannot be called");
    }

    private void Build(object? target, object? state)
    {
        switch (target)
        {
            case PickleDict dict:
                // An OrderedDict's instance attributes, e.g. a state dict's _metadata: (attrs) or (attrs, slots).
                var attributes = state is PickleTuple { Count: 2 } t ? t[0] : state;
                if (attributes is null) return;
                if (attributes is not PickleDict attrs)
                    throw Fail($"BUILD of a dict with state of type {PickleFormatting.TypeName(attributes)}");
                dict.Attributes = attrs;
                return;
            case PickleObject obj:
                obj.State = state;
                return;
            default:
                throw Fail($"BUILD (set object state) is not supported on {PickleFormatting.TypeName(target)}");
        }
    }

    // ---- reading ----

    private byte ReadByte()
    {
        if (_position >= _data.Length) throw Fail("pickle ends without STOP (truncated?)");
        return _data.Span[_position++];
    }

    private ReadOnlySpan<byte> Read(int count)
    {
        if (count > _data.Length - _position)
            throw Fail($"pickle ends inside an opcode argument ({count} bytes needed, {_data.Length - _position} left)");
        var span = _data.Span.Slice(_position, count);
        _position += count;
        return span;
    }

    private uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Read(4));

    private ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Read(8));

    private int ReadLength(long length)
    {
        if (length < 0 || length > _data.Length - _position)
            throw Fail($"length {length} runs past the end of the pickle");
        return (int)length;
    }

    private int ReadLength(ulong length) => ReadLength(length > long.MaxValue ? -1 : (long)length);

    private string ReadUtf8(int count)
    {
        var bytes = Read(count);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw Fail($"string is not valid UTF-8: {e.Message}");
        }
    }

    private string ReadLine()
    {
        var rest = _data.Span[_position..];
        var end = rest.IndexOf((byte)'\n');
        if (end < 0) throw Fail("GLOBAL name is not terminated by a newline");
        var text = Encoding.ASCII.GetString(rest[..end]);
        _position += end + 1;
        return text;
    }

    /// <summary>Python's LONG1/LONG4 payload: little-endian two's complement; fits in a long when it can.</summary>
    private object ReadLong(int count)
    {
        var value = new BigInteger(Read(count), isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value; // (object): else the conditional is BigInteger throughout
    }
}
