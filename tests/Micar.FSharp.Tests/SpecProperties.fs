/// Properties of specs: validation, edits, compilation and description, JSON/YAML files.
module Micar.FSharp.Tests.SpecProperties

open System
open System.IO
open System.Text.Json.Nodes
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Micar.Layers
open Micar.Spec
open Micar.FSharp
open Micar.FSharp.Tests.Generators
open Micar.FSharp.Tests.Support

[<Property(MaxTest = 40)>]
let ``valid specs validate, compile to a valid description and describe with logits [1, T, V]`` () =
    Prop.forAll (Arb.fromGen validSpec) (fun spec ->
        ensure (Spec.validate spec = Ok spec) $"rejected: {Spec.validate spec}"
        let model = Spec.compile spec |> Spec.orRaise
        ensure (Layer.validate model |> Result.isOk) $"description invalid: {Layer.validate model}"
        let summary = Spec.describe spec |> Spec.orRaise
        ensure (summary.Output = Layer.shape [ 1; spec.TextSeqLen; vocabSize spec ]) $"output {summary.Output}"
        ensure (summary.Totals.Parameters = Layer.count model) "totals differ from Layer.count"
        ensure (Ok summary.Totals.Flops = Layer.flops (List.ofSeq (spec.InputShapes 1)) model) "totals differ from Layer.flops")

[<Property(MaxTest = 200)>]
let ``every spec that validates compiles`` () =
    Prop.forAll (Arb.fromGen (specWith true)) (fun spec ->
        match Spec.validate spec with
        | Ok _ -> ensure (spec.Compile() |> Layer.validate |> Result.isOk) "compiled description invalid"
        | Error errors -> ensure (spec.DModel % 2 = 1) $"rejected: {errors}")

[<Property(MaxTest = 60)>]
let ``every preset with any chain of ablation suffixes resolves, validates and describes`` () =
    let case =
        gen {
            let! name = Gen.elements Spec.presetNames
            let! suffixes = Gen.subListOf (List.ofSeq Ablations.BySuffix.Keys) |> Gen.bind Gen.shuffle
            return name, List.ofArray suffixes
        }
    Prop.forAll (Arb.fromGen case) (fun (name, suffixes) ->
        let full = String.Join("", name :: (suffixes |> List.map (fun s -> "-" + s)))
        match Spec.tryPreset full with
        | Error message -> failwith message
        | Ok spec ->
            let expected = suffixes |> List.fold (fun s suffix -> Ablations.BySuffix.[suffix].Invoke s) (Spec.preset name)
            ensure (spec = expected) $"{full} is not {name} with the ablations applied in order"
            ensure (spec.Name = full) $"{full} is named {spec.Name}"
            ensure (Spec.resolve full = Ok spec) "resolve differs"
            ensure (Spec.validate spec = Ok spec) $"{full} is invalid: {Spec.validate spec}"
            ensure (spec.Moe.Enabled = not (List.contains "no-moe" suffixes)) "no-moe"
            ensure (spec.Vision.UseMsve = not (List.contains "no-msve" suffixes)) "no-msve"
            ensure (spec.LatentEncoder = not (List.contains "no-latent-encoder" suffixes)) "no-latent-encoder"
            match Spec.describe spec with
            | Ok summary ->
                let keys = Layer.parameters (Spec.compile spec |> Spec.orRaise) |> List.map (fun p -> p.Name)
                ensure (keys |> List.exists (fun k -> k.Contains ".moe.") = spec.Moe.Enabled) "MoE keys"
                ensure (keys |> List.exists (fun k -> k.StartsWith "vis_enc.fpn_c") = spec.Vision.UseMsve) "MSVE keys"
                ensure (keys |> List.exists (fun k -> k.StartsWith "encoder.") = spec.LatentEncoder) "encoder keys"
                ensure (summary.Totals.Parameters > 0L) "no parameters"
            | Error errors -> failwith $"{errors}"
        ensure ((Spec.tryPreset (full + "-no-such-ablation")).IsError) "an unknown suffix was accepted"
        ensure ((Spec.tryPreset ("x" + full)).IsError) "an unknown base was accepted")

