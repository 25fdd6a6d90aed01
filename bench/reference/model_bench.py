#!/usr/bin/python3
"""PyTorch side of `micar-bench model`: the official MicarVLMoE architecture (micar_ref.py) on the weights and
inputs Micar wrote (safetensors, official state-dict keys), with the same thread count. Each mode runs in its own
process (so that its peak resident memory is its own) and prints one JSON object as its last line.

  model_bench.py check <dir> <threads>                          eval-mode logits vs Micar's (fails above 1e-3)
  model_bench.py train <dir> <threads> <warmup> <repeats>       forward + backward + AdamW (amsgrad) step
  model_bench.py moe   <dir> <threads> <warmup> <repeats>       the official dense MoE layer alone
  model_bench.py beam  <dir> <threads> <tokens> <repeats> [images] [width]  official beam search (width 3, full
                                                                recompute; width 1 is the official algorithm's greedy)
  model_bench.py overhead <dir> <threads> <warmup> <repeats>    text decoder fwd+bwd at batch 1, 8 tokens

<dir> holds config.json (the micar_ref config plus training hyperparameters), weights.safetensors and
inputs.safetensors (moe.safetensors for `moe`), all written by bench/Micar.Bench/ModelBench.cs.

OMP_WAIT_POLICY defaults to PASSIVE, as Micar.Torch sets it before loading libtorch: with libgomp's default active
spinning, two OpenMP threads on a loaded machine make small element-wise ops 10–80× slower (measured here: a
160×2048 multiply 14 ms instead of 0.2 ms), which would measure the machine's load, not PyTorch. Set the variable
to ACTIVE in the environment to see PyTorch's default (Micar then uses it too)."""
import contextlib
import json, os, resource, statistics, struct, sys, time
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")   # as Micar.Torch does before loading libtorch (libgomp reads it once)
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import micar_ref as R

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32,
          "U8": torch.uint8, "BOOL": torch.bool, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """8-byte little-endian header length, a JSON header {key: {dtype, shape, data_offsets}}, then raw bytes."""
    with open(path, "rb") as f:
        blob = bytearray(f.read())
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    start = 8 + n
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        if info["dtype"] not in DTYPES:
            raise ValueError(f"{path}: tensor '{key}' has unsupported dtype {info['dtype']}")
        dtype = DTYPES[info["dtype"]]
        b, e = info["data_offsets"]
        count = 1
        for s in info["shape"]:
            count *= s
        t = torch.frombuffer(blob, dtype=dtype, count=count, offset=start + b) if count > 0 else torch.empty(0, dtype=dtype)
        if (e - b) != count * t.element_size():
            raise ValueError(f"{path}: tensor '{key}' spans {e - b} bytes, expected {count * t.element_size()}")
        out[key] = t.reshape(info["shape"])
    return out


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def memory():
    return {"peak_rss_mib": status_kib("VmHWM") / 1024, "rss_mib": status_kib("VmRSS") / 1024,
            "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def load_model(d):
    cfg = json.load(open(os.path.join(d, "config.json")))
    model = R.MicarVLMoE(cfg["model"])
    sd = read_safetensors(os.path.join(d, "weights.safetensors"))
    missing, unexpected = model.load_state_dict(sd, strict=True)
    del sd
    return cfg, model


def median(xs):
    return statistics.median(xs)


def mode_check(d):
    cfg, model = load_model(d)
    inp = read_safetensors(os.path.join(d, "inputs.safetensors"))
    model.eval()
    with torch.no_grad():
        logits, lb = model(inp["image"], inp["ids"], inp["pad_mask"])
    diff = (logits - inp["micar_logits"]).abs().max().item()
    lb_diff = abs(lb.item() - inp["micar_lb"].item())
    res = {"max_abs_diff": diff, "lb_abs_diff": lb_diff, "logits_shape": list(logits.shape)}
    if not (diff <= 1e-3 and lb_diff <= 1e-3):
        print(json.dumps(res))
        sys.exit(f"model_bench.py check: PyTorch and Micar logits differ by {diff:.3g} (balance value by {lb_diff:.3g}); limit 1e-3")
    return res


def mode_train(d, warmup, repeats):
    cfg, model = load_model(d)
    tr = cfg["training"]
    inp = read_safetensors(os.path.join(d, "inputs.safetensors"))
    image, ids, pad, labels = inp["image"].clone(), inp["ids"].clone(), inp["pad_mask"].clone(), inp["labels"].clone()
    del inp
    torch.manual_seed(tr["seed"])
    vision = [p for n, p in model.named_parameters() if n.startswith("vis_enc.") and p.requires_grad]
    rest = [p for n, p in model.named_parameters() if not n.startswith("vis_enc.") and p.requires_grad]
    groups = ([{"params": vision, "lr": tr["vision_lr"]}] if vision else []) + [{"params": rest, "lr": tr["lr"]}]
    opt = torch.optim.AdamW(groups, weight_decay=tr["weight_decay"], amsgrad=True)
    vocab = cfg["model"]["vocab"]
    alpha = tr["alpha"]
    model.train()
    rss_before = memory()["rss_mib"]
    names = ["vision", "encoder", "decoder", "loss", "forward", "backward", "optimizer", "total"]
    phases = {n: [] for n in names}
    losses = []
    # MICAR_BENCH_PROFILE=step|decoder|backward: operator table of one more, untimed step (or of one phase) on stderr
    profile = os.environ.get("MICAR_BENCH_PROFILE")
    shapes = os.environ.get("MICAR_BENCH_PROFILE_SHAPES") == "1"
    for i in range(warmup + repeats + (1 if profile in ("step", "decoder", "backward") else 0)):
        prof = torch.autograd.profiler.profile(record_shapes=shapes) if i == warmup + repeats else contextlib.nullcontext()
        if profile == "step":
            prof.__enter__()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        feats = model.vis_enc(image)                       # MicarVLMoE.forward = decode(ids, encode(image)), split
        tv = time.perf_counter()
        e = model.proj(feats)
        for layer in model.encoder.layers:
            e = layer(e)
        te = time.perf_counter()
        if profile == "decoder":
            prof.__enter__()
        logits, lb = model.decode(ids, e, pad)
        td = time.perf_counter()
        if profile == "decoder":
            prof.__exit__(None, None, None)
        ce = F.cross_entropy(logits.reshape(-1, vocab), labels.reshape(-1), ignore_index=0)
        loss = ce + alpha * lb if alpha != 0 else ce
        lv = loss.item()
        t1 = time.perf_counter()
        if profile == "backward":
            prof.__enter__()
        loss.backward()
        t2 = time.perf_counter()
        if profile == "backward":
            prof.__exit__(None, None, None)
        opt.step()
        t3 = time.perf_counter()
        losses.append(lv)
        if i == warmup + repeats:
            if profile == "step":
                prof.__exit__(None, None, None)
            print(prof.key_averages(group_by_input_shape=shapes).table(sort_by="self_cpu_time_total", row_limit=60), file=sys.stderr)
            break
        if i >= warmup:
            for n, v in zip(names, [tv - t0, te - tv, td - te, t1 - td, t1 - t0, t2 - t1, t3 - t2, t3 - t0]):
                phases[n].append(v)
    return {"step_s": median(phases["total"]), "samples_s": phases["total"],
            "phases_s": {k: median(v) for k, v in phases.items()}, "losses": losses,
            "rss_before_steps_mib": rss_before, **memory()}


def mode_moe(d, warmup, repeats):
    blob = read_safetensors(os.path.join(d, "moe.safetensors"))
    meta = json.load(open(os.path.join(d, "moe.json")))
    moe = R.MoE(meta["d"], meta["d_ff"], meta["experts"], meta["k"], meta["act"], 0.0)
    moe.load_state_dict({k: v for k, v in blob.items() if k.startswith("experts.") or k.startswith("gate.")}, strict=True)
    moe.eval()
    x = blob["x"].clone()
    with torch.no_grad():
        y, lb = moe(x)
    diff = (y - blob["micar_dense"]).abs().max().item()
    if not diff <= 1e-3:
        sys.exit(f"model_bench.py moe: PyTorch and Micar dense MoE outputs differ by {diff:.3g}; limit 1e-3")

    def timed(fn):
        for _ in range(warmup):
            fn()
        s = []
        for _ in range(repeats):
            t0 = time.perf_counter(); fn(); s.append(time.perf_counter() - t0)
        return median(s), min(s)

    def fwd():
        with torch.no_grad():
            moe(x)

    grad_out = blob["grad_out"].clone()

    def fwd_bwd():
        moe.zero_grad(set_to_none=True)
        y, lb = moe(x)
        (y * grad_out).sum().add(lb).backward()

    (f, fb), (fbw, fbwb) = timed(fwd), timed(fwd_bwd)
    return {"max_abs_diff": diff, "forward_s": f, "forward_best_s": fb, "forward_backward_s": fbw, "forward_backward_best_s": fbwb}


def mode_beam(d, tokens, repeats, images=1, width=3):
    """The official beam search (beam_search_official: every prefix recomputed each step) over the first `images`
    images; width 1 is the same algorithm as greedy argmax decoding (the official code has no other greedy)."""
    cfg, model = load_model(d)
    model.eval()
    inp = read_safetensors(os.path.join(d, "inputs.safetensors"))
    image = inp["image"][:images].clone()
    with torch.no_grad():
        model.beam_search_official(image, beam=width, max_len=2, eos=-1)     # warm-up
        enc, total, steps = [], [], 0
        for _ in range(repeats):
            t0 = time.perf_counter(); model.encode(image); enc.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            # eos = -1 is never produced, so all `tokens` steps run (the official loop only stops when every beam ends).
            out = model.beam_search_official(image, beam=width, max_len=tokens, eos=-1)
            total.append(time.perf_counter() - t0)
            steps = out.size(1) - 1
    return {"total_s": median(total), "encode_s": median(enc), "tokens": steps, "width": width, "samples_s": total,
            "encode_samples_s": enc}


def mode_overhead(d, warmup, repeats):
    """The text decoder alone, forward + backward in training mode, one row of 8 tokens against fixed image memory:
    so little arithmetic that the time is mostly per-operation cost (dispatch, autograd, allocation)."""
    cfg, model = load_model(d)
    inp = read_safetensors(os.path.join(d, "inputs.safetensors"))
    model.eval()
    with torch.no_grad():
        e = model.encode(inp["image"][:1])
    ids, pad, labels = inp["ids"][:1, :8].clone(), inp["pad_mask"][:1, :8].clone(), inp["labels"][:1, :8].clone()
    vocab = cfg["model"]["vocab"]
    model.train()

    def step():
        model.zero_grad(set_to_none=True)
        logits, lb = model.decode(ids, e, pad)
        loss = F.cross_entropy(logits.reshape(-1, vocab), labels.reshape(-1), ignore_index=0) + 0.01 * lb
        loss.backward()

    for _ in range(warmup):
        step()
    s = []
    for _ in range(repeats):
        t0 = time.perf_counter(); step(); s.append(time.perf_counter() - t0)
    with torch.autograd.profiler.profile() as prof:
        step()
    # Operators called from Python (depth 0) plus the autograd nodes run by backward.
    ops = sum(1 for ev in prof.function_events if ev.cpu_parent is None)
    return {"step_s": median(s), "top_level_ops": ops}


def main():
    mode, d, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(threads)
    rest = [int(a) for a in sys.argv[4:]]
    if mode == "check":
        res = mode_check(d)
    elif mode == "train":
        res = mode_train(d, *rest)
    elif mode == "moe":
        res = mode_moe(d, *rest)
    elif mode == "beam":
        res = mode_beam(d, *rest)
    elif mode == "overhead":
        res = mode_overhead(d, *rest)
    else:
        sys.exit(f"model_bench.py: unknown mode '{mode}' (check, train, moe, beam, overhead)")
    res.update({"torch": torch.__version__, "threads": torch.get_num_threads()})
    print(json.dumps(res))


if __name__ == "__main__":
    main()
