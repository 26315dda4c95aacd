// apps/cmd_bench.cpp - `shufflelab bench`: how fast this framework trains and infers on this
// machine, as numbers to set beside PyTorch's (scripts/bench_torch_train.py) and ONNX Runtime's
// (scripts/bench_onnx.py), and as fractions of this machine's own limits (a copy's bandwidth,
// the FMA peak). Every number comes from nn/bench's run_bench(); this file only parses flags
// and prints, as text or as JSON lines (docs/commands.md). --device cuda prints the device's
// lines (print_text_device): no CPU FMA peak or CPU memory there. Not a timed test: it
// asserts nothing.
#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "apps/cli.h"
#include "apps/commands.h"
#include "nn/bench.h"
#include "nn/models/models.h"

using namespace sl;

namespace {

std::string grouped(int64_t v) {  // 1234567 -> "1,234,567"
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void print_json(const BenchResult& r, const BenchConfig& c) {
  auto line = [](cli::Json& j) { std::printf("%s\n", j.end_object().str().c_str()); };
  {
    cli::Json j;
    j.begin_object().key("name").value("train_step").key("model").value(r.model);
    j.key("device").value(std::string(device_name(c.device)));
    j.key("batch").value(r.batch).key("threads").value(r.threads).key("params").value(r.params);
    j.key("img_per_s").value(r.img_per_s).key("step_ms").value(r.step.median_ms);
    j.key("step_min_ms").value(r.step.min_ms).key("step_max_ms").value(r.step.max_ms);
    j.key("steps").value(c.steps).key("warmup").value(c.warmup);
    line(j);
  }
  {
    cli::Json j;
    j.begin_object().key("name").value("infer").key("model").value(r.model).key("batch").value(1);
    j.key("threads").value(r.threads).key("latency_ms").value(r.latency.median_ms);
    j.key("latency_min_ms").value(r.latency.min_ms).key("repeats").value(c.latency_repeats);
    if (r.plan_measured) {
      j.key("plan_latency_ms").value(r.plan_latency.median_ms);
      j.key("plan_latency_min_ms").value(r.plan_latency.min_ms);
      j.key("plan_max_abs_diff").value(r.plan_max_abs_diff);
    }
    line(j);
  }
  {
    cli::Json j;
    j.begin_object().key("name").value("shuffle").key("shape").value(r.shuffle_shape);
    j.key("groups").value(r.shuffle_groups).key("from_model").value(r.model_has_shuffle);
    j.key("elements").value(r.shuffle_bytes / 8);
    j.key("bytes_moved").value(r.shuffle_bytes).key("gb_per_s").value(r.shuffle_gb_per_s);
    j.key("copy_gb_per_s").value(r.copy_gb_per_s);
    j.key("fraction_of_copy").value(r.shuffle_gb_per_s / r.copy_gb_per_s);
    line(j);
  }
  {
    cli::Json j;
    j.begin_object()
        .key("name")
        .value("madds")
        .key("forward_madds_per_image")
        .value(r.forward_madds);
    j.key("train_madds_per_s").value(r.train_madds_per_s);
    j.key("infer_madds_per_s").value(r.infer_madds_per_s);
    j.key("fma_gflops_per_thread")
        .value(r.fma_gflops_per_thread)
        .key("fma_lanes")
        .value(r.fma_lanes);
    j.key("peak_madds_per_s").value(r.peak_madds_per_s);
    if (r.peak_madds_per_s > 0) {  // the CPU's FMA peak; not measured for --device cuda
      j.key("train_fraction_of_peak").value(r.train_madds_per_s / r.peak_madds_per_s);
      j.key("infer_fraction_of_peak").value(r.infer_madds_per_s / r.peak_madds_per_s);
    }
    line(j);
  }
  {
    cli::Json j;
    j.begin_object().key("name").value("memory").key("heap_counted").value(r.heap_counted);
    j.key("heap_allocs_per_step").value(r.heap_allocs_per_step);
    j.key("storage_allocs_per_step").value(r.storage_allocs_per_step);
    j.key("peak_rss_mb").value(r.peak_rss_mb);
    j.key("tensor_in_use_bytes").value(r.memory.in_use_bytes);
    j.key("tensor_cached_bytes").value(r.memory.cached_bytes);
    j.key("tensor_peak_in_use_bytes").value(r.memory.peak_in_use_bytes);
    line(j);
  }
}

// Text: the lines the CPU and the device pages share, then each page.

// Every line is "<label, 16 columns><value>   <what>"; its continuation lines start at
// column 16 (kMore).
constexpr const char* kMore = "\n                ";

// Training throughput and how it was measured (`recipe`: what runs, and how a step ends).
void print_step(const BenchResult& r, const std::string& recipe, const BenchConfig& c) {
  std::printf("training step   %8.1f img/s   %.2f ms per step (steps %.2f .. %.2f ms)\n",
              r.img_per_s, r.step.median_ms, r.step.min_ms, r.step.max_ms);
  std::printf("                %s;%smedian of %d timed steps (%d untimed first); img/s = batch / "
              "median step time\n",
              recipe.c_str(), kMore, c.steps, c.warmup);
}

// One batch-1 latency: `label` ("inference", "inference plan"), what ran (`what`), the
// median and fastest of its timed runs after the warm-up, then `tail`.
void print_latency(const char* label, const Timing& t, const std::string& what,
                   const std::string& tail, const BenchConfig& c) {
  std::printf("%-16s%8.3f ms        batch 1, %s;%smedian of %d after %d warm-up (fastest %.3f "
              "ms)%s\n",
              label, t.median_ms, what.c_str(), kMore, c.latency_repeats, c.latency_warmup,
              t.min_ms, tail.c_str());
}

// Channel-shuffle bandwidth beside `copy`, the plain copy of the same bytes it is measured
// against.
void print_shuffle(const BenchResult& r, const char* copy, const BenchConfig& c) {
  std::printf("channel shuffle %8.1f GB/s      = %.0f%% of copy (%s of the same bytes: %.1f "
              "GB/s)\n",
              r.shuffle_gb_per_s, 100.0 * r.shuffle_gb_per_s / r.copy_gb_per_s, copy,
              r.copy_gb_per_s);
  std::printf("                input %s, %lld groups (%s at this batch);%sGB/s = bytes moved "
              "(read + write = %.1f MB) / median time of %d, shuffle and copy timed in turns\n",
              shape_str(r.shuffle_shape).c_str(), (long long)r.shuffle_groups,
              r.model_has_shuffle ? "the model's first shuffle"
                                  : "no shuffle in it: the stem's output",
              kMore, (double)r.shuffle_bytes / (1024.0 * 1024.0), c.shuffle_repeats);
}

// --device cuda: the same training, latency and shuffle lines; the multiply-adds as rates only
// (no GPU peak is measured), and none of the CPU's heap and memory lines.
void print_text_device(const BenchResult& r, const BenchConfig& c) {
  std::printf("bench %s (cifar variant, 10 classes, %s parameters), batch %lld, device %s\n\n",
              r.model.c_str(), grouped(r.params).c_str(), (long long)r.batch,
              device_name(c.device));
  print_step(r,
             str_cat("forward + cross-entropy + backward + SGD update on the device, the device "
                     "synchronized",
                     kMore, "at the end of each step"),
             c);
  print_latency("inference", r.latency,
                "eval mode, no autograd graph, synchronized after each forward", "", c);
  print_shuffle(r, "cudaMemcpy device to device", c);
  std::printf("multiply-adds   training %.1f GMAdd/s (3 x %s forward MAdds per image x img/s); "
              "inference %.2f GMAdd/s\n                (no GPU peak is measured: compare with "
              "the vendor's FP32 peak, docs/cuda.md)\n",
              r.train_madds_per_s / 1e9, grouped(r.forward_madds).c_str(),
              r.infer_madds_per_s / 1e9);
  std::printf("\nSL_CUDA_FAST=0 runs the readable kernels (core/cuda/*.cu) instead of the fast "
              "ones (core/cuda/*_fast.cu, the default).\n");
}

void print_text(const BenchResult& r, const BenchConfig& c) {
  const double MB = 1024.0 * 1024.0;
  const char* wait = std::getenv("OMP_WAIT_POLICY");
  const char* spin = std::getenv("GOMP_SPINCOUNT");
  std::printf("bench %s (cifar variant, 10 classes, %s parameters), batch %lld, %d %s, cpu, "
              "OMP_WAIT_POLICY=%s%s%s\n\n",
              r.model.c_str(), grouped(r.params).c_str(), (long long)r.batch, r.threads,
              r.threads == 1 ? "thread" : "threads", wait && *wait ? wait : "(libgomp default)",
              spin && *spin ? " GOMP_SPINCOUNT=" : "", spin && *spin ? spin : "");
  print_step(r,
             "forward + cross-entropy + backward + SGD update, the recipe of `train`, on one "
             "random batch",
             c);
  print_latency("inference", r.latency,
                "eval path: the Module's forward in eval mode, no autograd graph", "", c);
  if (r.plan_measured) {
    char diff[64];
    std::snprintf(diff, sizeof diff, "; logits within %.1e of the eval path", r.plan_max_abs_diff);
    print_latency("inference plan", r.plan_latency,
                  str_cat("the same model compiled once (nn/infer.h: BatchNorm folded,", kMore,
                          "ReLU fused, buffers planned)"),
                  diff, c);
  }
  print_shuffle(r, "copy", c);
  std::printf("multiply-adds   training %.2f GMAdd/s = %.1f%% of peak; inference %.2f GMAdd/s = "
              "%.1f%% of peak\n",
              r.train_madds_per_s / 1e9, 100.0 * r.train_madds_per_s / r.peak_madds_per_s,
              r.infer_madds_per_s / 1e9, 100.0 * r.infer_madds_per_s / r.peak_madds_per_s);
  std::printf("                training = 3 x %s forward MAdds per image (forward, input "
              "gradient, weight gradient) x img/s;\n                inference = forward MAdds / "
              "latency\n",
              grouped(r.forward_madds).c_str());
  std::printf("FMA peak        %.1f GMAdd/s = %d threads x %.1f GFLOP/s per thread / 2 flops per "
              "multiply-add\n                (measured here: a loop of 12 independent %d-lane FMA "
              "chains on every thread at once; each thread's fastest of %d ~1 ms runs)\n",
              r.peak_madds_per_s / 1e9, r.threads, r.fma_gflops_per_thread, r.fma_lanes,
              c.fma_repeats);
  if (r.heap_counted)
    std::printf("heap            %.0f operator new calls per training step (0 = graph objects "
                "all came from the pool),\n                %.1f tensor buffers from the system "
                "per step (0 = every buffer came from the cache)\n",
                r.heap_allocs_per_step, r.storage_allocs_per_step);
  else
    std::printf("heap            operator new is not counted in this binary; %.1f tensor buffers "
                "from the system per step\n",
                r.storage_allocs_per_step);
  std::printf("memory          peak RSS %.1f MB (getrusage, the whole run); tensor buffers after "
              "training: %.1f MB in use,\n                %.1f MB cached for reuse, peak %.1f MB "
              "in use\n",
              r.peak_rss_mb, (double)r.memory.in_use_bytes / MB, (double)r.memory.cached_bytes / MB,
              (double)r.memory.peak_in_use_bytes / MB);
  std::printf("\nPyTorch on the same settings: /usr/bin/python3 scripts/bench_torch_train.py "
              "--model %s --batch %lld --threads %d\n",
              r.model.c_str(), (long long)r.batch, r.threads);
  std::printf("ONNX Runtime's batch 1:       ~/ortvenv/bin/python scripts/bench_onnx.py --model %s "
              "--threads %d\n",
              r.model.c_str(), r.threads);
}

}  // namespace

int cmd_bench(int argc, char** argv) {
  cli::Flags f("bench", argc, argv,
               {{"model", true, "v2-0.5 (default) | v2-1.0 | v2-1.5 | v2-2.0 | v1-g<G>-<scale>"},
                {"batch", true, "training batch (default 64); inference is always batch 1"},
                {"threads", true, "CPU threads (default: all cores)"},
                {"steps", true, "timed training steps (default 20; 3 with --quick)"},
                {"warmup", true, "untimed training steps first (default 3; 1 with --quick)"},
                {"seed", true, "weights, random batch and labels (default 0)"},
                cli::device_flag_spec(),
                {"quick", false, "a smoke run of a few seconds: few repeats, numbers noisy"},
                {"json", false, "print one JSON object per line (keys in docs/commands.md)"}});
  if (f.help()) {
    std::printf(
        "%s",
        f.usage("[--model M] [--batch B] [--threads T] [--steps S] [--warmup W] [--device D] "
                "[--quick] [--json]",
                "Measures, in one run on this machine: training-step throughput (img/s, the\n"
                "forward, backward and SGD update of `train`), batch-1 inference latency (ms)\n"
                "through the eval path and through the inference plan (nn/infer.h),\n"
                "channel-shuffle bandwidth beside a plain copy of the same bytes (GB/s),\n"
                "multiply-adds per second as a fraction of the measured FMA peak, heap\n"
                "allocations per training step after warm-up, and peak memory. Every time is a\n"
                "median of repeats after a warm-up. Run scripts/bench_torch_train.py with the\n"
                "same --model, --batch and --threads for PyTorch's numbers; close other\n"
                "programs first, since a busy machine slows every number.\n\n"
                "OpenMP waiting: unless you set OMP_WAIT_POLICY or GOMP_SPINCOUNT, shufflelab\n"
                "sets OMP_WAIT_POLICY=passive GOMP_SPINCOUNT=3000: idle threads spin ~30 us,\n"
                "then sleep, which keeps two runs on shared cores as fast as sleeping at once\n"
                "does. On a quiet machine OMP_WAIT_POLICY=active is faster still (train v2-0.5\n"
                "at batch 128 on 2 cores: ~550 against ~485 img/s); give PyTorch's script the\n"
                "same setting.\n\n"
                "--device cuda measures the same on the GPU (a synchronization ends each timed\n"
                "call), with the shuffle beside a cudaMemcpy device to device; where CUDA\n"
                "cannot run it says why and exits 1 (docs/cuda.md).")
            .c_str());
    return 0;
  }
  const bool quick = f.has("quick");
  BenchConfig c;
  c.model = f.str("model", "v2-0.5");
  c.batch = f.integer_in("batch", 64, 1, 4096);
  c.steps = (int)f.integer_in("steps", quick ? 3 : 20, 1, 100000);
  c.warmup = (int)f.integer_in("warmup", quick ? 1 : 3, 0, 100000);
  c.seed = (uint64_t)f.integer_in("seed", 0, 0, INT64_MAX);
  if (quick) {
    c.latency_warmup = 2, c.latency_repeats = 10, c.shuffle_repeats = 5, c.fma_repeats = 10;
  }
  c.device = cli::device_flag(f, "bench");  // exit 2 for a bad name, 1 naming why it cannot run
  if (f.has("threads")) omp_set_num_threads((int)f.integer_in("threads", 0, 1, 1024));
  parse_model_name(c.model, "cifar", 10);  // a bad name is a usage error before any work

  const BenchResult r = run_bench(c, [&](const std::string& phase) {
    if (!f.has("json")) std::fprintf(stderr, "measuring %s ...\n", phase.c_str());
  });
  if (f.has("json"))
    print_json(r, c);
  else if (c.device == Device::cpu)
    print_text(r, c);
  else
    print_text_device(r, c);
  return 0;
}
