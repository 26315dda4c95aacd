#!/usr/bin/python3
"""scripts/bench_onnx.py - ONNX Runtime's batch-1 inference latency for the models of
`shufflelab bench`: each model is built in PyTorch exactly as scripts/bench_torch_train.py
builds it, exported to ONNX, and timed in ONNX Runtime (all graph optimisations on: BatchNorm
folded into the convolutions, ReLU fused, memory planned once), median of repeats after
warm-up, beside `shufflelab bench`'s "inference plan" line (ShuffleLab's own compiled plan,
nn/infer.h, which does the same rewrites) and its "inference" line (the eval path).
A measuring tool for people, never a dependency of the project. Not here: training (bench_torch_train.py).

Needs torch and onnxruntime in one Python. onnxruntime goes into a
throwaway virtual environment outside the repository, made from the Python that has torch
(Debian's /usr/bin/python3 with python3-torch); numpy stays below 2, which Debian's torch
1.13 was built against (onnxruntime would otherwise pull in numpy 2 and torch could not
hand it tensors):
    /usr/bin/python3 -m venv ~/ortvenv --system-site-packages
    ~/ortvenv/bin/pip install onnxruntime "numpy<2"
usage: ~/ortvenv/bin/python scripts/bench_onnx.py [--model v2-0.5] [--threads 2] [--json]
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

HINT = ("hint: put onnxruntime in a throwaway virtual environment, outside the repository,\n"
        "made from the Python that has torch:\n"
        "    /usr/bin/python3 -m venv ~/ortvenv --system-site-packages\n"
        "    ~/ortvenv/bin/pip install onnxruntime \"numpy<2\"\n"
        "then run: ~/ortvenv/bin/python scripts/bench_onnx.py --model v2-0.5")
try:
    import onnxruntime as ort
except ImportError as e:
    print(f"error: {e}\n{HINT}", file=sys.stderr)
    sys.exit(2)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_torch_train as models  # noqa: E402  (exits with its own hint without torch)
import torch  # noqa: E402

try:
    torch.zeros(1).numpy()
except RuntimeError as e:  # e.g. numpy 2 beside a torch built against numpy 1
    print(f"error: torch cannot hand tensors to this numpy ({e}); "
          f"install numpy<2 beside it\n{HINT}", file=sys.stderr)
    sys.exit(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="v2-0.5")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads")
    ap.add_argument("--repeats", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="one JSON object")
    a = ap.parse_args()

    torch.manual_seed(a.seed)
    model = models.make_model(a.model).eval()
    x = torch.randn(1, 3, 32, 32)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.onnx")
        torch.onnx.export(model, x, path, input_names=["x"], output_names=["logits"],
                          opset_version=13)
        so = ort.SessionOptions()
        so.intra_op_num_threads = a.threads
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    feed = {"x": x.numpy()}
    with torch.inference_mode():
        want = model(x).numpy()
    got = sess.run(None, feed)[0]
    err = float(abs(got - want).max())
    if err > 1e-3:
        sys.exit(f"error: ONNX Runtime's logits differ from PyTorch's by {err:g}; the export "
                 "is wrong, so its timing would mean nothing")
    for _ in range(a.warmup):
        sess.run(None, feed)
    ms = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        sess.run(None, feed)
        ms.append((time.perf_counter() - t0) * 1e3)
    med = statistics.median(ms)
    if a.json:
        print(json.dumps({"name": "infer", "framework": "onnxruntime", "ort": ort.__version__,
                          "model": a.model, "batch": 1, "threads": a.threads,
                          "latency_ms": round(med, 4), "latency_min_ms": round(min(ms), 4),
                          "repeats": a.repeats}))
    else:
        print(f"onnxruntime {ort.__version__} {a.model}, batch 1, {a.threads} intra-op threads: "
              f"{med:.3f} ms median of {a.repeats} after {a.warmup} warm-up "
              f"(fastest {min(ms):.3f} ms; logits match PyTorch's within {err:.1e})")


if __name__ == "__main__":
    main()
