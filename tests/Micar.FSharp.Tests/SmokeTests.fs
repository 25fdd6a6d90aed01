module Micar.FSharp.Tests.SmokeTests

open Xunit

[<Fact>]
let ``F# surface exposes the libtorch version`` () =
    Assert.False(System.String.IsNullOrWhiteSpace(Micar.FSharp.Micar.libtorchVersion ()))
