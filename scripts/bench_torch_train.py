#!/usr/bin/python3
# scripts/bench_torch_train.py - times PyTorch's training step for the model and recipe of
# `shufflelab train` (ShuffleNet V2 CIFAR variant, SGD momentum 0.9 Nesterov, wd 5e-4 off
# 1-D params, one-cycle LR, batch 128) on this machine, so that our img/s can be quoted as
# a ratio. A measuring tool for people: needs Debian's python3-torch and python3-torchvision,
# and is never a CI dependency. Not here: accuracy (it trains on random tensors).
#
# usage: /usr/bin/python3 scripts/bench_torch_train.py [--model v2-0.5] [--batch 128]
#            [--steps 50] [--warmup 5] [--threads 2] [--json]
import argparse
import json
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torchvision
except ImportError as e:
    sys.exit(f"error: {e}\nhint: sudo apt-get install python3-torch python3-torchvision "
             "(then run with /usr/bin/python3)")

WIDTHS = {"v2-0.5": "shufflenet_v2_x0_5", "v2-1.0": "shufflenet_v2_x1_0",
          "v2-1.5": "shufflenet_v2_x1_5", "v2-2.0": "shufflenet_v2_x2_0"}


def cifar_shufflenet_v2(name, classes=10):
    """torchvision's ShuffleNetV2 with docs/models.md's CIFAR stem:
    3x3 conv stride 1 (not 2) and no max-pool; everything else unchanged."""
    m = getattr(torchvision.models, WIDTHS[name])(num_classes=classes)
    stem = m.conv1[0]
    m.conv1[0] = nn.Conv2d(3, stem.out_channels, 3, stride=1, padding=1, bias=False)
    m.maxpool = nn.Identity()
    return m


def param_groups(model, wd):
    """Weight decay on conv and linear weights only; BatchNorm and biases (1-D) get none."""
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default="v2-0.5", choices=sorted(WIDTHS))
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=50, help="timed steps")
    ap.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    model = cifar_shufflenet_v2(a.model).train()
    opt = torch.optim.SGD(param_groups(model, 5e-4), lr=a.lr, momentum=0.9, nesterov=True)
    total = a.warmup + a.steps
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=total)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(a.batch, 3, 32, 32)
    y = torch.randint(0, 10, (a.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    dt = time.perf_counter() - t0
    img_per_s = a.batch * a.steps / dt
    epoch_s = 50000 / img_per_s
    if a.json:
        print(json.dumps({"name": "torch_train_step", "model": a.model, "batch": a.batch,
                          "threads": a.threads, "steps": a.steps, "img_per_s": round(img_per_s, 1),
                          "s_per_epoch": round(epoch_s, 1), "torch": torch.__version__}))
    else:
        print(f"pytorch {torch.__version__} {a.model} batch {a.batch} threads {a.threads}: "
              f"{a.steps} steps in {dt:.2f} s, {dt / a.steps * 1000:.1f} ms/step, "
              f"{img_per_s:.1f} img/s, {epoch_s:.1f} s per 50,000-image epoch")


if __name__ == "__main__":
    main()