/// An edit that breaks one rule, and the field paths validation must name (exactly).
let private broken : Gen<string * ModelSpec * Set<string>> =
    gen {
        let! spec = validSpec
        let! j = Gen.choose (0, 5)
        let! x = unitDouble
        let breaks =
            [ "heads not dividing dModel", Spec.withAttention (spec.DModel + 1) spec.QkNopeDim spec.QkRopeDim, [ "dModel" ]
              "dModel not positive", Spec.withWidth -j, [ "dModel" ]
              "topK above experts", Spec.withExperts spec.Moe.Experts (spec.Moe.Experts + 1 + j), [ "moe.topK" ]
              "topK not positive", Spec.withTopK -j, [ "moe.topK" ]
              "experts not positive", Spec.withExperts -j 1, [ "moe.experts" ]
              "image below 32 px", Spec.withImageSize (31 - j * 5), [ "vision.imageSize" ]
              "no such ResNet", Spec.withBackbone ([| 0; 17; 20; 100; 200; -18 |].[j]), [ "vision.depth" ]
              "dV not positive", Spec.withVisionWidth -j, [ "vision.dV" ]
              "grid not positive", Spec.withGrid -j, [ "vision.grid" ]
              "vocabulary below 4", Spec.withVocabSize (3 - j), [ "vocab.size" ]
              "unknown vocabulary", Spec.withVocab "nonesuch", [ "vocab.dataset" ]
              "dropout of 1 or more", Spec.withDropout (1.0 + x), [ "dropout" ]
              "negative attention dropout", Spec.withAttentionDropout (-1e-3 - x), [ "attentionDropout" ]
              "text shorter than 2", Spec.withTextLength (1 - j), [ "textSeqLen" ]
              "no decoder layers", Spec.withLayers spec.EncoderLayers -j, [ "decoderLayers" ]
              "negative encoder layers", Spec.withLayers (-1 - j) spec.DecoderLayers, [ "encoderLayers" ]
              "dFf not positive", Spec.withFf -j, [ "dFf" ]
              "negative balance weight", Spec.withBalanceLossWeight (-1e-3 - x), [ "moe.balanceLossWeight" ]
              "blank name", Spec.withName (String(' ', j)), [ "name" ]
              "learning rate not positive", Spec.withLr -x, [ "training.lr" ]
              "beam width not positive", Spec.withBeamWidth -j, [ "training.beamWidth" ]
              "batch size not positive", Spec.withBatchSize -j, [ "training.batchSize" ]
              "epochs not positive", Spec.withEpochs -j, [ "training.epochs" ]
              "negative seed", Spec.withSeed (-1L - int64 j), [ "training.seed" ] ]
        let! name, edit, fields = Gen.elements breaks
        return name, edit spec, Set.ofList fields
    }

[<Property(MaxTest = 150)>]
let ``a spec that breaks one rule is rejected naming exactly that field`` () =
    Prop.forAll (Arb.fromGen broken) (fun (name, spec, fields) ->
        match Spec.validate spec with
        | Ok _ -> failwith $"{name}: accepted"
        | Error errors ->
            let paths = errors |> List.map (fun e -> e.Path) |> Set.ofList
            ensure (paths = fields) $"{name}: errors name {paths}, expected {fields}: {errors}"
            for e in errors do
                ensure (e.Message.Contains e.Path) $"{name}: message '{e.Message}' does not name '{e.Path}'"
            ensure (Spec.compile spec = Error errors) $"{name}: compile does not report the same errors"
            ensure (Model.tryInit spec 0UL |> Result.isError) $"{name}: Model.tryInit accepted it")

