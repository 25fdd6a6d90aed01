#!/usr/bin/python3
"""PyTorch side of `micar-bench data`, run by bench/Micar.Bench with Debian's system python3.

  data_bench.py make DIR COUNT SIZE
      writes COUNT deterministic SIZE x SIZE RGB JPEGs (quality 90) to DIR/img000.jpg, ... (both sides read them)
  data_bench.py run DIR WORKERS BATCH EPOCHS T REPORT
      times EPOCHS full passes of torch.utils.data.DataLoader(num_workers=WORKERS, batch_size=BATCH) over those
      files: PIL.Image.open().convert('RGB'), torchvision Resize(232) + CenterCrop(224) + ToTensor + Normalize
      (the official evaluation transform), the report split and mapped to ids padded to T, default collation.

Each command prints one JSON object on its last line.
"""
import json, os, sys, time

import numpy as np
from PIL import Image


def make(directory, count, size):
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    files = []
    for i in range(count):
        # Smooth structure plus mild noise: compresses and decodes like a photograph, not like white noise.
        fx, fy, phase = rng.uniform(1, 6), rng.uniform(1, 6), rng.uniform(0, 6.3)
        base = 0.5 + 0.35 * np.sin(2 * np.pi * (fx * x + fy * y) + phase) * np.cos(2 * np.pi * fy * x)
        rgb = np.stack([base, np.roll(base, 17, axis=0), np.roll(base, 31, axis=1)], axis=-1)
        rgb = rgb * 255 + rng.normal(0, 6, rgb.shape)
        path = os.path.join(directory, f"img{i:03d}.jpg")
        Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB").save(path, quality=90)
        files.append(path)
    import PIL
    return {"files": files, "pillow": PIL.__version__}


def run(directory, workers, batch, epochs, text_length, report):
    import torch
    import torchvision
    from torch.utils.data import DataLoader, Dataset
    from torchvision import transforms

    transform = transforms.Compose([
        transforms.Resize(232),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    words = report.split()
    token2id = {w: 4 + i for i, w in enumerate(sorted(set(words)))}

    class Captions(Dataset):
        def __init__(self, files):
            self.files = files

        def __len__(self):
            return len(self.files)

        def __getitem__(self, idx):
            image = transform(Image.open(self.files[idx]).convert("RGB"))
            ids = [token2id.get(w, 3) for w in report.split()][: text_length - 2]
            inputs = [1] + ids + [2] + [0] * (text_length - 2 - len(ids))
            labels = ids + [2] + [0] * (text_length - 1 - len(ids))
            inputs = torch.tensor(inputs, dtype=torch.long)
            return image, inputs, (inputs != 0).long(), torch.tensor(labels, dtype=torch.long)

    files = sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith(".jpg"))
    loader = DataLoader(Captions(files), batch_size=batch, shuffle=False, num_workers=workers)
    rates = []
    for _ in range(epochs):
        seen = 0
        start = time.perf_counter()
        for images, _, _, _ in loader:
            seen += images.shape[0]
        rates.append(seen / (time.perf_counter() - start))
    return {"torch": torch.__version__, "torchvision": torchvision.__version__, "images_per_s": rates}


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "make":
        result = make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif command == "run":
        result = run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7])
    else:
        sys.exit(f"data_bench.py: unknown command {command!r}")
    print(json.dumps(result))
