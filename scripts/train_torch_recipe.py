#!/usr/bin/python3
"""scripts/train_torch_recipe.py - PyTorch's side of the README's 10-epoch CIFAR-10 recipe,
`shufflelab train --model v2-0.5 --epochs 10 --batch 128 --lr 0.1`, so that both wall times
come from the same machine: the same model (scripts/bench_torch_train.py builds it from
docs/models.md), the same data read from the same binary files, the same augmentation (a
random 32x32 crop of the image padded by 4 zero pixels, a random horizontal flip), the same
normalisation, SGD with Nesterov momentum 0.9 and weight decay 5e-4 off 1-D parameters, the
one-cycle rate PyTorch's OneCycleLR gives (nn/optim.cpp's lr_one_cycle is the same curve),
and a test pass after every epoch. Prints one line per epoch, then the wall time, the final
test accuracy and the peak RSS. A measuring tool for people, never a dependency of the
project. Not here: the same random numbers as ours (data order and crops differ, so the
accuracies agree only roughly), checkpoints.

usage: /usr/bin/python3 scripts/train_torch_recipe.py [--model v2-0.5] [--epochs 10]
           [--batch 128] [--lr 0.1] [--threads 2] [--data DIR] [--limit-train N]
           [--limit-test N] [--json]
"""
import argparse
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_torch_train import make_model, param_groups  # noqa: E402 (needs the path above)

import numpy as np  # noqa: E402 (python3-torch depends on python3-numpy)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

MEAN = [0.4914, 0.4822, 0.4465]  # nn/cifar10.h: kCifarMean, kCifarStd
STD = [0.2470, 0.2435, 0.2616]
RECORD = 1 + 3 * 32 * 32  # one label byte, then 3 planes of 32x32 bytes


def read_cifar(files, limit):
    """uint8 images [n, 3, 32, 32] and int64 labels [n] from CIFAR-10's binary files."""
    raw = []
    for f in files:
        if not os.path.exists(f):
            sys.exit(f"error: {f} not found\nhint: pass --data DIR (the folder that holds "
                     "data_batch_1.bin .. data_batch_5.bin and test_batch.bin), or set "
                     "SHUFFLELAB_DATA; scripts/get-cifar10 downloads it")
        data = np.fromfile(f, dtype=np.uint8)
        if data.size % RECORD:
            sys.exit(f"error: {f} is {data.size} bytes, not a whole number of {RECORD}-byte records")
        raw.append(data.reshape(-1, RECORD))
    rows = np.concatenate(raw)
    if limit is not None:
        rows = rows[:limit]
    images = torch.from_numpy(rows[:, 1:].reshape(-1, 3, 32, 32).copy())
    labels = torch.from_numpy(rows[:, 0].astype(np.int64))
    return images, labels


def normalize(x):
    """uint8 [B, 3, 32, 32] -> float, (x / 255 - mean) / std per channel."""
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x.float() / 255.0 - mean) / std


def augment(x, gen):
    """A random 32x32 crop of each image padded by 4 zero pixels, flipped with probability 1/2."""
    b = x.shape[0]
    padded = F.pad(x, (4, 4, 4, 4))  # zeros, before normalisation, as ours
    dy = torch.randint(0, 9, (b,), generator=gen)
    dx = torch.randint(0, 9, (b,), generator=gen)
    flip = torch.randint(0, 2, (b,), generator=gen).bool()
    r = torch.arange(32)
    rows = dy[:, None] + r  # [B, 32]
    cols = torch.where(flip[:, None], dx[:, None] + 31 - r, dx[:, None] + r)
    bi = torch.arange(b)[:, None, None, None]
    ci = torch.arange(3)[None, :, None, None]
    return padded[bi, ci, rows[:, None, :, None], cols[:, None, None, :]]


def evaluate(model, images, labels, batch=64):
    model.eval()
    correct = 0
    with torch.inference_mode():
        for i in range(0, len(labels), batch):
            logits = model(normalize(images[i:i + batch]))
            correct += (logits.argmax(1) == labels[i:i + batch]).sum().item()
    model.train()
    return correct / max(1, len(labels))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="v2-0.5")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default=os.environ.get("SHUFFLELAB_DATA",
                                                     "data/cifar-10-batches-bin"))
    ap.add_argument("--limit-train", type=int, help="train on the first N images only")
    ap.add_argument("--limit-test", type=int, help="test on the first N images only")
    ap.add_argument("--json", action="store_true", help="one JSON object per epoch and at the end")
    a = ap.parse_args()
    if a.epochs < 1 or a.batch < 1 or a.threads < 1:
        sys.exit("error: --epochs, --batch and --threads must be at least 1")

    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    train_x, train_y = read_cifar([os.path.join(a.data, f"data_batch_{i}.bin")
                                   for i in range(1, 6)], a.limit_train)
    test_x, test_y = read_cifar([os.path.join(a.data, "test_batch.bin")], a.limit_test)
    model = make_model(a.model).train()
    opt = torch.optim.SGD(param_groups(model, 5e-4), lr=a.lr, momentum=0.9, nesterov=True)
    steps = (len(train_y) + a.batch - 1) // a.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=a.epochs * steps)
    gen = torch.Generator().manual_seed(a.seed)
    start = time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        t0, seen, loss_sum, correct = time.perf_counter(), 0, 0.0, 0
        order = torch.randperm(len(train_y), generator=gen)
        for s in range(steps):
            idx = order[s * a.batch:(s + 1) * a.batch]
            x = normalize(augment(train_x[idx], gen))
            y = train_y[idx]
            opt.zero_grad(set_to_none=True)
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            loss.backward()
            opt.step()
            sched.step()
            seen += len(y)
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
        train_s = time.perf_counter() - t0
        test_acc = evaluate(model, test_x, test_y)
        line = {"epoch": epoch, "epochs": a.epochs, "train_loss": loss_sum / seen,
                "train_acc": correct / seen, "test_acc": test_acc, "img_per_s": seen / train_s,
                "elapsed_s": time.perf_counter() - start}
        if a.json:
            print(json.dumps(line), flush=True)
        else:
            print(f"epoch {epoch}/{a.epochs}: train loss {line['train_loss']:.4f} acc "
                  f"{100 * line['train_acc']:.2f}% | test acc {100 * test_acc:.2f}% | "
                  f"{line['img_per_s']:.0f} img/s | {line['elapsed_s']:.0f} s elapsed", flush=True)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    done = {"name": "torch_recipe", "model": a.model, "epochs": a.epochs, "batch": a.batch,
            "threads": a.threads, "wall_s": time.perf_counter() - start, "test_acc": test_acc,
            "peak_rss_mb": rss_mb, "torch": torch.__version__}
    if a.json:
        print(json.dumps(done))
    else:
        print(f"done: {a.model}, {a.epochs} epochs at batch {a.batch} on {a.threads} threads in "
              f"{done['wall_s']:.0f} s; test accuracy {100 * test_acc:.2f}%; peak RSS "
              f"{rss_mb:.0f} MB (PyTorch {torch.__version__})")


if __name__ == "__main__":
    main()
