/// <summary>
/// Report-generation metrics over F# sequences: the jury flavour (the official MicarVLMoE numbers: BLEU-1…4,
/// METEOR, ROUGE-L) and the coco flavour (pycocoevalcap BLEU, ROUGE-L, CIDEr-D). One reference per prediction.
/// Raises <see cref="T:System.ArgumentException"/> when the sequences are empty or differ in length.
/// </summary>
[<RequireQualifiedAccess>]
module Micar.FSharp.Metrics

open Micar.Metrics

/// The jury-flavour scores (official code) with the default options (seed, 1000 bootstrap samples, embedded WordNet).
let jury (predictions: seq<string>) (references: seq<string>) : JuryScores =
    JuryMetrics.Compute(Seq.toArray predictions, Seq.toArray references)

/// The jury-flavour scores with explicit options.
let juryWith (options: JuryOptions) (predictions: seq<string>) (references: seq<string>) : JuryScores =
    JuryMetrics.Compute(Seq.toArray predictions, Seq.toArray references, options)

/// The coco-flavour scores (R2Gen text preparation).
let coco (predictions: seq<string>) (references: seq<string>) : CocoScores =
    CocoMetrics.Compute(Seq.toArray predictions, Seq.toArray references)

/// Both flavours (<c>ToJson()</c> gives the report file).
let report (predictions: seq<string>) (references: seq<string>) : MetricReport =
    MetricReport.Compute(Seq.toArray predictions, Seq.toArray references)

/// Both flavours for a pairs file (prediction and reference per line, tab-separated).
let ofTsv (path: string) : MetricReport = MetricReport.FromTsv path
