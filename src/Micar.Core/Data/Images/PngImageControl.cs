using System.Runtime.InteropServices;
using System.Text;

namespace Micar.Data.Images;

/// <summary>Managed mirror of libpng 1.6's <c>png_image</c> struct (<c>png.h</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PngImageControl
{
    /// <summary><c>png_controlp opaque</c>: libpng's private state, NULL before begin-read.</summary>
    public nint Opaque;

    /// <summary>Must be <see cref="LibPng.ImageVersion"/>.</summary>
    public uint Version;

    /// <summary>Image width in pixels.</summary>
    public uint Width;

    /// <summary>Image height in pixels.</summary>
    public uint Height;

    /// <summary><c>PNG_FORMAT_FLAG_*</c> bits: the file's format after begin-read, the wanted one before finish-read.</summary>
    public uint Format;

    /// <summary><c>PNG_IMAGE_FLAG_*</c> bits.</summary>
    public uint Flags;

    /// <summary>Number of colour-map entries (unused: Micar never asks for colour-mapped output).</summary>
    public uint ColormapEntries;

    /// <summary>0: fine, 1: warning, 2: error, 3: error after a warning.</summary>
    public uint WarningOrError;

    /// <summary>NUL-terminated libpng message.</summary>
    public fixed byte Message[64];

    /// <summary>The libpng message as a string (empty when none).</summary>
    public readonly string MessageText
    {
        get
        {
            fixed (byte* p = Message)
            {
                var span = new ReadOnlySpan<byte>(p, 64);
                var end = span.IndexOf((byte)0);
                return Encoding.ASCII.GetString(end < 0 ? span : span[..end]);
            }
        }
    }
}
