namespace Micar.FSharp

/// Version information of the F# surface.
module Micar =
    /// libtorch version the native shim was built against.
    let libtorchVersion () = Micar.Torch.Torch.Version
