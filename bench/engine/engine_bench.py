#!/usr/bin/python3
"""PyTorch side of `micar-bench engine`: same ops, same shapes, same thread count, medians in seconds.
Run by bench/Micar.Bench (Debian's system python3 + python3-torch); prints one JSON object."""
import json, statistics, sys, time
import torch
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
torch.set_grad_enabled(False)

def median_time(fn, inner, repeats):
    for _ in range(max(1, inner // 10)):
        fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner)
    return statistics.median(samples)

a = torch.randn(4, 4); b = torch.randn(4, 4)
m1 = torch.randn(1024, 1024); m2 = torch.randn(1024, 1024)
x = torch.randn(8, 64, 56, 56); w = torch.randn(64, 64, 3, 3); bias = torch.randn(64)
res = {
    "torch": torch.__version__,
    "threads": torch.get_num_threads(),
    "add_4x4": median_time(lambda: a + b, 20000, 7),
    "matmul_1024": median_time(lambda: m1 @ m2, 5, 7),
    "conv2d_resnet": median_time(lambda: F.conv2d(x, w, bias, padding=1), 3, 7),
}
print(json.dumps(res))
