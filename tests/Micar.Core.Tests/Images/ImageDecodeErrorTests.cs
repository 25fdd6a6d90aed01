using System.Buffers.Binary;
using Micar.Data.Images;
using Xunit;

namespace Micar.Tests.Images;

/// <summary>Corrupt, truncated and unsupported inputs give <see cref="ImageDecodeException"/> naming the file.</summary>
public sealed class ImageDecodeErrorTests
{
    private static byte[] Fixture(string file) => File.ReadAllBytes(ImageFixtures.PathOf(file));

    private static ImageDecodeException Fails(byte[] data, string name = "sample/img.bin", ImageDecodeOptions? options = null)
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageIO.Decode(data, name, options));
        Assert.Equal(name, e.FileName);
        Assert.Contains($"'{name}'", e.Message);
        Assert.Contains(e.Reason, e.Message);
        return e;
    }

    [Fact]
    public void Load_names_the_path_of_a_truncated_file()
    {
        var png = Fixture("rgb8_trns_gamma1_260x240.png");
        var path = Path.Combine(Path.GetTempPath(), $"micar-truncated-{Guid.NewGuid():N}.png");
        try
        {
            File.WriteAllBytes(path, png[..(png.Length / 2)]);
            var e = Assert.Throws<ImageDecodeException>(() => ImageIO.Load(path));
            Assert.Equal(path, e.FileName);
            Assert.Contains(path, e.Message);
            Assert.Contains("truncated", e.Reason);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Empty_and_unknown_data_are_refused()
    {
        Assert.Contains("empty", Fails([]).Reason);
        Assert.Contains("GIF images are not supported", Fails("GIF89a\x01\x00\x01\x00"u8.ToArray()).Reason);
        var dicom = new byte[200];
        "DICM"u8.CopyTo(dicom.AsSpan(128));
        Assert.Contains("DICOM", Fails(dicom).Reason);
        Assert.Contains("not a PNG or JPEG file (starts with bytes 0102", Fails([1, 2, 3]).Reason);
    }

    [Fact]
    public void Dicom_is_named_with_a_conversion_hint_even_when_its_preamble_looks_like_TIFF()
    {
        var dicom = new byte[400];
        "II*\0"u8.CopyTo(dicom);   // a TIFF header in the free-form preamble, as some scanners write
        "DICM"u8.CopyTo(dicom.AsSpan(128));
        var reason = Fails(dicom, "study/ct.dcm").Reason;
        Assert.Equal("DICOM files are not supported: convert to PNG first, e.g. with dcmj2pnm (DCMTK) or pydicom", reason);
        Assert.DoesNotContain("TIFF", reason);
        Assert.Equal("DICOM", ImageSignature.NameUnsupported(dicom));
        Assert.Contains("TIFF images are not supported", Fails(dicom[..128]).Reason);
    }

    [Fact]
    public void A_directory_is_named_as_such()
    {
        var folder = Directory.CreateTempSubdirectory("micar-not-an-image-").FullName;
        try
        {
            var e = Assert.Throws<ImageDecodeException>(() => ImageIO.Load(folder));
            Assert.Equal(folder, e.FileName);
            Assert.Equal("is a directory, not a file", e.Reason);
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [Fact]
    public void Png_truncated_inside_image_data_is_refused()
    {
        var png = Fixture("palette8_trns_480x640.png");
        var e = Fails(png[..(png.Length - 500)]);
        Assert.Contains("truncated", e.Reason);
        Assert.Contains("IDAT", e.Reason);
    }

    [Fact]
    public void Png_without_IEND_decodes_like_PIL()
    {
        var png = Fixture("grey8_adam7_150x120.png");
        var image = ImageIO.Decode(png.AsSpan(0, png.Length - 12), "no-iend.png");
        Assert.Equal(ImageFixtures.Entry("grey8_adam7_150x120.png").Str("nativeSha256"), ImageFixtures.Sha256(image.Pixels));
    }

    [Fact]
    public void Png_with_corrupt_chunk_crc_or_header_is_refused()
    {
        var png = Fixture("rgba8_190x150.png");
        var idat = FindChunk(png, "IDAT");
        var idatLength = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(idat));
        var badCrc = (byte[])png.Clone();
        badCrc[idat + 8 + idatLength] ^= 0x5A;
        Assert.Contains("IDAT: CRC error", Fails(badCrc).Reason);

        var badData = (byte[])png.Clone();
        badData[idat + 8 + 100] ^= 0x5A;   // libpng meets the damaged data before the chunk's CRC
        Assert.Contains("8-bit RGBA PNG data is corrupt or truncated (libpng: ", Fails(badData).Reason);

        var header = (byte[])png.Clone();
        header[16 + 3] ^= 1;   // width byte, CRC left stale
        Assert.Contains("IHDR CRC mismatch", Fails(header).Reason);

        var depth = (byte[])png.Clone();
        depth[24] = 3;          // bit depth 3 is not valid
        FixCrc(depth, 8);
        Assert.Contains("invalid colour type 6 with bit depth 3", Fails(depth).Reason);
    }

    [Fact]
    public void Png_with_invalid_compressed_data_is_refused()
    {
        var png = Fixture("grey16_160x120.png");
        var idat = FindChunk(png, "IDAT");
        var corrupt = (byte[])png.Clone();
        for (var i = 0; i < 16; i++)
            corrupt[idat + 8 + 2 + i] = 0xFF;   // garbage right after the zlib header
        FixCrc(corrupt, idat);
        Assert.Contains("libpng", Fails(corrupt).Reason);
    }

    [Fact]
    public void Jpeg_truncated_is_refused_unless_warnings_are_accepted()
    {
        var jpeg = Fixture("rgb_q90_420_360x270.jpg");
        var truncated = jpeg[..(jpeg.Length * 2 / 3)];
        Assert.Contains("Premature end of JPEG file", Fails(truncated).Reason);
        var lenient = ImageIO.Decode(truncated, "t.jpg", new ImageDecodeOptions { AcceptJpegWarnings = true });
        Assert.Equal((360, 270, ColorMode.Rgb), (lenient.Width, lenient.Height, lenient.Mode));
        Assert.Contains("truncated", Fails(jpeg[..12]).Reason);
    }

    [Fact]
    public void Jpeg_with_garbage_after_SOI_is_refused()
    {
        var data = new byte[300];
        new Random(5).NextBytes(data);
        data[0] = 0xFF;
        data[1] = 0xD8;
        data[2] = 0xFF;
        Fails(data);
    }

    [Fact]
    public void Images_over_the_pixel_limit_are_refused_before_decoding()
    {
        var options = new ImageDecodeOptions { MaxPixels = 10_000 };
        Assert.Contains("exceeds the limit of 10000 pixels", Fails(Fixture("grey8_adam7_150x120.png"), options: options).Reason);
        Assert.Contains("exceeds the limit of 10000 pixels", Fails(Fixture("grey_q85_180x320.jpg"), options: options).Reason);
    }

    public static TheoryData<string> FuzzTargets => new()
    {
        "rgb_q90_420_360x270.jpg", "rgb_progressive_444_257x199.jpg", "cmyk_q95_120x90.jpg",
        "palette8_trns_480x640.png", "greyalpha16_100x90.png", "rgba16_110x80.png", "grey8_adam7_150x120.png",
    };

    /// <summary>Every truncation and random corruption either decodes or raises <see cref="ImageDecodeException"/>.</summary>
    [Theory]
    [MemberData(nameof(FuzzTargets))]
    public void Truncated_and_corrupted_files_never_escape_as_other_errors(string file)
    {
        var original = Fixture(file);
        var isPng = ImageSignature.Detect(original) == ImageFileFormat.Png;
        var random = new Random(file.Length * 7919);
        var outcomes = new List<bool>();
        for (var i = 1; i <= 40; i++)
            outcomes.Add(DecodesOrRefuses(original[..(int)((long)original.Length * i / 41)]));
        for (var i = 0; i < 60; i++)
        {
            var data = (byte[])original.Clone();
            for (var n = random.Next(1, 5); n > 0; n--)
                data[random.Next(data.Length)] = (byte)random.Next(256);
            if (isPng)
            {
                var idat = FindChunk(data, "IDAT");
                if (idat >= 0 && BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(idat)) < data.Length)
                    FixCrc(data, idat);   // reach the inflate and unfilter code, not just the CRC check
            }
            outcomes.Add(DecodesOrRefuses(data));
        }
        Assert.Contains(false, outcomes);
    }

    private static bool DecodesOrRefuses(byte[] data)
    {
        try
        {
            ImageIO.Decode(data, "fuzz");
            return true;
        }
        catch (ImageDecodeException)
        {
            return false;
        }
    }

    private static int FindChunk(byte[] png, string type)
    {
        var offset = 8;
        while (offset + 8 <= png.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
            if (System.Text.Encoding.ASCII.GetString(png, offset + 4, 4) == type)
                return offset;
            if (length > (uint)(png.Length - offset))
                return -1;
            offset += (int)length + 12;
        }
        return -1;
    }

    private static void FixCrc(byte[] png, int chunk)
    {
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(chunk));
        if (chunk + 12 + length > png.Length)
            return;
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(chunk + 8 + length), Crc(png.AsSpan(chunk + 4, length + 4)));
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