[<Property(MaxTest = 40)>]
let ``editing a field to its current value changes nothing; editing it changes only it`` () =
    let case =
        gen {
            let! spec = validSpec
            let! other = validSpec
            return spec, other
        }
    Prop.forAll (Arb.fromGen case) (fun (s, o) ->
        let before = Spec.toJson s
        let same =
            [ "withExperts", Spec.withExperts s.Moe.Experts s.Moe.TopK s
              "withDepth", (if s.EncoderLayers = s.DecoderLayers then Spec.withDepth s.DecoderLayers s else s)
              "withLayers", Spec.withLayers s.EncoderLayers s.DecoderLayers s
              "withAttention", Spec.withAttention s.Heads s.QkNopeDim s.QkRopeDim s
              "withActivation", Spec.withActivation s.Activation s
              "withWidth", Spec.withWidth s.DModel s
              "withVocabSize", Spec.withVocabSize s.Vocab.Size.Value s
              "withImageSize", Spec.withImageSize s.Vision.ImageSize s
              "withCombine", Spec.withCombine s.Moe.Combine s
              "withSeed", Spec.withSeed s.Training.Seed s ]
        for name, edited in same do
            ensure (edited = s) $"{name} with the current value changed the spec"
        // Take every edited field from the other spec: the result must equal the other spec's values field by field.
        let moved =
            s
            |> Spec.withExperts o.Moe.Experts o.Moe.TopK
            |> Spec.withLayers o.EncoderLayers o.DecoderLayers
            |> Spec.withAttention o.Heads o.QkNopeDim o.QkRopeDim
            |> Spec.withWidth o.DModel
            |> Spec.withFf o.DFf
            |> Spec.withActivation o.Activation
            |> Spec.withTextLength o.TextSeqLen
            |> Spec.withVocabSize o.Vocab.Size.Value
            |> Spec.withImageSize o.Vision.ImageSize
            |> Spec.withGrid o.Vision.Grid
            |> Spec.withCombine o.Moe.Combine
            |> Spec.withDispatch o.Moe.Dispatch
            |> Spec.withScale o.AttentionScale
            |> Spec.withDropout o.Dropout
            |> Spec.withAttentionDropout o.AttentionDropout
            |> Spec.withBalanceLossWeight o.Moe.BalanceLossWeight
        ensure (moved.Moe.Experts = o.Moe.Experts && moved.Moe.TopK = o.Moe.TopK) "experts"
        ensure (moved.EncoderLayers = o.EncoderLayers && moved.DecoderLayers = o.DecoderLayers) "layers"
        ensure (moved.Heads = o.Heads && moved.DLatent = o.DLatent && moved.QkRopeDim = o.QkRopeDim) "attention"
        ensure (moved.DModel = o.DModel && moved.DFf = o.DFf && moved.Activation = o.Activation) "widths"
        ensure (moved.Vision.ImageSize = o.Vision.ImageSize && moved.Vision.Grid = o.Vision.Grid) "vision"
        ensure (moved.Vision.DV = s.Vision.DV && moved.Vision.UseMsve = s.Vision.UseMsve) "vision fields not edited changed"
        ensure (moved.Moe.Enabled = s.Moe.Enabled && moved.LatentEncoder = s.LatentEncoder) "flags not edited changed"
        ensure (moved.Training = s.Training && moved.Name = s.Name) "training or name changed"
        ensure (Spec.toJson s = before) "the original spec was modified")

[<Property(MaxTest = 60)>]
let ``JSON round trip is the identity`` () =
    Prop.forAll (Arb.fromGen namedSpec) (fun spec ->
        let json = Spec.toJson spec
        match Spec.ofJson json with
        | Ok back -> ensure (back = spec) $"differs after the round trip:\n{json}\n{Spec.toJson back}"
        | Error e -> failwith e.Message)

[<Property(MaxTest = 60)>]
let ``YAML round trip is the identity`` () =
    Prop.forAll (Arb.fromGen namedSpec) (fun spec ->
        let yaml = Spec.toYaml spec
        match Spec.ofYaml yaml with
        | Ok back -> ensure (back = spec) $"differs after the round trip:\n{yaml}\n{Spec.toYaml back}"
        | Error e -> failwith $"{e.Message}\n{yaml}")

