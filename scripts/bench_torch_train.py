#!/usr/bin/python3
"""scripts/bench_torch_train.py - PyTorch's side of `shufflelab bench`: the same models (built
here from docs/models.md: ShuffleNet V2 as torchvision writes it, with the CIFAR stem, and
ShuffleNet V1; --check-params compares their parameter counts with ours), the same recipe (SGD momentum 0.9 Nesterov, wd 5e-4 off 1-D params, one-cycle
LR), the same fixed random batch, median training-step img/s after warm-up, batch-1 inference
latency, and peak RSS; the same field names, so one command pair gives the ratios. A measuring
tool for people, never a dependency of the project. Not here: accuracy (random data).

usage: /usr/bin/python3 scripts/bench_torch_train.py [--model v2-0.5] [--batch 64]
           [--threads 2] [--steps 20] [--warmup 3] [--json] [--check-params BIN]
           [--device cpu|cuda]
--device cuda runs the same on the GPU (cuDNN, FP32 with TF32 off, as ours), each timed call
ended by a synchronisation, beside `shufflelab bench --device cuda`.
"""
import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError as e:
    sys.exit(f"error: {e}\nhint: sudo apt-get install python3-torch (then run with "
             "/usr/bin/python3), or use any Python that has torch")

V2_CHANNELS = {"0.5": [24, 48, 96, 192, 1024], "1.0": [24, 116, 232, 464, 1024],
               "1.5": [24, 176, 352, 704, 1024], "2.0": [24, 244, 488, 976, 2048]}
V1_STAGE2 = {1: 144, 2: 200, 3: 240, 4: 272, 8: 384}  # docs/models.md, scale 1.0


def conv_bn(c_in, c_out, k, stride=1, groups=1, relu=True):
    layers = [nn.Conv2d(c_in, c_out, k, stride, k // 2, groups=groups, bias=False),
              nn.BatchNorm2d(c_out)]
    return layers + [nn.ReLU(inplace=True)] if relu else layers


class V2Unit(nn.Module):
    """torchvision's InvertedResidual: split (stride 1) or two branches (stride 2), concat,
    shuffle in 2 groups; the same module names, so the state_dict keys match ours."""

    def __init__(self, c_in, c_out, stride):
        super().__init__()
        b = c_out // 2
        self.stride = stride
        self.branch1 = nn.Sequential()
        if stride == 2:
            self.branch1 = nn.Sequential(*conv_bn(c_in, c_in, 3, 2, c_in, relu=False),
                                         *conv_bn(c_in, b, 1))
        self.branch2 = nn.Sequential(*conv_bn(c_in if stride == 2 else b, b, 1),
                                     *conv_bn(b, b, 3, stride, b, relu=False), *conv_bn(b, b, 1))

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat((x1, self.branch2(x2)), 1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), 1)
        return channel_shuffle(out, 2)


class CifarShuffleNetV2(nn.Module):
    """torchvision's ShuffleNetV2 with docs/models.md's CIFAR stem: 3x3 conv stride 1 (not 2)
    and no max-pool; everything else unchanged."""

    def __init__(self, width, classes=10):
        super().__init__()
        ch = V2_CHANNELS[width]
        self.conv1 = nn.Sequential(*conv_bn(3, ch[0], 3))
        c_in = ch[0]
        for name, units, c_out in zip(["stage2", "stage3", "stage4"], [4, 8, 4], ch[1:4]):
            setattr(self, name, nn.Sequential(
                *[V2Unit(c_in if u == 0 else c_out, c_out, 2 if u == 0 else 1)
                  for u in range(units)]))
            c_in = c_out
        self.conv5 = nn.Sequential(*conv_bn(c_in, ch[4], 1))
        self.fc = nn.Linear(ch[4], classes)

    def forward(self, x):
        x = self.stage4(self.stage3(self.stage2(self.conv1(x))))
        return self.fc(self.conv5(x).mean((2, 3)))


def channel_shuffle(x, g):
    """Output channel j = i_inner * g + i_group takes input channel i_group * (C/g) + i_inner."""
    n, c, h, w = x.shape
    return x.view(n, g, c // g, h, w).transpose(1, 2).reshape(n, c, h, w)


class V1Unit(nn.Module):
    """docs/models.md's V1 unit: gconv1 bn1 ReLU, shuffle, dwconv bn2, gconv2 bn3, then
    ReLU(x + main) at stride 1 or ReLU(cat(avgpool(x), main)) at stride 2."""

    def __init__(self, c_in, c_out, groups, stride, first_groups):
        super().__init__()
        m = c_out // 4
        self.stride, self.groups = stride, groups
        main_out = c_out - c_in if stride == 2 else c_out
        self.gconv1 = nn.Conv2d(c_in, m, 1, groups=first_groups, bias=False)
        self.bn1 = nn.BatchNorm2d(m)
        self.dwconv = nn.Conv2d(m, m, 3, stride=stride, padding=1, groups=m, bias=False)
        self.bn2 = nn.BatchNorm2d(m)
        self.gconv2 = nn.Conv2d(m, main_out, 1, groups=groups, bias=False)
        self.bn3 = nn.BatchNorm2d(main_out)

    def forward(self, x):
        h = torch.relu(self.bn1(self.gconv1(x)))
        if self.groups > 1:
            h = channel_shuffle(h, self.groups)
        h = self.bn3(self.gconv2(self.bn2(self.dwconv(h))))
        if self.stride == 2:
            return torch.relu(torch.cat([nn.functional.avg_pool2d(x, 3, 2, 1), h], 1))
        return torch.relu(x + h)


class CifarShuffleNetV1(nn.Module):
    def __init__(self, groups, scale, classes=10):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, 24, 3, 1, 1, bias=False), nn.BatchNorm2d(24),
                                   nn.ReLU(inplace=True))
        c_in = 24
        for s, (name, units) in enumerate([("stage2", 4), ("stage3", 8), ("stage4", 4)]):
            c_out = int(V1_STAGE2[groups] * 2 ** s * scale)
            layers = []
            for u in range(units):
                first = groups if (s, u) != (0, 0) else 1
                layers.append(V1Unit(c_in, c_out, groups, 2 if u == 0 else 1, first))
                c_in = c_out
            setattr(self, name, nn.Sequential(*layers))
        self.fc = nn.Linear(c_in, classes)

    def forward(self, x):
        x = self.stage4(self.stage3(self.stage2(self.conv1(x))))
        return self.fc(x.mean((2, 3)))


