/// <summary>
/// Flax-style <c>init</c> / <c>apply</c> over Micar's descriptions: <c>init</c> turns a spec (or any layer
/// description) into parameters from a seed; <c>apply</c> runs the bound network on inputs under a
/// <see cref="T:Micar.Nn.ForwardContext"/> (eval/train mode, dropout RNG, optional trace of attention maps,
/// gates and routing decisions).
/// <code>
/// let net = Model.init (Spec.preset "tiny") 0UL
/// let out = Model.apply net Model.eval image ids      // out.Logits: [b, T, V]
/// </code>
/// Report generation wraps <see cref="T:Micar.Decoding.ReportDecoder"/> (greedy and beam search with a key/value cache).
/// </summary>
[<RequireQualifiedAccess>]
module Micar.FSharp.Model

open Micar.Data
open Micar.Decoding
open Micar.Layers
open Micar.Model
open Micar.Nn
open Micar.Spec
open Micar.Torch


/// Fresh parameters and buffers for a layer description, initialised as PyTorch would from <paramref name="seed"/>.
let initLayer (layer: ILayer) (seed: uint64) : ParamStore =
    use generator = new Generator(seed)
    ParamInit.Create(layer, generator)

/// The network of a valid spec with fresh parameters from <paramref name="seed"/>.
/// Raises <see cref="T:Micar.Spec.SpecValidationException"/> (listing every field at fault) for an invalid spec.
let init (spec: ModelSpec) (seed: uint64) : CaptionNet =
    let description = spec.Compile()
    CaptionNet(description, initLayer description seed)

/// Like <see cref="M:Micar.FSharp.Model.init"/>, with the validation errors as a result.
let tryInit (spec: ModelSpec) (seed: uint64) : Result<CaptionNet, ValidationError list> =
    Spec.validate spec |> Result.map (fun s -> init s seed)

/// Releases the parameters of a network.
let dispose (net: CaptionNet) : unit = net.Params.Dispose()

/// Evaluation mode without trace.
let eval : ForwardContext = ForwardContext.Eval

/// Training mode (dropout on) drawing dropout masks from <paramref name="generator"/>.
let train (generator: Generator) : ForwardContext = ForwardContext.Train generator

/// Runs <paramref name="f"/> under <paramref name="ctx"/> with a fresh <see cref="T:Micar.Nn.TraceRecorder"/>
/// attached, returning the result and the recorder (dispose it to free the recorded tensors).
let traced (ctx: ForwardContext) (f: ForwardContext -> 'T) : 'T * TraceRecorder =
    let recorder = new TraceRecorder()
    let result = f (RecordCopy.set <@ fun (c: ForwardContext) -> c.Trace @> (recorder :> ITraceSink) ctx)
    result, recorder

/// The whole forward pass: image <c>[b, 3, H, W]</c> and ids <c>[b, T]</c> → logits <c>[b, T, V]</c> and the balance value.
let apply (net: CaptionNet) (ctx: ForwardContext) (image: Tensor) (ids: Tensor) : DecoderOutput =
    net.Forward(image, ids, null, ctx)

/// The forward pass with a pad mask <c>[b, T]</c> (0 = padding: no position attends to it).
let applyMasked (net: CaptionNet) (ctx: ForwardContext) (image: Tensor) (ids: Tensor) (padMask: Tensor) : DecoderOutput =
    net.Forward(image, ids, padMask, ctx)

/// The image side: image <c>[b, 3, H, W]</c> → encoder memory <c>[b, N, d]</c>.
let encode (net: CaptionNet) (ctx: ForwardContext) (image: Tensor) : Tensor = net.EncodeImage(image, ctx)

/// The text side with teacher forcing: ids <c>[b, T]</c> against memory <c>[b, N, d]</c> (causal mask).
let decode (net: CaptionNet) (ctx: ForwardContext) (memory: Tensor) (ids: Tensor) : DecoderOutput =
    net.Decode(ids, memory, null, ctx)

/// A random image batch <c>[batch, 3, S, S]</c> (standard normal, i.e. already "normalised") for a spec.
let randomImage (spec: ModelSpec) (batch: int) (generator: Generator) : Tensor =
    let s = int64 spec.Vision.ImageSize
    Libtorch.Randn([| int64 batch; 3L; s; s |], generator)

/// Random token ids <c>[batch, T]</c> uniform over the spec's vocabulary.
let randomIds (spec: ModelSpec) (batch: int) (generator: Generator) : Tensor =
    let vocab = spec.Vocab.ResolvedSize
    if not vocab.HasValue then invalidArg "spec" $"spec '{spec.Name}' has no known vocabulary size"
    Libtorch.Randint(0L, int64 vocab.Value, [| int64 batch; int64 spec.TextSeqLen |], generator)

/// Image files decoded and transformed as training and evaluation do for the spec's image size (resize, centre crop,
/// ImageNet normalisation): <c>[n, 3, S, S]</c>. A bad file raises an exception naming it.
let loadImages (spec: ModelSpec) (paths: string list) : Tensor =
    Micar.Training.ImageBatcher.Load(List.toArray paths, Micar.Training.ImageBatcher.TransformFor spec.Vision.ImageSize)

/// Reports for a batch of images <c>[b, 3, H, W]</c> under explicit decoding options (beam width, cache, length penalty).
let generateWith (options: DecodeOptions) (net: CaptionNet) (images: Tensor) : Hypothesis list =
    List.ofSeq (ReportDecoder.Generate(net, images, options))

/// Reports for a batch of images: greedy decoding for <paramref name="beamWidth"/> 1, else beam search; the token ids
/// exclude <c>&lt;sos&gt;</c> and <c>&lt;eos&gt;</c>.
let generate (beamWidth: int) (net: CaptionNet) (images: Tensor) : Hypothesis list =
    generateWith (DecodeOptions(BeamWidth = beamWidth)) net images

/// The generated reports as text.
let caption (tokenizer: Tokenizer) (beamWidth: int) (net: CaptionNet) (images: Tensor) : string list =
    generate beamWidth net images |> List.map (fun h -> tokenizer.Decode(System.ReadOnlySpan h.Tokens))

/// Writes a checkpoint directory (<c>model.safetensors</c>, <c>spec.json</c>, <c>vocab/</c>).
let save (directory: string) (spec: ModelSpec) (vocabulary: Vocabulary) (net: CaptionNet) : unit =
    Checkpoint.Save(directory, spec, net.Params, vocabulary)

/// Reads a checkpoint directory written by <see cref="M:Micar.FSharp.Model.save"/>: the spec, the bound network and the vocabulary.
let load (directory: string) : ModelSpec * CaptionNet * Vocabulary =
    let loaded = Checkpoint.Load directory
    loaded.Spec, loaded.Net(), loaded.Vocab
