using System.Runtime.InteropServices;
using Micar.Torch.Native;

namespace Micar.Torch;

/// <summary>Owns one native <c>at::Tensor</c> reference; releasing it drops libtorch's reference count.</summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle(IntPtr p) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(p);
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle()
    {
        NativeMethods.mt_tensor_free(handle);
        return true;
    }
}
