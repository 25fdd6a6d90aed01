/// Properties of the tokenizer, vocabularies and metrics.
module Micar.FSharp.Tests.TextProperties

open System
open System.IO
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Micar.Data
open Micar.FSharp
open Micar.FSharp.Tests.Generators
open Micar.FSharp.Tests.Support

/// A vocabulary, a text length T and a report of words drawn from it (some out of vocabulary), separated by
/// arbitrary whitespace.
let private reportCase =
    gen {
        let! tokens = vocabularyTokens
        let! t = Gen.choose (2, 20)
        let! n = Gen.choose (0, 24)
        let! oov = Gen.frequency [ 3, Gen.constant false; 1, Gen.constant true ]
        let pool = if oov then "OOV-word" :: tokens else tokens
        let! words = Gen.listOfLength n (Gen.elements pool)
        let! gaps = Gen.listOfLength (n + 1) (Gen.elements [ " "; "  "; "\t"; "\n"; " \r\n " ])
        let text = String.Join("", List.map2 (+) (List.take n gaps) words) + List.last gaps
        return tokens, t, words, text
    }

[<Property(MaxTest = 200)>]
let ``encoding lays out <sos> words <eos> <pad>… and decoding gives the first T-2 words back`` () =
    Prop.forAll (Arb.fromGen reportCase) (fun (tokens, t, words, text) ->
        let vocabulary = Vocabulary.FromRegularTokens tokens
        let tokenizer = Tokenizer(vocabulary)
        let encoded = tokenizer.Encode(text, t)
        let kept = List.truncate (t - 2) words
        let ids = kept |> List.map (fun w -> if vocabulary.Contains w then int64 (vocabulary.IdOf w) else 3L)
        let n = kept.Length
        let expectedInput = [ yield 1L; yield! ids; yield 2L; yield! List.replicate (t - n - 2) 0L ]
        ensure (List.ofArray encoded.InputIds = expectedInput) $"input %A{encoded.InputIds}"
        ensure (List.ofArray encoded.LabelIds = (List.tail expectedInput @ [ 0L ])) $"labels %A{encoded.LabelIds}"
        ensure (encoded.PadMask = (encoded.InputIds |> Array.map (fun i -> if i <> 0L then 1L else 0L))) "pad mask"
        let expectedText = kept |> List.map (fun w -> if vocabulary.Contains w then w else "<unk>") |> String.concat " "
        ensure (tokenizer.Decode(ReadOnlySpan encoded.InputIds) = expectedText) $"decoded '{tokenizer.Decode(ReadOnlySpan encoded.InputIds)}'"
        ensure (tokenizer.DecodeUntilEos(ReadOnlySpan encoded.LabelIds) = expectedText) "decoded labels"
        ensure (tokenizer.ReferenceText(text, t) = expectedText) "reference text"
        let batch = tokenizer.EncodeBatch([| "first words"; text; "" |], t)
        ensure (batch.InputIds.[t .. 2 * t - 1] = encoded.InputIds) "EncodeBatch row differs from Encode"
        ensure (batch.LabelIds.[t .. 2 * t - 1] = encoded.LabelIds && batch.PadMask.[t .. 2 * t - 1] = encoded.PadMask) "EncodeBatch labels or mask")