def make_model(name):
    """v2-<width> or v1-g<groups>-<scale>, the CIFAR variant with 10 classes."""
    m = re.fullmatch(r"v2-(\d\.\d)", name)
    if m and m.group(1) in V2_CHANNELS:
        return CifarShuffleNetV2(m.group(1))
    m = re.fullmatch(r"v1-g(\d)-(\d(?:\.\d+)?)", name)
    if m and int(m.group(1)) in V1_STAGE2:
        return CifarShuffleNetV1(int(m.group(1)), float(m.group(2)))
    sys.exit(f"error: unknown model '{name}'\nhint: v2-0.5, v2-1.0, v2-1.5, v2-2.0 or "
             "v1-g<G>-<scale> such as v1-g3-0.5")


def param_count(model):
    return sum(p.numel() for p in model.parameters())


def check_params(model, name, binary):
    """Our parameter count from `shufflelab profile --json`; exits 1 when they differ."""
    out = subprocess.run([binary, "profile", "--model", name, "--json"], check=True,
                         capture_output=True, text=True).stdout
    ours, theirs = json.loads(out)["params"], param_count(model)
    if ours != theirs:
        sys.exit(f"error: {name}: PyTorch's model has {theirs:,} parameters, ours {ours:,}; "
                 "the two are not the same network")
    return ours


def param_groups(model, wd):
    """Weight decay on conv and linear weights only; BatchNorm and biases (1-D) get none."""
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]


def timed(fn, warmup, repeats):
    """Median, fastest and slowest ms of `repeats` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    ms = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ms), min(ms), max(ms)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="v2-0.5")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=20, help="timed training steps")
    ap.add_argument("--warmup", type=int, default=3, help="untimed training steps first")
    ap.add_argument("--latency-repeats", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--check-params", metavar="BIN",
                    help="compare the parameter count with BIN profile --json "
                         "(e.g. build/release/bin/shufflelab)")
    ap.add_argument("--json", action="store_true", help="one JSON object per line")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    a = ap.parse_args()

    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    if a.device == "cuda":
        if not torch.cuda.is_available():
            sys.exit("error: --device cuda: PyTorch sees no CUDA device here")
        torch.backends.cuda.matmul.allow_tf32 = False  # FP32 arithmetic, as ours
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cudnn.benchmark = True
    sync = torch.cuda.synchronize if a.device == "cuda" else (lambda: None)
    model = make_model(a.model).train()
    if a.check_params:
        check_params(model, a.model, a.check_params)
    model = model.to(dev)
    lr = 0.1
    opt = torch.optim.SGD(param_groups(model, 5e-4), lr=lr, momentum=0.9, nesterov=True)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=a.warmup + a.steps)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(a.batch, 3, 32, 32).to(dev)
    y = torch.randint(0, 10, (a.batch,)).to(dev)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
        return loss.item()

    step_ms, step_min, step_max = timed(step, a.warmup, a.steps)
    model.eval()
    x1 = torch.randn(1, 3, 32, 32).to(dev)

    def infer():
        with torch.inference_mode():
            model(x1)
        sync()

    lat_ms, lat_min, _ = timed(infer, 10, a.latency_repeats)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    img_s = a.batch / (step_ms / 1e3)
    common = {"framework": "pytorch", "torch": torch.__version__, "model": a.model,
              "threads": a.threads, "device": a.device}
    if a.json:
        print(json.dumps({"name": "train_step", **common, "batch": a.batch,
                          "params": param_count(model), "img_per_s": round(img_s, 2),
                          "step_ms": round(step_ms, 3), "step_min_ms": round(step_min, 3),
                          "step_max_ms": round(step_max, 3), "steps": a.steps,
                          "warmup": a.warmup}))
        print(json.dumps({"name": "infer", **common, "batch": 1, "latency_ms": round(lat_ms, 4),
                          "latency_min_ms": round(lat_min, 4), "repeats": a.latency_repeats}))
        print(json.dumps({"name": "memory", **common, "peak_rss_mb": round(rss_mb, 1)}))
    else:
        print(f"pytorch {torch.__version__} {a.model} ({param_count(model):,} parameters), "
              f"batch {a.batch}, {a.threads} threads, {a.device}")
        print(f"training step {img_s:9.1f} img/s   {step_ms:.2f} ms per step "
              f"(steps {step_min:.2f} .. {step_max:.2f} ms), median of {a.steps} "
              f"after {a.warmup} warm-up")
        print(f"inference     {lat_ms:9.3f} ms      batch 1, eval mode, inference_mode; "
              f"median of {a.latency_repeats} (fastest {lat_min:.3f} ms)")
        print(f"memory        peak RSS {rss_mb:.1f} MB (getrusage, the whole run)")


if __name__ == "__main__":
    main()
