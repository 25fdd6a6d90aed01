/// The F# MedMoE surface end to end on a small two-modality set: preset, options pipeline, a run folder resumed from
/// its saved state, evaluation, and the error for a name that is neither a preset nor a spec file.
module Micar.FSharp.Tests.MedMoeApiTests

open System
open System.IO
open Xunit
open Micar.FSharp

[<Fact>]
let ``MedMoe trains, resumes and evaluates from an F# pipeline`` () =
    let dir = Path.Combine(Path.GetTempPath(), "micar-fs-medmoe-" + Guid.NewGuid().ToString "N")
    try
        let data = Path.Combine(dir, "data")
        MedMoe.synthesise data 40 3 64 0.5 |> ignore
        let spec = MedMoe.preset "medmoe-tiny" |> MedMoe.withImageSize 64
        let run = Path.Combine(dir, "run")
        let first = MedMoe.options 1 |> MedMoe.withBatchSize 8 |> MedMoe.withSeed 4L |> MedMoe.inRun run
        (MedMoe.train spec data first).Dispose()
        use trained = MedMoe.options 2 |> MedMoe.withBatchSize 8 |> MedMoe.withSeed 4L |> MedMoe.inRun run |> MedMoe.resuming |> MedMoe.train spec data
        Assert.Equal(2, trained.History.Count)
        let scores = MedMoe.evaluate data "test" trained
        Assert.InRange(scores.ImageToText.R10, scores.ImageToText.R1, 1.0)
        Assert.True(scores.ZeroShot <> null)
        let e = Assert.Throws<ArgumentException>(fun () -> MedMoe.preset "medmoe-huge" |> ignore)
        Assert.Contains("medmoe-tiny", e.Message)
    finally
        if Directory.Exists dir then Directory.Delete(dir, true)
