#!/usr/bin/env python3
"""PyTorch side of `micar-bench gpu`: micar_ref.py on CUDA with the weights and inputs Micar wrote. Each mode prints
one JSON object as its last line.

  gpu_bench.py peaks <dir>                                  8192³ matrix products, bf16 and fp32 (TFLOP/s)
  gpu_bench.py check <dir>                                  eval-mode logits on CUDA vs Micar's CUDA logits
  gpu_bench.py train <dir> <warmup> <repeats> <fp32|bf16>   forward + backward + AdamW (amsgrad), bf16 = autocast
  gpu_bench.py beam  <dir> <tokens> <repeats>               official beam search (width 3, full recompute), whole batch
"""
import json, os, statistics, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import micar_ref as R
from model_bench import read_safetensors

DEV = torch.device(os.environ.get("MICAR_GPU_BENCH_DEVICE", "cuda"))   # cpu: dry run of the harness


def load(d):
    cfg = json.load(open(os.path.join(d, "config.json")))
    model = R.MicarVLMoE(cfg["model"])
    model.load_state_dict(read_safetensors(os.path.join(d, "weights.safetensors")), strict=True)
    inp = {k: v.clone().to(DEV) for k, v in read_safetensors(os.path.join(d, "inputs.safetensors")).items()}
    return cfg, model.to(DEV), inp


def sync_time():
    if DEV.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter()


def mode_peaks(d):
    out = {"device": torch.cuda.get_device_name(0) if DEV.type == "cuda" else "cpu (dry run)"}
    for name, dtype in (("bf16", torch.bfloat16), ("fp32", torch.float32)):
        n = 8192 if DEV.type == "cuda" else 1024
        a, b = torch.randn(n, n, device=DEV, dtype=dtype), torch.randn(n, n, device=DEV, dtype=dtype)
        for _ in range(3):
            a @ b
        t0 = sync_time()
        for _ in range(10):
            a @ b
        out[name + "_tflops"] = 2 * n ** 3 * 10 / (sync_time() - t0) / 1e12
    out["tf32_matmul"] = torch.backends.cuda.matmul.allow_tf32
    out["tf32_cudnn"] = torch.backends.cudnn.allow_tf32
    return out


def mode_check(d):
    cfg, model, inp = load(d)
    model.eval()
    with torch.no_grad():
        logits, lb = model(inp["image"], inp["ids"], inp["pad_mask"])
    return {"max_abs_diff": (logits - inp["micar_logits"]).abs().max().item(), "max_abs_logit": logits.abs().max().item()}


def mode_train(d, warmup, repeats, precision):
    cfg, model, inp = load(d)
    tr = cfg["training"]
    torch.manual_seed(tr["seed"])
    vision = [p for n, p in model.named_parameters() if n.startswith("vis_enc.") and p.requires_grad]
    rest = [p for n, p in model.named_parameters() if not n.startswith("vis_enc.") and p.requires_grad]
    groups = ([{"params": vision, "lr": tr["vision_lr"]}] if vision else []) + [{"params": rest, "lr": tr["lr"]}]
    opt = torch.optim.AdamW(groups, weight_decay=tr["weight_decay"], amsgrad=True)
    vocab, alpha = cfg["model"]["vocab"], tr["alpha"]
    model.train()
    samples, losses = [], []
    if DEV.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    for i in range(int(warmup) + int(repeats)):
        t0 = sync_time()
        opt.zero_grad(set_to_none=True)
        with torch.autocast(DEV.type, dtype=torch.bfloat16, enabled=precision == "bf16"):
            logits, lb = model(inp["image"], inp["ids"], inp["pad_mask"])
            ce = F.cross_entropy(logits.float().reshape(-1, vocab), inp["labels"].reshape(-1), ignore_index=0)
            loss = ce + alpha * lb.float() if alpha != 0 else ce
        loss.backward()
        opt.step()
        t1 = sync_time()
        losses.append(loss.item())
        if i >= int(warmup):
            samples.append(t1 - t0)
    return {"step_s": statistics.median(samples), "samples_s": samples, "losses": losses,
            "peak_gpu_mib": torch.cuda.max_memory_allocated() / 2 ** 20 if DEV.type == "cuda" else 0.0,
            "precision": precision}


def mode_beam(d, tokens, repeats):
    cfg, model, inp = load(d)
    model.eval()
    image = inp["image"]
    with torch.no_grad():
        model.beam_search_official(image, beam=3, max_len=2, eos=-1)
        s = []
        for _ in range(int(repeats)):
            t0 = sync_time()
            out = model.beam_search_official(image, beam=3, max_len=int(tokens), eos=-1)
            s.append(sync_time() - t0)
    return {"total_s": statistics.median(s), "samples_s": s, "tokens": out.size(1) - 1, "images": image.size(0)}


def main():
    mode, d, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    if DEV.type == "cuda" and not torch.cuda.is_available():
        sys.exit("gpu_bench.py: CUDA is not available to this torch")
    res = {"peaks": mode_peaks, "check": mode_check, "train": mode_train, "beam": mode_beam}[mode](d, *rest)
    res["torch"] = torch.__version__
    print(json.dumps(res))


if __name__ == "__main__":
    main()
