using System.Runtime.InteropServices;

namespace Micar.Data.Images;

/// <summary>
/// The part of libpng 1.6's <em>simplified</em> read API that Micar uses
/// (<c>png_image_begin_read_from_memory</c> / <c>png_image_finish_read</c>). Unlike the classic API, the
/// simplified one catches libpng's internal <c>longjmp</c> error handling inside libpng itself and reports
/// failures through the <see cref="PngImageControl"/> struct, so no native stack unwinding ever crosses
/// managed frames.
/// </summary>
internal static unsafe class LibPng
{
    /// <summary><c>PNG_IMAGE_VERSION</c>.</summary>
    public const uint ImageVersion = 1;

    /// <summary><c>PNG_FORMAT_FLAG_ALPHA</c>.</summary>
    public const uint FormatAlpha = 0x01;

    /// <summary><c>PNG_FORMAT_FLAG_COLOR</c>.</summary>
    public const uint FormatColor = 0x02;

    /// <summary><c>PNG_FORMAT_FLAG_LINEAR</c>: 16-bit samples in host byte order.</summary>
    public const uint FormatLinear = 0x04;

    /// <summary><c>PNG_IMAGE_FLAG_16BIT_sRGB</c>: treat 16-bit samples as sRGB-encoded, not linear.</summary>
    public const uint Flag16BitSrgb = 0x04;

    private static readonly Lazy<Api> Functions = new(Api.Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Reads the header; the PNG bytes must stay pinned until <see cref="FinishRead"/> returns.</summary>
    public static bool BeginReadFromMemory(PngImageControl* image, byte* data, nuint size) =>
        Functions.Value.BeginReadFromMemory(image, data, size) != 0;

    /// <summary>Decodes the pixels into <paramref name="buffer"/> in <see cref="PngImageControl.Format"/>.</summary>
    public static bool FinishRead(PngImageControl* image, void* buffer) =>
        Functions.Value.FinishRead(image, null, buffer, 0, null) != 0;

    /// <summary>Releases libpng's state; safe to call more than once.</summary>
    public static void Free(PngImageControl* image) => Functions.Value.Free(image);

    private sealed class Api
    {
        public delegate* unmanaged<PngImageControl*, byte*, nuint, int> BeginReadFromMemory;
        public delegate* unmanaged<PngImageControl*, void*, void*, int, void*, int> FinishRead;
        public delegate* unmanaged<PngImageControl*, void> Free;

        public static Api Load()
        {
            var lib = NativeCodecLibrary.Load(
                "libpng 1.6", "install libpng16-16 (Debian/Ubuntu) or libpng (other systems)",
                "libpng16.so.16", "libpng16.so", "libpng16.16.dylib", "libpng16.dylib", "libpng16.dll", "libpng16-16.dll");
            var version = ((delegate* unmanaged<uint>)lib.Export("png_access_version_number"))();
            if (version < 10600 || version >= 10700)
                throw new DllNotFoundException($"libpng 1.6 is required for the simplified read API, found version {version}.");
            return new Api
            {
                BeginReadFromMemory = (delegate* unmanaged<PngImageControl*, byte*, nuint, int>)lib.Export("png_image_begin_read_from_memory"),
                FinishRead = (delegate* unmanaged<PngImageControl*, void*, void*, int, void*, int>)lib.Export("png_image_finish_read"),
                Free = (delegate* unmanaged<PngImageControl*, void>)lib.Export("png_image_free"),
            };
        }
    }
}
