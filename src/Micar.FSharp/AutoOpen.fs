namespace Micar.FSharp

/// Referencing Micar.FSharp opens its namespace, as FSharp.Core does: the modules are
/// <c>[&lt;RequireQualifiedAccess&gt;]</c> (<c>Spec.preset</c>, <c>Layer.count</c>, <c>Tensor.randn</c>,
/// <c>Model.init</c>, <c>Metrics.jury</c>), so this brings only their names, <c>SpecError</c> and the
/// <c>--></c> operator into scope. It also lets scripts/Micar.fsx give scripts both the module
/// <c>Tensor</c> and the tensor type under one name.
[<assembly: AutoOpen("Micar.FSharp")>]
do ()
