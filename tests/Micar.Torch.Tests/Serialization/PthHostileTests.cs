using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Micar.Torch.Serialization;
using Xunit;

namespace Micar.Torch.Tests.Serialization;

/// <summary>
/// Crafted <c>.pth</c> files that declare more data than they hold, or hold more than they declare, are refused
/// from the zip's central directory before any storage is decompressed, with a bounded amount of memory.
/// </summary>
public class PthHostileTests
{
    private const int Floats4M = 1 << 20; // 1 Mi float32 = 4 MiB, compresses to a few KiB

    /// <summary>Writes archive/data.pkl, archive/version and archive/data/&lt;key&gt; records, the storages deflated.</summary>
    private static string WriteDeflated(TempDirectory dir, string name, byte[] pickle, params (string Key, byte[] Bytes)[] storages)
    {
        var path = dir.File(name);
        using var stream = File.Create(path);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
        void Add(string entry, byte[] content, CompressionLevel level)
        {
            using var s = zip.CreateEntry(entry, level).Open();
            s.Write(content);
        }
        Add("archive/data.pkl", pickle, CompressionLevel.NoCompression);
        foreach (var (key, bytes) in storages) Add($"archive/data/{key}", bytes, CompressionLevel.Optimal);
        Add("archive/version", "3\n"u8.ToArray(), CompressionLevel.NoCompression);
        return path;
    }

