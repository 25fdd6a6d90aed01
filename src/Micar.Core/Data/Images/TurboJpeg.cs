using System.Runtime.InteropServices;

namespace Micar.Data.Images;

/// <summary>
/// The part of libjpeg-turbo's TurboJPEG 2.x API (also exported by 3.x) that Micar uses to decode JPEG
/// files. TurboJPEG handles libjpeg's <c>longjmp</c>-based errors internally and returns status codes, so
/// nothing unwinds through managed frames. A handle is not thread-safe; callers create one per decode.
/// </summary>
internal static unsafe class TurboJpeg
{
    /// <summary><c>TJPF_RGB</c>.</summary>
    public const int PixelFormatRgb = 0;

    /// <summary><c>TJPF_GRAY</c>.</summary>
    public const int PixelFormatGray = 6;

    /// <summary><c>TJPF_CMYK</c>.</summary>
    public const int PixelFormatCmyk = 11;

    /// <summary><c>TJCS_RGB</c>.</summary>
    public const int ColorspaceRgb = 0;

    /// <summary><c>TJCS_YCbCr</c>.</summary>
    public const int ColorspaceYCbCr = 1;

    /// <summary><c>TJCS_GRAY</c>.</summary>
    public const int ColorspaceGray = 2;

    /// <summary><c>TJCS_CMYK</c>.</summary>
    public const int ColorspaceCmyk = 3;

    /// <summary><c>TJCS_YCCK</c>.</summary>
    public const int ColorspaceYcck = 4;

    /// <summary><c>TJERR_FATAL</c>; anything else is a warning (<c>TJERR_WARNING</c>).</summary>
    public const int ErrorFatal = 1;

    private static readonly Lazy<Api> Functions = new(Api.Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A new decompressor handle (<see cref="nint.Zero"/> on failure).</summary>
    public static nint InitDecompress() => Functions.Value.InitDecompress();

    /// <summary>Frees a handle.</summary>
    public static void Destroy(nint handle) => Functions.Value.Destroy(handle);

    /// <summary>Reads the frame header: size, chroma subsampling and colour space.</summary>
    public static int DecompressHeader(nint handle, byte* jpeg, nuint size, out int width, out int height, out int subsampling, out int colorspace)
    {
        int w, h, s, c;
        var rc = Functions.Value.DecompressHeader3(handle, jpeg, new CULong(size), &w, &h, &s, &c);
        (width, height, subsampling, colorspace) = (w, h, s, c);
        return rc;
    }

    /// <summary>Decodes to packed pixels (accurate integer IDCT and fancy upsampling, libjpeg's defaults).</summary>
    public static int Decompress(nint handle, byte* jpeg, nuint size, byte* destination, int width, int height, int pixelFormat) =>
        Functions.Value.Decompress2(handle, jpeg, new CULong(size), destination, width, 0, height, pixelFormat, 0);

    /// <summary>The last error or warning message of <paramref name="handle"/>.</summary>
    public static string ErrorMessage(nint handle) =>
        Marshal.PtrToStringUTF8((nint)Functions.Value.GetErrorStr2(handle)) ?? "unknown TurboJPEG error";

    /// <summary><see cref="ErrorFatal"/> or 0 (warning) for the last failure of <paramref name="handle"/>.</summary>
    public static int ErrorCode(nint handle) => Functions.Value.GetErrorCode(handle);

    private sealed class Api
    {
        public delegate* unmanaged<nint> InitDecompress;
        public delegate* unmanaged<nint, int> DestroyFn;
        public delegate* unmanaged<nint, byte*, CULong, int*, int*, int*, int*, int> DecompressHeader3;
        public delegate* unmanaged<nint, byte*, CULong, byte*, int, int, int, int, int, int> Decompress2;
        public delegate* unmanaged<nint, byte*> GetErrorStr2;
        public delegate* unmanaged<nint, int> GetErrorCode;

        public void Destroy(nint handle) => DestroyFn(handle);

        public static Api Load()
        {
            var lib = NativeCodecLibrary.Load(
                "TurboJPEG (libjpeg-turbo)", "install libturbojpeg0 (Debian/Ubuntu) or libjpeg-turbo (other systems)",
                "libturbojpeg.so.0", "libturbojpeg.so", "libturbojpeg.0.dylib", "libturbojpeg.dylib", "turbojpeg.dll", "turbojpeg");
            return new Api
            {
                InitDecompress = (delegate* unmanaged<nint>)lib.Export("tjInitDecompress"),
                DestroyFn = (delegate* unmanaged<nint, int>)lib.Export("tjDestroy"),
                DecompressHeader3 = (delegate* unmanaged<nint, byte*, CULong, int*, int*, int*, int*, int>)lib.Export("tjDecompressHeader3"),
                Decompress2 = (delegate* unmanaged<nint, byte*, CULong, byte*, int, int, int, int, int, int>)lib.Export("tjDecompress2"),
                GetErrorStr2 = (delegate* unmanaged<nint, byte*>)lib.Export("tjGetErrorStr2"),
                GetErrorCode = (delegate* unmanaged<nint, int>)lib.Export("tjGetErrorCode"),
            };
        }
    }
}
