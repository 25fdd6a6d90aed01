using System.Runtime.InteropServices;

namespace Micar.Data.Images;

/// <summary>
/// Locates a native codec library (libpng, libjpeg-turbo) by trying the file names it has on the usual
/// platforms, and resolves its exports. Loading happens once, on first use, and a missing library is
/// reported with the package that provides it.
/// </summary>
internal sealed class NativeCodecLibrary
{
    private readonly nint _handle;

    private NativeCodecLibrary(string displayName, nint handle)
    {
        DisplayName = displayName;
        _handle = handle;
    }

    /// <summary>Human-readable name used in error messages, e.g. <c>libpng 1.6</c>.</summary>
    public string DisplayName { get; }

    /// <summary>Loads the first candidate that the platform loader finds.</summary>
    /// <exception cref="DllNotFoundException">None of the candidates could be loaded.</exception>
    public static NativeCodecLibrary Load(string displayName, string installHint, params string[] candidates)
    {
        var assembly = typeof(NativeCodecLibrary).Assembly;
        foreach (var name in candidates)
        {
            if (NativeLibrary.TryLoad(name, assembly, DllImportSearchPath.SafeDirectories | DllImportSearchPath.AssemblyDirectory, out var handle))
                return new NativeCodecLibrary(displayName, handle);
        }
        throw new DllNotFoundException(
            $"{displayName} is required but none of [{string.Join(", ", candidates)}] could be loaded; {installHint}.");
    }

    /// <summary>Address of an exported function.</summary>
    /// <exception cref="EntryPointNotFoundException">The library does not export <paramref name="symbol"/>.</exception>
    public nint Export(string symbol) =>
        NativeLibrary.TryGetExport(_handle, symbol, out var address)
            ? address
            : throw new EntryPointNotFoundException($"{DisplayName} does not export '{symbol}' (too old a version?).");
}
