module Micar.FSharp.Tests.SmokeTests

open Xunit
open Micar.FSharp

[<Fact>]
let ``F# surface exposes the libtorch version`` () =
    Assert.False(System.String.IsNullOrWhiteSpace(Tensor.libtorchVersion ()))
