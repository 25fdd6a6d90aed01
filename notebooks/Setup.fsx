// The set-up every notebook loads first (`#load "Setup.fsx"`): the references to the built Micar assemblies, the
// quick mode, and two small helpers. Build the F# surface once from the repository root before running a notebook:
//
//     dotnet build src/Micar.FSharp -c Release
//
// Paths are relative to this folder (the notebooks' working directory in Jupyter and in scripts/run-notebooks.fsx).
// MICAR_QUICK=1 (CI) shrinks sizes and budgets. F# does not pass `open`s on to the loading notebook, so each notebook
// opens the namespaces it uses itself (and `open Setup` for the helpers below).
#nowarn "211"
#I "../src/Micar.FSharp/bin/Release/net10.0"
#I "../src/Micar.FSharp/bin/Debug/net10.0"
#r "YamlDotNet.dll"
#r "Micar.Torch.dll"
#r "Micar.Core.dll"
#r "Micar.FSharp.dll"

/// True under MICAR_QUICK=1: small sizes and budgets (what CI runs).
let quick = System.Environment.GetEnvironmentVariable "MICAR_QUICK" = "1"

/// A float32 rounded to 4 decimals, for printing.
let round4 (x: float32) = System.Math.Round(float x, 4)

/// Prints a tensor's name and shape.
let showShape (name: string) (t: Micar.Torch.Tensor) = printfn "%-28s %A" name (Micar.FSharp.Tensor.shape t)