[<Property(MaxTest = 100)>]
let ``a built vocabulary holds exactly the words seen often enough, sorted, and survives save and load`` () =
    let case =
        gen {
            let! tokens = vocabularyTokens
            let! reports = Gen.listOfLength 6 (Gen.choose (0, 10) |> Gen.bind (fun n -> Gen.listOfLength n (Gen.elements tokens)))
            let! minimum = Gen.choose (1, 4)
            return reports, minimum
        }
    Prop.forAll (Arb.fromGen case) (fun (reports, minimum) ->
        let vocabulary = Vocabulary.Build(reports |> List.map (String.concat " "), minimum)
        let counts = reports |> List.concat |> List.countBy id
        let expected = counts |> List.filter (fun (_, c) -> c >= minimum) |> List.map fst |> List.sortWith (fun a b -> String.CompareOrdinal(a, b))
        let regular = vocabulary.Tokens |> Seq.skip 4 |> List.ofSeq
        ensure (List.sort regular = List.sort expected) $"tokens %A{regular}, expected %A{expected}"
        ensure (regular |> List.pairwise |> List.forall (fun (a, b) -> Char.ConvertToUtf32(a, 0) <= Char.ConvertToUtf32(b, 0))) "not sorted by code point"
        withTempDir (fun dir ->
            vocabulary.Save dir
            let back = Vocabulary.LoadDirectory dir
            ensure (List.ofSeq back.Tokens = List.ofSeq vocabulary.Tokens) "save/load changed the vocabulary"))

let private corpus = Gen.choose (1, 4) |> Gen.bind (fun n -> Gen.listOfLength n sentence)

[<Property(MaxTest = 25)>]
let ``identical predictions and references score BLEU 1 and ROUGE-L 1 in both flavours`` () =
    Prop.forAll (Arb.fromGen corpus) (fun texts ->
        let jury = Metrics.jury texts texts
        for name, v in [ "bleu1", jury.Bleu1; "bleu2", jury.Bleu2; "bleu3", jury.Bleu3; "bleu4", jury.Bleu4; "rougeL", jury.RougeL; "rougeLMean", jury.RougeLMean ] do
            ensure (abs (v - 1.0) < 1e-9) $"jury {name} = {v}"
        ensure (jury.Meteor > 0.5 && jury.Meteor <= 1.0) $"jury meteor = {jury.Meteor}"
        let coco = Metrics.coco texts texts
        for name, v in [ "bleu1", coco.Bleu1; "bleu2", coco.Bleu2; "bleu3", coco.Bleu3; "bleu4", coco.Bleu4; "rougeL", coco.RougeL ] do
            ensure (abs (v - 1.0) < 1e-6) $"coco {name} = {v}")

[<Property(MaxTest = 40)>]
let ``jury ROUGE-L F1 is symmetric in prediction and reference`` () =
    Prop.forAll (Arb.fromGen (Gen.zip corpus corpus)) (fun (a, b) ->
        let n = min a.Length b.Length
        let a, b = List.truncate n a, List.truncate n b
        let ab = (Metrics.jury a b).RougeLMean
        let ba = (Metrics.jury b a).RougeLMean
        ensure (abs (ab - ba) < 1e-12) $"ROUGE-L(a, b) = {ab} but ROUGE-L(b, a) = {ba}"
        ensure (ab >= 0.0 && ab <= 1.0) $"ROUGE-L {ab}")

[<Property(MaxTest = 25)>]
let ``metric scores lie in [0, 1]`` () =
    Prop.forAll (Arb.fromGen (corpus |> Gen.bind (fun p -> Gen.listOfLength p.Length sentence |> Gen.map (fun r -> p, r)))) (fun (predictions, references) ->
        let report = Metrics.report predictions references
        let j, c = report.Jury, report.Coco
        let scores =
            [ "jury bleu1", j.Bleu1; "jury bleu2", j.Bleu2; "jury bleu3", j.Bleu3; "jury bleu4", j.Bleu4; "jury meteor", j.Meteor
              "jury rougeL", j.RougeL; "jury rougeLMean", j.RougeLMean; "jury score", j.Score
              "coco bleu1", c.Bleu1; "coco bleu2", c.Bleu2; "coco bleu3", c.Bleu3; "coco bleu4", c.Bleu4; "coco rougeL", c.RougeL ]
        for name, v in scores do
            ensure (v >= 0.0 && v <= 1.0) $"{name} = {v}"
        ensure (c.CiderD >= 0.0) $"coco ciderD = {c.CiderD}"
        ensure (j.Bleu1 >= j.Bleu2 - 1e-12 || j.Bleu2 = 0.0) "BLEU-2 above BLEU-1")