    /// <summary>Overwrites the uncompressed size of one record in both its local header and the central directory.</summary>
    private static void PatchDeclaredSize(string path, string entryName, uint size)
    {
        var bytes = File.ReadAllBytes(path);
        var name = Encoding.ASCII.GetBytes(entryName);
        var patched = 0;
        for (var i = 0; i + 46 < bytes.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
            var (nameAt, sizeAt) = signature switch
            {
                0x04034b50 => (i + 30, i + 22), // local file header
                0x02014b50 => (i + 46, i + 24), // central directory header
                _ => (-1, -1),
            };
            if (nameAt < 0 || !bytes.AsSpan(nameAt).StartsWith(name) || nameAt + name.Length >= bytes.Length) continue;
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(signature == 0x04034b50 ? i + 26 : i + 28));
            if (nameLength != name.Length) continue;
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(sizeAt), size);
            patched++;
        }
        Assert.Equal(2, patched);
        File.WriteAllBytes(path, bytes);
    }

    private static byte[] TwoTensorPickle(long secondNumel) =>
        new PickleBuilder().Proto().Op('}').Op('(')
            .Str("first.weight").LargeTensor("0", Floats4M, 0, [Floats4M], [1])
            .Str("second.weight").LargeTensor("1", secondNumel, 0, [secondNumel], [1])
            .Op('u').Op('.').ToArray();

    private static (CheckpointFormatException Error, long Allocated) Refuse(Action read)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CheckpointFormatException>(read);
        return (e, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Storage_declaring_more_than_its_record_is_refused_before_any_storage_is_read()
    {
        using var dir = new TempDirectory();
        // 'second.weight' claims 2^28 floats (1 GiB) over a 16-byte record; 'first.weight' is a valid 4 MiB storage.
        var path = WriteDeflated(dir, "lying.pth", TwoTensorPickle(1L << 28), ("0", new byte[4 * Floats4M]), ("1", new byte[16]));
        var (e, allocated) = Refuse(() => PthReader.ReadStateDict(path));
        Assert.Equal("second.weight", e.Key);
        Assert.Contains(path, e.Message);
        Assert.Contains("needs 1073741824 bytes but entry 'archive/data/1' has 16", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated: the valid storage was read before the check");
    }

    [Fact]
    public void Record_inflating_past_its_declared_size_is_refused()
    {
        using var dir = new TempDirectory();
        // The record holds 4 MiB of zeros but declares 16 bytes, as the 4-float storage does.
        var pickle = new PickleBuilder().Proto().Op('}').Str("w").LargeTensor("0", 4, 0, [4], [1]).Op('s').Op('.').ToArray();
        var path = WriteDeflated(dir, "bomb.pth", pickle, ("0", new byte[4 * Floats4M]));
        PatchDeclaredSize(path, "archive/data/0", 16);
        var (e, allocated) = Refuse(() => PthReader.ReadStateDict(path));
        Assert.Equal("w", e.Key);
        Assert.Contains("'archive/data/0'", e.Message);
        Assert.Contains("its 16 bytes have CRC-32", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void Declared_size_beyond_what_deflate_can_produce_is_refused_before_allocating()
    {
        using var dir = new TempDirectory();
        // A 4 MiB record of zeros (a few KiB compressed) whose header claims 256 MiB, matching a 2^26-float storage.
        var pickle = new PickleBuilder().Proto().Op('}').Str("w").LargeTensor("0", 1L << 26, 0, [1L << 26], [1]).Op('s').Op('.').ToArray();
        var path = WriteDeflated(dir, "ratio.pth", pickle, ("0", new byte[4 * Floats4M]));
        PatchDeclaredSize(path, "archive/data/0", 1u << 28);
        var (e, allocated) = Refuse(() => PthReader.ReadStateDict(path));
        Assert.Equal("w", e.Key);
        Assert.Contains("entry 'archive/data/0' declares 268435456 bytes from", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void Oversized_pickle_record_is_refused_before_allocating()
    {
        using var dir = new TempDirectory();
        var path = WriteDeflated(dir, "pickle.pth", new byte[PthFile.MaxPickleBytes + 1]);
        var (e, allocated) = Refuse(() => PthReader.ReadObject(path));
        Assert.Contains($"declares {PthFile.MaxPickleBytes + 1} bytes", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void State_dict_is_described_without_reading_and_read_under_a_budget()
    {
        using var dir = new TempDirectory();
        var path = WriteDeflated(dir, "budget.pth", TwoTensorPickle(4), ("0", new byte[4 * Floats4M]), ("1", new byte[16]));
        using var sd = PthReader.OpenStateDict(path);
        Assert.Equal(["first.weight", "second.weight"], sd.Tensors.Select(t => t.Key));
        Assert.Equal([(long)Floats4M], sd.Tensors[0].Value.Size);
        Assert.Equal(4L * Floats4M + 16, sd.StorageBytes);
        Assert.Equal(0, sd.StorageBytesRead);

        var (e, allocated) = Refuse(() => sd.ReadAll(maxStorageBytes: 1000));
        Assert.Contains($"declare {4L * Floats4M + 16} bytes in all, more than the 1000 bytes allowed", e.Message);
        Assert.Equal(0, sd.StorageBytesRead);
        Assert.True(allocated < 64 << 10, $"{allocated} bytes allocated");

        var all = sd.ReadAll(maxStorageBytes: sd.StorageBytes);
        Assert.Equal(sd.StorageBytes, sd.StorageBytesRead);
        Assert.Equal(new float[4], all["second.weight"].ToFloat32Array());
    }

    [Fact]
    public void Repeated_name_is_refused()
    {
        using var dir = new TempDirectory();
        // DICT with the same key twice keeps the last in Python; a state dict with a repeated name is malformed.
        var pickle = new PickleBuilder().Proto().Op('(')
            .Str("w").LargeTensor("0", 4, 0, [4], [1]).Str("w").LargeTensor("0", 4, 0, [4], [1])
            .Op('d').Op('.').ToArray();
        var path = WriteDeflated(dir, "twice.pth", pickle, ("0", new byte[16]));
        using var file = PthFile.Open(path);
        var t = (PickleTensor)((PickleDict)file.Root!).Entries.First().Value!;
        var (e, _) = Refuse(() => file.ReadTensors([new("w", t), new("w", t)]));
        Assert.Equal("w", e.Key);
        Assert.Contains("given twice", e.Message);
    }

    [Fact]
    public void Crc32_matches_zlib()
    {
        Assert.Equal(0xCBF43926u, ZipCrc32.Compute("123456789"u8));
        Assert.Equal(0u, ZipCrc32.Compute([]));
        var data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        var bitwise = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            bitwise ^= b;
            for (var j = 0; j < 8; j++) bitwise = (bitwise & 1) != 0 ? 0xEDB88320u ^ (bitwise >> 1) : bitwise >> 1;
        }
        Assert.Equal(~bitwise, ZipCrc32.Compute(data));
    }
}
