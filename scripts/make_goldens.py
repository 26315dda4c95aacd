#!/usr/bin/python3
"""scripts/make_goldens.py - writes the golden tensors tests/nn/test_nn_goldens.cpp holds
the nn/ layers and ShuffleNet V2 to, computed by PyTorch + torchvision (an independent
reference). Not a build or CI dependency: the outputs are checked in.

Regenerate (Debian's system Python has torch and torchvision installed):
    /usr/bin/python3 scripts/make_goldens.py        # writes assets/goldens/*.safetensors

Files (keys "<case>.<tensor>", float32; labels as float class indices):
    conv2d.safetensors     group / dw / strided / pw cases: x, w, out, dout, dx, dw
    batchnorm.safetensors  train / eval: x, gamma, beta, running stats before and after,
                           out, dout, dx, dgamma, dbeta
    pool.safetensors       max / avg (3x3 stride 2 pad 1, avg counts padding): x, out, dout, dx
    loss.safetensors       plain / smooth (label_smoothing 0.1): logits, labels, loss, dlogits
    v2_0.5_cifar_weights.safetensors  a torchvision shufflenet_v2_x0_5 (10 classes, CIFAR
                           stem: conv1 stride 1, no max-pool) with random weights and BN stats,
                           its state_dict exactly (num_batches_tracked as I64)
    v2_0.5_cifar_io.safetensors  input [2,3,32,32], logits in eval mode, logits_train in
                           train mode, and stage2.0.branch2.1.running_mean after that pass
"""
import json
import os
import struct

import torch
import torch.nn.functional as F
import torchvision

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets", "goldens")


def write_safetensors(path, tensors, metadata=None):
    """Writes safetensors by hand (no dependency on the safetensors package)."""
    header, blobs, pos = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        blob = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [pos, pos + len(blob)]}
        blobs.append(blob)
        pos += len(blob)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    print(f"wrote {os.path.relpath(path)}: {os.path.getsize(path)} bytes")


def leaf(t):
    return t.detach().clone().requires_grad_(True)


def conv2d_goldens():
    cases = {  # name: (x shape, w shape, stride, padding, groups)
        "group": ((2, 6, 7, 7), (4, 3, 3, 3), 1, 1, 2),
        "dw": ((2, 4, 6, 6), (4, 1, 3, 3), 2, 1, 4),
        "strided": ((1, 3, 9, 9), (5, 3, 3, 3), 2, 0, 1),
        "pw": ((2, 6, 5, 5), (6, 2, 1, 1), 1, 0, 3),
    }
    out, meta = {}, {}
    for name, (xs, ws, stride, padding, groups) in cases.items():
        x, w = leaf(torch.randn(xs)), leaf(torch.randn(ws))
        y = F.conv2d(x, w, stride=stride, padding=padding, groups=groups)
        dout = torch.randn(y.shape)
        y.backward(dout)
        out.update({f"{name}.x": x, f"{name}.w": w, f"{name}.out": y, f"{name}.dout": dout,
                    f"{name}.dx": x.grad, f"{name}.dw": w.grad})
        meta[name] = f"stride={stride},padding={padding},groups={groups}"
    write_safetensors(os.path.join(OUT, "conv2d.safetensors"), out, meta)


def batchnorm_goldens():
    out = {}
    for name, training in (("train", True), ("eval", False)):
        x = leaf(torch.randn(4, 3, 5, 5) * 2 + 1)
        gamma, beta = leaf(torch.rand(3) + 0.5), leaf(torch.randn(3))
        rm, rv = torch.randn(3), torch.rand(3) + 0.5
        rm0, rv0 = rm.clone(), rv.clone()
        y = F.batch_norm(x, rm, rv, gamma, beta, training=training, momentum=0.1, eps=1e-5)
        dout = torch.randn(y.shape)
        y.backward(dout)
        out.update({f"{name}.x": x, f"{name}.gamma": gamma, f"{name}.beta": beta,
                    f"{name}.running_mean": rm0, f"{name}.running_var": rv0,
                    f"{name}.running_mean_after": rm, f"{name}.running_var_after": rv,
                    f"{name}.out": y, f"{name}.dout": dout, f"{name}.dx": x.grad,
                    f"{name}.dgamma": gamma.grad, f"{name}.dbeta": beta.grad})
    write_safetensors(os.path.join(OUT, "batchnorm.safetensors"), out)


