// The loader of Micar's F# scripts: start a script in this folder with
//
//     #load "Micar.fsx"
//
// after building the F# surface once (`dotnet build src/Micar.FSharp -c Release`; a Debug build is used when there is
// no Release one). It references the built assemblies and brings into scope the F# surface (the modules Spec, Layer,
// Tensor, Model, Metrics, Train and the --> operator) and the C# types scripts use most (ModelSpec, Shape, Activation, Linear,
// CaptionNet, ForwardContext, Tensor, Libtorch, ...). F# cannot pass `open`s on to the loading script, so the types come
// as abbreviations; for anything else write e.g. `open Micar.Layers` or `open Micar.Nn` after the #load.
// The native shim (libmicar_native.so) is found next to the assemblies or in native/build.
//
// Run on its own it checks the set-up:  dotnet fsi scripts/Micar.fsx [--quick]
#load "MicarPrelude.fsx"

// Run as the main script: report what was loaded and run a tiny computation.
if fsi.CommandLineArgs.Length > 0
   && System.IO.Path.GetFullPath fsi.CommandLineArgs.[0] = System.IO.Path.Combine(__SOURCE_DIRECTORY__, __SOURCE_FILE__) then
    let assembly = typeof<SpecError>.Assembly
    printfn "Micar.FSharp  %s" (System.IO.Path.GetDirectoryName assembly.Location)
    printfn "libtorch      %s" (Tensor.libtorchVersion ())
    printfn "presets       %s" (String.concat ", " Spec.presetNames)
    use _ = Tensor.scope ()
    let x = Tensor.ofArray [ 2; 2 ] [| 1.0f; 2.0f; 3.0f; 4.0f |]
    printfn "x @ x         %A" (Tensor.matmul x x |> Tensor.toArray)
    if not quick then
        match Spec.preset "tiny" |> Spec.describe with
        | Ok summary -> printf "%s" (summary.ToText 1)
        | Error errors -> errors |> List.iter (printfn "%O")
