using Micar.Torch.Native;

namespace Micar.Torch;

/// <summary>A libtorch random number generator (Philox/MT state of a device), for reproducible sampling,
/// initialisation and dropout.</summary>
public sealed class Generator : IDisposable
{
    IntPtr _handle;

    Generator(IntPtr handle) => _handle = handle;

    /// <summary>A new generator for <paramref name="device"/> (default CPU) seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed, Device? device = null)
    {
        NativeMethods.EnsureLoaded();
        var d = device ?? Device.Cpu;
        NativeMethods.Check(NativeMethods.mt_generator_new((int)d.Type, d.Index, seed, out _handle));
    }

    /// <summary>The process-wide default generator of a device (what PyTorch uses when none is passed).</summary>
    public static Generator Default(Device? device = null)
    {
        NativeMethods.EnsureLoaded();
        var d = device ?? Device.Cpu;
        NativeMethods.Check(NativeMethods.mt_generator_default((int)d.Type, d.Index, out var h));
        return new Generator(h);
    }

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Generator));

    /// <summary>Reseeds the generator.</summary>
    public void ManualSeed(ulong seed) => NativeMethods.Check(NativeMethods.mt_generator_seed(Handle, seed));

    /// <summary>The full generator state as a uint8 tensor (for checkpoints).</summary>
    public Tensor GetState()
    {
        NativeMethods.Check(NativeMethods.mt_generator_get_state(Handle, out var t));
        return Tensor.FromHandle(t);
    }

    /// <summary>Restores a state obtained from <see cref="GetState"/>.</summary>
    public void SetState(Tensor state) => NativeMethods.Check(NativeMethods.mt_generator_set_state(Handle, state.Handle));

    /// <summary>Releases the native generator.</summary>
    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        NativeMethods.mt_generator_free(_handle);
        _handle = IntPtr.Zero;
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the native generator if it was not disposed.</summary>
    ~Generator()
    {
        if (_handle != IntPtr.Zero) NativeMethods.mt_generator_free(_handle);
    }
}
