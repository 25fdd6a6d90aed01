/// Generators of small valid specs and of block inputs for the properties.
module Micar.FSharp.Tests.Generators

open System
open FsCheck
open FsCheck.FSharp
open Micar.Layers
open Micar.Spec

/// Every activation the blocks implement.
let activations = [ Activation.Silu; Activation.Gelu; Activation.Selu; Activation.Telu; Activation.Relu; Activation.Sigmoid ]

/// Strings that are awkward in JSON or YAML (quotes, colons, leading dashes, reserved words, non-ASCII, newlines).
let awkwardText : Gen<string> =
    Gen.elements
        [ "plain"; "a: b"; "- dash"; "# hash"; "'single'"; "\"double\""; "multi\nline"; "  padded  "; "yes"; "no"; "null"
          "~"; "123"; "1e3"; "é ü ß 中文"; "tab\there"; "back\\slash"; "{braces}"; "[list]"; "*anchor"; "&ref"; "!tag"; "" ]

/// A double in [0, 1) with six decimals.
let unitDouble : Gen<float> = Gen.choose (0, 999_999) |> Gen.map (fun i -> float i / 1e6)

/// A training section with arbitrary (not necessarily valid) values.
let training : Gen<TrainingSpec> =
    gen {
        let! batch = Gen.choose (1, 64)
        let! epochs = Gen.choose (1, 300)
        let! lr = unitDouble
        let! visionLr = unitDouble
        let! decay = unitDouble
        let! gamma = unitDouble
        let! patience = Gen.choose (1, 100)
        let! seed = Gen.choose (0, Int32.MaxValue)
        let! beam = Gen.choose (1, 6)
        return
            TrainingSpec(
                BatchSize = batch, Epochs = epochs, Lr = 1e-6 + lr * 1e-2, VisionLr = visionLr * 1e-3,
                WeightDecay = decay * 1e-3, Gamma = 0.01 + gamma * 0.99, Patience = patience, Seed = int64 seed * 2L,
                BeamWidth = beam)
    }

/// A small spec that validates: ResNet-18 at 32 or 64 px, heads ∈ {1, 2, 4}, even per-head widths, d_model a
/// multiple of the heads (odd widths only when <paramref name="oddWidths"/>), 2–6 experts with top-k ≤ E, 1–2 layers
/// per stack, vocabulary 10–60, T 4–16; every enum value and ablation.
let specWith (oddWidths: bool) : Gen<ModelSpec> =
    gen {
        let! heads = Gen.elements [ 1; 2; 4 ]
        let! nope = Gen.elements [ 0; 2; 4; 6 ]
        let! rope = Gen.elements [ 2; 4; 6; 8 ]
        let! perHead = Gen.choose (1, 8) |> Gen.filter (fun p -> oddWidths || (heads * p) % 2 = 0)
        let! dFf = Gen.choose (4, 32)
        let! experts = Gen.choose (2, 6)
        let! topK = Gen.choose (1, experts)
        let! latentEncoder = Gen.frequency [ 4, Gen.constant true; 1, Gen.constant false ]
        let! encoderLayers = Gen.choose ((if latentEncoder then 1 else 0), 2)
        let! decoderLayers = Gen.choose (1, 2)
        let! moe = Gen.frequency [ 4, Gen.constant true; 1, Gen.constant false ]
        let! msve = Gen.frequency [ 4, Gen.constant true; 1, Gen.constant false ]
        let! vocab = Gen.choose (10, 60)
        let! textLength = Gen.choose (4, 16)
        let! imageSize = Gen.elements [ 32; 64 ]
        let! dV = Gen.elements [ 8; 16 ]
        let! grid = Gen.choose (1, 3)
        let! activation = Gen.elements activations
        let! combine = Gen.elements [ MoeCombine.Sum; MoeCombine.Weighted ]
        let! dispatch = Gen.elements [ MoeDispatch.Dense; MoeDispatch.Sparse ]
        let! scale = Gen.elements [ AttentionScale.PerHead; AttentionScale.Latent ]
        let! dropout = Gen.elements [ 0.0; 0.1; 0.25 ]
        let! attentionDropout = Gen.elements [ 0.0; 0.12 ]
        let! balance = Gen.elements [ 0.0; 0.01; 0.5 ]
        let! training = training
        return
            ModelSpec(
                Name = "prop",
                Vision = VisionSpec(Depth = 18, ImageSize = imageSize, DV = (if msve then dV else 512), Grid = grid, UseMsve = msve),
                DModel = heads * perHead,
                DLatent = heads * (nope + rope),
                Heads = heads,
                QkNopeDim = nope,
                QkRopeDim = rope,
                DFf = dFf,
                Activation = activation,
                Dropout = dropout,
                AttentionDropout = attentionDropout,
                EncoderLayers = encoderLayers,
                DecoderLayers = decoderLayers,
                LatentEncoder = latentEncoder,
                Moe =
                    MoeSpec(
                        Enabled = moe, Experts = experts, TopK = topK, Combine = combine, Dispatch = dispatch,
                        BalanceLossWeight = balance),
                Vocab = VocabSpec(Dataset = null, Size = Nullable vocab),
                TextSeqLen = textLength,
                AttentionScale = scale,
                Training = training)
    }

