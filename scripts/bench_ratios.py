#!/usr/bin/env python3
"""scripts/bench_ratios.py - the README's speed table in one command: for each model, runs
`shufflelab bench` and scripts/bench_torch_train.py one after the other, several rounds, on the
same settings, and prints each side's training img/s, their medians' ratio and both peak RSS,
as a Markdown table. Run it with a Python that has torch (e.g. Debian's /usr/bin/python3 with
python3-torch); it needs nothing else. A measuring tool for people, never a dependency of the
project or a test: speed is never asserted. Not here: batch-1 latency against ONNX Runtime
(scripts/bench_onnx.py) or GPU runs (give both scripts --device cuda by hand).

usage: /usr/bin/python3 scripts/bench_ratios.py [--models v2-0.5,v1-g3-0.5,v2-1.0,v1-g3-1.0]
           [--rounds 2] [--batch 64] [--threads 2] [--steps 20] [--wait active]
           [--bin build/release/bin/shufflelab]

Close other programs first: the two frameworks are compared in the same run, one after the
other, so a machine whose speed drifts affects both alike, but a busy machine makes every
number noisy. --wait sets OMP_WAIT_POLICY for both sides (default active: both spin, the
like-for-like setting; `shufflelab` alone defaults to a short spin, then sleep).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def json_lines(cmd, env):
    """Runs cmd, returns {name: object} of the JSON lines it printed; exits on failure."""
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"bench_ratios: {' '.join(cmd)} failed (exit {r.returncode}):\n{r.stderr}")
    out = {}
    for line in r.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            obj = json.loads(line)
            out[obj.get("name")] = obj
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default="v2-0.5,v1-g3-0.5,v2-1.0,v1-g3-1.0")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--wait", default="active", choices=["active", "passive"])
    p.add_argument("--bin", default=os.path.join(ROOT, "build/release/bin/shufflelab"))
    a = p.parse_args()
    if not os.access(a.bin, os.X_OK):
        sys.exit(f"bench_ratios: {a.bin} not found: build first (make build), or pass --bin")
    try:
        import torch  # noqa: F401  (only to fail early with a clear message)
    except ImportError:
        sys.exit("bench_ratios: this Python has no torch; run it with one that has "
                 "(Debian: sudo apt-get install python3-torch, then /usr/bin/python3)")
    env = dict(os.environ, OMP_WAIT_POLICY=a.wait)
    env.pop("GOMP_SPINCOUNT", None)
    common = ["--batch", str(a.batch), "--threads", str(a.threads), "--steps", str(a.steps),
              "--json"]
    torch_script = os.path.join(ROOT, "scripts", "bench_torch_train.py")
    rows = []
    for model in a.models.split(","):
        ours, theirs, rss_ours, rss_theirs = [], [], [], []
        for r in range(a.rounds):
            print(f"bench_ratios: {model}, round {r + 1} of {a.rounds} ...", file=sys.stderr)
            o = json_lines([a.bin, "bench", "--model", model] + common, env)
            t = json_lines([sys.executable, torch_script, "--model", model] + common, env)
            ours.append(o["train_step"]["img_per_s"])
            theirs.append(t["train_step"]["img_per_s"])
            rss_ours.append(o["memory"]["peak_rss_mb"])
            rss_theirs.append(t["memory"]["peak_rss_mb"])
        ratio = statistics.median(ours) / statistics.median(theirs)
        rows.append((model, ours, theirs, ratio, max(rss_ours), max(rss_theirs)))
    import torch
    print(f"\nbatch {a.batch}, {a.threads} threads, {a.steps} timed steps, {a.rounds} rounds, "
          f"OMP_WAIT_POLICY={a.wait}, PyTorch {torch.__version__}\n")
    print("| model | ours img/s | PyTorch img/s | ratio | peak RSS ours / PyTorch (MB) |")
    print("|---|---|---|---|---|")
    for model, ours, theirs, ratio, ro, rt in rows:
        print(f"| {model} | {', '.join(f'{x:.0f}' for x in ours)} | "
              f"{', '.join(f'{x:.0f}' for x in theirs)} | {ratio:.2f} | {ro:.0f} / {rt:.0f} |")


if __name__ == "__main__":
    main()