def pool_goldens():
    out = {}
    for name, fn in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
        x = leaf(torch.randn(2, 3, 9, 9))
        y = fn(x, 3, 2, 1)
        dout = torch.randn(y.shape)
        y.backward(dout)
        out.update({f"{name}.x": x, f"{name}.out": y, f"{name}.dout": dout, f"{name}.dx": x.grad})
    write_safetensors(os.path.join(OUT, "pool.safetensors"), out)


def loss_goldens():
    out = {}
    for name, smoothing in (("plain", 0.0), ("smooth", 0.1)):
        logits = leaf(torch.randn(5, 7) * 3)
        labels = torch.randint(0, 7, (5,))
        loss = F.cross_entropy(logits, labels, label_smoothing=smoothing)
        loss.backward()
        out.update({f"{name}.logits": logits, f"{name}.labels": labels.float(),
                    f"{name}.loss": loss.reshape(1), f"{name}.dlogits": logits.grad})
    write_safetensors(os.path.join(OUT, "loss.safetensors"), out, {"smooth": "label_smoothing=0.1"})


def shufflenet_goldens():
    m = torchvision.models.shufflenet_v2_x0_5(num_classes=10)
    m.conv1[0] = torch.nn.Conv2d(3, 24, 3, 1, 1, bias=False)  # CIFAR stem: stride 1 ...
    m.maxpool = torch.nn.Identity()                           # ... and no max-pool
    with torch.no_grad():  # random but well-scaled: activations stay O(1) through the net
        for mod in m.modules():
            if isinstance(mod, (torch.nn.Conv2d, torch.nn.Linear)):
                fan_in = mod.weight[0].numel()
                mod.weight.copy_(torch.randn(mod.weight.shape) * (2.0 / fan_in) ** 0.5)
                if mod.bias is not None:
                    mod.bias.copy_(torch.randn(mod.bias.shape) * 0.1)
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.weight.copy_(1 + 0.2 * torch.randn(mod.num_features))
                mod.bias.copy_(0.2 * torch.randn(mod.num_features))
        # Running statistics from one calibration batch (momentum 1 takes its statistics whole).
        bns = [mod for mod in m.modules() if isinstance(mod, torch.nn.BatchNorm2d)]
        for bn in bns:
            bn.momentum = 1.0
        m.train()
        m(torch.randn(8, 3, 32, 32))
        for bn in bns:
            bn.momentum = 0.1
            bn.num_batches_tracked.fill_(7)
    write_safetensors(os.path.join(OUT, "v2_0.5_cifar_weights.safetensors"), m.state_dict(),
                      {"model": "v2-0.5", "variant": "cifar", "source": "torchvision shufflenet_v2_x0_5, CIFAR stem"})
    x = torch.randn(2, 3, 32, 32)
    m.eval()
    with torch.no_grad():
        logits = m(x)
    m.train()
    with torch.no_grad():
        logits_train = m(x)
    rm = m.stage2[0].branch2[1].running_mean
    print(f"max |logits|: eval {logits.abs().max().item():.3f}, train {logits_train.abs().max().item():.3f}")
    write_safetensors(os.path.join(OUT, "v2_0.5_cifar_io.safetensors"),
                      {"input": x, "logits": logits, "logits_train": logits_train,
                       "stage2.0.branch2.1.running_mean": rm})


if __name__ == "__main__":
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    conv2d_goldens()
    batchnorm_goldens()
    pool_goldens()
    loss_goldens()
    shufflenet_goldens()