[<Property(MaxTest = 20)>]
let ``save then load gives the spec back, for every extension`` () =
    let case = Gen.zip namedSpec (Gen.elements [ ".json"; ".yaml"; ".yml"; ".JSON" ])
    Prop.forAll (Arb.fromGen case) (fun (spec, extension) ->
        withTempDir (fun dir ->
            let path = Path.Combine(dir, "spec" + extension)
            ensure (Spec.save path spec = Ok()) "save failed"
            ensure (Spec.load path = Ok spec) $"load differs: {Spec.load path}"
            ensure (Spec.resolve path = Ok spec) "resolve differs"
            let wrong = Path.Combine(dir, "spec.txt")
            ensure ((Spec.save wrong spec).IsError) "saved with an unknown extension"
            match Spec.load (Path.Combine(dir, "absent.json")) with
            | Error(FileError(file, _)) -> ensure (file.EndsWith "absent.json") "file not named"
            | other -> failwith $"missing file gave {other}"))

/// Integer fields as dotted JSON paths.
let private integerFields =
    [ "dModel"; "heads"; "dLatent"; "dFf"; "textSeqLen"; "decoderLayers"; "moe.experts"; "moe.topK"; "vision.imageSize"
      "vision.grid"; "vision.depth"; "training.epochs"; "training.beamWidth" ]

let private setPath (root: JsonNode) (path: string) (value: JsonNode) =
    let parts = path.Split '.'
    let parent = parts.[.. parts.Length - 2] |> Array.fold (fun (n: JsonNode) p -> n.[p]) root
    parent.[parts.[parts.Length - 1]] <- value

[<Property(MaxTest = 60)>]
let ``a wrongly typed or unknown JSON field is reported by its path`` () =
    let case =
        gen {
            let! spec = validSpec
            let! field = Gen.elements integerFields
            let! unknown = Gen.elements [ ""; "moe."; "vision."; "training."; "vocab." ]
            let! value = Gen.elements [ "\"wide\""; "1.5"; "true"; "[1]"; "{}"; "null" ]
            return spec, field, unknown + "colour", value
        }
    Prop.forAll (Arb.fromGen case) (fun (spec, field, unknown, value) ->
        let typed = JsonNode.Parse(Spec.toJson spec)
        setPath typed field (JsonNode.Parse value)
        match Spec.ofJson (typed.ToJsonString()) with
        | Error(Malformed("<json>", problems)) ->
            ensure (problems |> List.exists (fun p -> p.Field = field)) $"{field} = {value}: problems {problems}"
        | other -> failwith $"{field} = {value} gave {other}"
        let extra = JsonNode.Parse(Spec.toJson spec)
        setPath extra unknown (JsonValue.Create 1)
        match Spec.ofJson (extra.ToJsonString()) with
        | Error e -> ensure (e.Fields = [ unknown ]) $"unknown {unknown}: fields {e.Fields}"
        | Ok _ -> failwith $"unknown field {unknown} accepted")

[<Property(MaxTest = 60)>]
let ``a wrongly typed YAML value is reported by its path and line`` () =
    let case = Gen.zip validSpec (Gen.elements integerFields)
    Prop.forAll (Arb.fromGen case) (fun (spec, field) ->
        let lines = (Spec.toYaml spec).Split '\n'
        let parts = field.Split '.'
        let start =
            if parts.Length = 1 then 0
            else Array.findIndex (fun (l: string) -> l = parts.[0] + ":") lines
        let indent = String(' ', 2 * (parts.Length - 1))
        let index =
            lines
            |> Array.indexed
            |> Array.find (fun (i, l) -> i >= start && l.StartsWith(indent + parts.[parts.Length - 1] + ":"))
            |> fst
        lines.[index] <- indent + parts.[parts.Length - 1] + ": wide"
        match Spec.ofYaml (String.Join("\n", lines)) with
        | Error(Malformed(_, problems)) ->
            ensure
                (problems |> List.exists (fun p -> p.Field = field && p.Line = Nullable(index + 1)))
                $"{field} on line {index + 1}: {problems}"
        | other -> failwith $"{field}: {other}")