/// A small valid spec (even d_model: the sinusoidal position table needs it, see
/// SpecProperties.``every spec that validates compiles``).
let validSpec : Gen<ModelSpec> = specWith false

/// A valid spec whose name and description are awkward strings (for serialisation).
let namedSpec : Gen<ModelSpec> =
    gen {
        let! spec = validSpec
        let! name = awkwardText |> Gen.filter (fun s -> s.Trim().Length > 0)
        let! description = Gen.frequency [ 1, Gen.constant null; 3, awkwardText ]
        let! dataset = Gen.elements [ None; Some "covctr"; Some "roco" ]
        let! weights = Gen.frequency [ 2, Gen.constant null; 1, awkwardText ]
        let spec =
            spec
            |> Micar.FSharp.Spec.withName name
            |> Micar.FSharp.Spec.withDescription description
            |> Micar.FSharp.Spec.withPretrained weights
        return
            match dataset with
            | Some d -> spec |> Micar.FSharp.Spec.withVocab d
            | None -> spec
    }

/// A seed for parameter initialisation and random inputs.
let seed : Gen<uint64> = Gen.choose (0, Int32.MaxValue) |> Gen.map uint64

/// The inputs of a MoE layer: tokens n, width d, experts E, top-k, combination, activation, seed.
type MoeCase =
    { Tokens: int; Width: int; Experts: int; TopK: int; Combine: MoeCombine; Activation: Activation; Hidden: int; Seed: uint64 }

let moeCase : Gen<MoeCase> =
    gen {
        let! n = Gen.choose (1, 24)
        let! d = Gen.choose (1, 16)
        let! hidden = Gen.choose (1, 16)
        let! e = Gen.choose (2, 6)
        let! k = Gen.choose (1, e)
        let! combine = Gen.elements [ MoeCombine.Sum; MoeCombine.Weighted ]
        let! activation = Gen.elements activations
        let! s = seed
        return { Tokens = n; Width = d; Experts = e; TopK = k; Combine = combine; Activation = activation; Hidden = hidden; Seed = s }
    }

/// Words of a small made-up vocabulary (letters, digits and punctuation, as report tokens are).
let token : Gen<string> =
    gen {
        let! length = Gen.choose (1, 8)
        let! chars = Gen.listOfLength length (Gen.elements (List.ofSeq "abcdefghijklmnopqrstuvwxyz0123456789.,-/%éü"))
        return String(Array.ofList chars)
    }

/// Distinct regular tokens (no specials).
let vocabularyTokens : Gen<string list> =
    Gen.choose (1, 40)
    |> Gen.bind (fun n -> Gen.listOfLength n token)
    |> Gen.map List.distinct
    |> Gen.filter (fun ts -> not ts.IsEmpty)

/// A sentence of 4–12 words from a fixed pool of radiology words, sometimes ending in " ." (punctuation is not a word
/// for the metrics' tokenizers, so every sentence has at least one 4-gram).
let sentence : Gen<string> =
    let pool =
        [ "the"; "lungs"; "are"; "clear"; "no"; "effusion"; "ground-glass"; "opacity"; "in"; "left"; "right"; "lower"
          "lobe"; "consolidation"; "is"; "seen"; "heart"; "size"; "normal"; "mild"; "bilateral"; "pneumonia" ]
    gen {
        let! n = Gen.choose (4, 12)
        let! words = Gen.listOfLength n (Gen.elements pool)
        let! stop = Gen.elements [ ""; " ." ]
        return String.Join(" ", words) + stop
    }
