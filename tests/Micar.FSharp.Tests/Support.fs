/// Assertions and resource handling shared by the properties.
module Micar.FSharp.Tests.Support

open System
open System.IO
open Micar.Model
open Micar.Spec
open Micar.Torch
open Micar.FSharp

/// Fails the current test case with <paramref name="message"/> unless <paramref name="condition"/> holds.
let ensure (condition: bool) (message: string) : unit =
    if not condition then raise (Xunit.Sdk.XunitException message)

/// Fails unless the tensors have the same shape and agree to <paramref name="tolerance"/> everywhere.
let ensureClose (tolerance: float) (what: string) (expected: Tensor) (actual: Tensor) : unit =
    ensure (expected.Shape = actual.Shape) $"{what}: shape {Tensor.shape actual} differs from {Tensor.shape expected}"
    let diff = Tensor.maxAbsDiff expected actual
    ensure (diff <= tolerance) $"{what}: max |difference| {diff:g3} exceeds {tolerance:g3}"

/// Runs <paramref name="f"/> on a freshly initialised network and releases its parameters afterwards.
let withNet (spec: ModelSpec) (seed: uint64) (f: CaptionNet -> 'T) : 'T =
    let net = Model.init spec seed
    try
        f net
    finally
        Model.dispose net

/// A fresh temporary directory, deleted afterwards.
let withTempDir (f: string -> 'T) : 'T =
    let dir = Path.Combine(Path.GetTempPath(), "micar-fsharp-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory dir |> ignore
    try
        f dir
    finally
        Directory.Delete(dir, true)

/// The vocabulary size of a spec.
let vocabSize (spec: ModelSpec) : int = spec.Vocab.ResolvedSize.Value

/// Random image and ids for a spec.
let randomInputs (spec: ModelSpec) (batch: int) (seed: uint64) : Tensor * Tensor =
    use generator = Tensor.generator seed
    Model.randomImage spec batch generator, Model.randomIds spec batch generator
