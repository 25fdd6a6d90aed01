using Micar.Torch.Native;

namespace Micar.Torch;

/// <summary>Autograd entry points: backward, grad, and the no-grad / inference-mode scopes.</summary>
public static unsafe class Autograd
{
    /// <summary>Accumulates into the leaves' <c>.Grad</c> the gradients of <paramref name="tensors"/>
    /// (PyTorch's <c>torch.autograd.backward</c>).</summary>
    public static void Backward(Tensor[] tensors, Tensor?[]? gradients = null, bool? retainGraph = null, bool createGraph = false)
    {
        var ts = stackalloc IntPtr[tensors.Length];
        for (int k = 0; k < tensors.Length; k++) ts[k] = tensors[k].Handle;
        int ng = gradients?.Length ?? 0;
        var gs = stackalloc IntPtr[Math.Max(ng, 1)];
        for (int k = 0; k < ng; k++) gs[k] = gradients![k]?.Handle ?? IntPtr.Zero;
        NativeMethods.Check(NativeMethods.mt_backward(ts, tensors.Length, gs, ng,
            retainGraph is null ? -1 : retainGraph.Value ? 1 : 0, createGraph ? 1 : 0));
        GC.KeepAlive(tensors);
        GC.KeepAlive(gradients);
    }

    /// <summary>Gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>
    /// (PyTorch's <c>torch.autograd.grad</c>); an unused input gives null when <paramref name="allowUnused"/>.</summary>
    public static Tensor?[] Grad(Tensor[] outputs, Tensor[] inputs, Tensor?[]? gradOutputs = null,
        bool? retainGraph = null, bool createGraph = false, bool allowUnused = false)
    {
        var os = stackalloc IntPtr[outputs.Length];
        for (int k = 0; k < outputs.Length; k++) os[k] = outputs[k].Handle;
        var ins = stackalloc IntPtr[inputs.Length];
        for (int k = 0; k < inputs.Length; k++) ins[k] = inputs[k].Handle;
        int ng = gradOutputs?.Length ?? 0;
        var gs = stackalloc IntPtr[Math.Max(ng, 1)];
        for (int k = 0; k < ng; k++) gs[k] = gradOutputs![k]?.Handle ?? IntPtr.Zero;
        var res = stackalloc IntPtr[inputs.Length];
        NativeMethods.Check(NativeMethods.mt_autograd_grad(os, outputs.Length, ins, inputs.Length, gs, ng,
            retainGraph is null ? -1 : retainGraph.Value ? 1 : 0, createGraph ? 1 : 0, allowUnused ? 1 : 0, res));
        GC.KeepAlive(outputs);
        GC.KeepAlive(inputs);
        GC.KeepAlive(gradOutputs);
        var result = new Tensor?[inputs.Length];
        for (int k = 0; k < inputs.Length; k++) result[k] = Tensor.FromHandleOrNull(res[k]);
        return result;
    }

    /// <summary>Whether gradient recording is on for the calling thread.</summary>
    public static bool IsGradEnabled
    {
        get { NativeMethods.EnsureLoaded(); return NativeMethods.mt_grad_enabled() != 0; }
        set { NativeMethods.EnsureLoaded(); NativeMethods.mt_set_grad_enabled(value ? 1 : 0); }
    }

    /// <summary>Turns gradient recording off until disposed (PyTorch's <c>torch.no_grad()</c>).</summary>
    public static IDisposable NoGrad() => new GradModeGuard(false);

    /// <summary>Turns gradient recording on until disposed (PyTorch's <c>torch.enable_grad()</c>).</summary>
    public static IDisposable EnableGrad() => new GradModeGuard(true);

    /// <summary>Inference mode until disposed (PyTorch's <c>torch.inference_mode()</c>): no autograd
    /// recording and no version counting; tensors created inside cannot be used in autograd later.
    /// Must be disposed on the thread that created it.</summary>
    public static IDisposable InferenceMode() => new InferenceModeGuard();

    /// <summary>
    /// Automatic mixed precision on one device type until disposed (as <c>torch.autocast(device, dtype)</c>): matrix
    /// products and convolutions run in <paramref name="dtype"/> (bfloat16 or float16), reductions, softmax and losses
    /// in float32, parameters stay float32 (their low-precision copies are cached for the region). Regions nest; the
    /// previous state comes back on dispose. With float16, scale the loss yourself (no grad scaler here).
    /// </summary>
    public static IDisposable Autocast(DeviceType device, DType dtype = DType.BFloat16, bool enabled = true)
    {
        if (dtype is not (DType.BFloat16 or DType.Float16))
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "autocast runs in bfloat16 or float16");
        return new AutocastGuard(device, dtype, enabled);
    }

    /// <summary>True inside an enabled <see cref="Autocast"/> region for <paramref name="device"/>.</summary>
    public static bool IsAutocastEnabled(DeviceType device)
    {
        NativeMethods.EnsureLoaded();
        return NativeMethods.mt_autocast_is_enabled((int)device) != 0;
    }

    sealed class AutocastGuard : IDisposable
    {
        readonly DeviceType _device;
        readonly int _prevEnabled, _prevDType;
        bool _done;
        public AutocastGuard(DeviceType device, DType dtype, bool enabled)
        {
            NativeMethods.EnsureLoaded();
            _device = device;
            NativeMethods.Check(NativeMethods.mt_autocast_enter((int)device, enabled ? 1 : 0, (int)dtype, out _prevEnabled, out _prevDType));
        }
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            NativeMethods.Check(NativeMethods.mt_autocast_exit((int)_device, _prevEnabled, _prevDType));
        }
    }

    /// <summary>Whether inference mode is on for the calling thread.</summary>
    public static bool IsInferenceMode
    {
        get { NativeMethods.EnsureLoaded(); return NativeMethods.mt_is_inference_mode() != 0; }
    }

    sealed class GradModeGuard : IDisposable
    {
        readonly bool _previous;
        bool _done;
        public GradModeGuard(bool enabled)
        {
            _previous = IsGradEnabled;
            IsGradEnabled = enabled;
        }
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            IsGradEnabled = _previous;
        }
    }

    sealed class InferenceModeGuard : IDisposable
    {
        IntPtr _guard;
        public InferenceModeGuard()
        {
            NativeMethods.EnsureLoaded();
            NativeMethods.Check(NativeMethods.mt_inference_mode_enter(1, out _guard));
        }
        public void Dispose()
        {
            if (_guard == IntPtr.Zero) return;
            NativeMethods.mt_inference_mode_exit(_guard);
            _guard = IntPtr.Zero;
        }
    }
}
